package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// The host object flattens into configuration lines that benchfmt reads
// back as file configuration.
func TestHostFlattenReadsBack(t *testing.T) {
	var obj map[string]any
	doc := `{"kernel": "6.1.0-18-amd64", "cpus": 2, "thp": {"enabled": "madvise"},
		"cpu": {"Model Name": "AMD EPYC 7B13", "flags": ["sse", "avx"]}, "load": [0.5, 1.25],
		"numa": [{"node": 0}], "go": "go1.26.8", "note": "two\nlines"}`
	if err := json.Unmarshal([]byte(doc), &obj); err != nil {
		t.Fatal(err)
	}
	var kvs []keyValue
	flatten("", obj, &kvs)
	want := map[string]string{
		"kernel": "6.1.0-18-amd64", "cpus": "2", "thp-enabled": "madvise", "cpu-model-name": "AMD EPYC 7B13",
		"cpu-flags": "sse,avx", "load": "0.5,1.25", "go": "go1.26.8", "note": "two lines",
	}
	if len(kvs) != len(want) {
		t.Errorf("got %v, want %d lines (the list of objects left out)", kvs, len(want))
	}
	var buf bytes.Buffer
	for _, kv := range kvs {
		buf.WriteString(kv.String() + "\n")
	}
	buf.WriteString("\nBenchmarkStart/method=fork/tasks=1/iters=1 1 0.001 sec/op\n")
	rd := benchfmt.NewReader(&buf, "bench.txt")
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("%v", rd.Result())
		}
		for k, v := range want {
			if got := res.GetConfig(k); got != v {
				t.Errorf("config %s = %q, want %q", k, got, v)
			}
		}
	}
}
