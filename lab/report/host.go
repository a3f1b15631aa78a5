package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/proclab/proclab/lab/results"
)

// keyValue is one line of host metadata: a benchmark configuration line in
// bench.txt ("kernel: 6.1.0"), a row in the Markdown reports.
type keyValue struct{ key, value string }

// hostConfig flattens the results' host metadata (Result.Host, filled by
// lab/host.go) into key/value lines, nested objects joined with "-":
// {"cpu": {"model": "X"}} becomes "cpu-model: X". It returns nil when the
// results carry no host object.
//
// It goes through the JSON form so that the lines follow the host type's
// public field names as it grows.
func hostConfig(res *results.Result) []keyValue {
	obj := hostObject(res)
	if obj == nil {
		return nil
	}
	var out []keyValue
	flatten("", obj, &out)
	return out
}

// hostObject is the host field of res as decoded JSON, or nil.
func hostObject(res *results.Result) map[string]any {
	if res == nil {
		return nil
	}
	if res.Host == nil {
		return nil
	}
	b, err := json.Marshal(res.Host)
	if err != nil {
		return nil
	}
	var obj map[string]any
	if json.Unmarshal(b, &obj) != nil {
		return nil
	}
	return obj
}

func flatten(prefix string, v any, out *[]keyValue) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			name := configKey(k)
			if prefix != "" {
				name = prefix + "-" + name
			}
			flatten(name, v[k], out)
		}
	case []any:
		var parts []string
		for _, e := range v {
			s, ok := scalar(e)
			if !ok {
				return // a list of objects is no configuration line
			}
			parts = append(parts, s)
		}
		if len(parts) > 0 {
			*out = append(*out, keyValue{prefix, strings.Join(parts, ",")})
		}
	default:
		if s, ok := scalar(v); ok && s != "" {
			*out = append(*out, keyValue{prefix, s})
		}
	}
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return strings.Join(strings.Fields(v), " "), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// configKey makes a JSON name a valid configuration key: lower case, no
// spaces or colons (the benchmark format's rules).
func configKey(k string) string {
	k = strings.ToLower(k)
	return strings.Map(func(r rune) rune {
		if r == ':' || r == ' ' || r == '\t' {
			return '-'
		}
		return r
	}, k)
}

func (kv keyValue) String() string { return fmt.Sprintf("%s: %s", kv.key, kv.value) }
