package lab

import (
	"fmt"
	"github.com/proclab/proclab/lab/results"
	"slices"
	"strings"
)

// ParseMethods reads "all" or a comma-separated list of method names. A
// method named twice ("fork,fork") is refused rather than merged: each
// method is one row of the results, and more rounds come from Repeat.
func ParseMethods(s string) ([]results.Method, error) {
	if strings.TrimSpace(s) == "all" {
		return AllMethods(), nil
	}
	var out []results.Method
	for _, f := range strings.Split(s, ",") {
		m := results.Method(strings.TrimSpace(f))
		if !m.Valid() {
			if hint := SuggestMethod(string(m)); hint != "" {
				return nil, fmt.Errorf("unknown method %q: did you mean %s? (want all or a list of: %s)", string(m), hint, methodNames())
			}
			return nil, fmt.Errorf("unknown method %q (want all or a list of: %s)", string(m), methodNames())
		}
		if slices.Contains(out, m) {
			return nil, fmt.Errorf("%s is named twice; name each method once (each is one row of the results; --repeat gives more rounds)", m)
		}
		out = append(out, m)
	}
	return out, nil
}

// AllMethods is what `--method all` runs: every method, and Python's
// multiprocessing start methods when python3 is found.
func AllMethods() []results.Method {
	all := append([]results.Method(nil), results.Methods...)
	if _, err := Python(); err == nil {
		all = append(all, results.PythonMethods...)
	}
	return all
}

func methodNames() string {
	var names []string
	for _, m := range results.KnownMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}
