package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestSampleIntervalFlag(t *testing.T) {
	for _, bad := range []string{"-1ms", "500us", "1ns", "fast"} {
		var out, errb bytes.Buffer
		if rc := proclab(&out, &errb, []string{"--sample-interval", bad}); rc != 2 {
			t.Errorf("--sample-interval %s: exit %d, want 2", bad, rc)
		}
		if msg := errb.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "sample-interval") {
			t.Errorf("--sample-interval %s: error %q, want one line naming the flag", bad, msg)
		}
	}
}

// The JSON carries the host always, and the samples only when sampling.
func TestSampleIntervalJSON(t *testing.T) {
	for _, iv := range []string{"0", "1ms"} {
		var out, errb bytes.Buffer
		args := []string{"--method", "fork", "--n-tasks", "1", "--n-iters", "20000000", "--repeat", "1",
			"--sample-interval", iv, "--sample-budget", "0", "--json"}
		if rc := proclab(&out, &errb, args); rc != 0 {
			t.Fatalf("%v: exit %d: %s", args, rc, errb.String())
		}
		var doc struct {
			Host    map[string]any `json:"host"`
			Sampler *struct {
				Samples int `json:"samples"`
			} `json:"sampler"`
			Runs []struct {
				Tasks []struct {
					PeakRSS *int64           `json:"peak_rss_bytes"`
					Samples []map[string]any `json:"samples"`
				} `json:"tasks"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		// Present and filled: a missing key must fail too.
		for _, k := range []string{"cpu_model", "kernel", "thp"} {
			if v, ok := doc.Host[k].(string); !ok || v == "" {
				t.Errorf("host %s = %#v, want a non-empty string: %v", k, doc.Host[k], doc.Host)
			}
		}
		tk := doc.Runs[0].Tasks[0]
		on := iv != "0"
		if (doc.Sampler != nil) != on || (tk.PeakRSS != nil) != on || (len(tk.Samples) > 0) != on {
			t.Errorf("--sample-interval %s: sampler %v, peak rss %v, %d samples", iv, doc.Sampler, tk.PeakRSS, len(tk.Samples))
		}
		for _, s := range tk.Samples {
			for _, k := range []string{"t_ns", "cpu_percent", "rss_bytes", "pss_bytes", "uss_bytes"} {
				if _, ok := s[k]; !ok {
					t.Errorf("sample without %s: %v", k, s)
				}
			}
		}
	}
}
