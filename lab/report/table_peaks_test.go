package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// Live samples show in the table only as their peaks, and only when taken.
func TestTablePeaks(t *testing.T) {
	rss, pss := int64(270<<20), int64(135<<20)
	for _, sampled := range []bool{false, true} {
		ok := true
		tk := results.Task{PID: 42, ChecksumOK: &ok}
		var sampler *results.SamplerStats
		if sampled {
			sampler = &results.SamplerStats{IntervalNS: 250e6, Samples: 1, CPUNS: 400e3, ChildCPUNS: 40e6, Overhead: 0.01}
			tk.PeakRSSBytes, tk.PeakPSSBytes = &rss, &pss
			tk.Samples = []results.Sample{{TNS: 1, RSSBytes: rss, PSSBytes: pss}}
		}
		res := &results.Result{Spec: results.SpecInfo{Methods: []results.Method{results.Fork}, NTasks: 1},
			Runs:    []results.RunResult{{Method: results.Fork, NTasks: 1, Tasks: []results.Task{tk}}},
			Sampler: sampler}
		var b bytes.Buffer
		if err := Table(&b, res, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		has := strings.Contains(out, "peak rss MiB") && strings.Contains(out, "peak pss MiB") &&
			strings.Contains(out, " 270 ") && strings.Contains(out, " 135 ") &&
			strings.Contains(out, "Live samples every 250ms: 1, costing the lab 400µs of CPU (1.00% of the children's)")
		if has != sampled || strings.Contains(out, "t_ns") {
			t.Errorf("sampled %v:\n%s", sampled, out)
		}
	}
}
