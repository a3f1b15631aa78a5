package report

import (
	"bytes"
	"math"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/proclab/proclab/lab/results"
)

// bench.txt holds one result per task that counts, its values the task's
// own figures in base units; a task that does not count (a checksum known
// bad, timed out) and a warmup round are not there.
func TestBenchValuesAndRule(t *testing.T) {
	res := oneRun(results.Fork, []int64{0}, 300_000, 320_000, 340_000)
	r := &res.Runs[0]
	for i := range r.Tasks {
		r.Tasks[i].TotalNS = int64(1_000_000 + 1000*i)
		r.Tasks[i].TaskCPUNS = ns(int64(700_000 + i))
		r.Tasks[i].MinFlt = ns(int64(90 + i))
	}
	r.Tasks[1].ChecksumOK = results.Ptr(false) // no error string: a document from elsewhere
	warm := res.Runs[0]
	warm.Round = -1
	warm.Tasks = append([]results.Task(nil), warm.Tasks...)
	res.Runs = append(res.Runs, warm)
	var buf bytes.Buffer
	if err := Bench(&buf, res); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(&buf, "bench.txt")
	var got []*benchfmt.Result
	for rd.Scan() {
		if rec, ok := rd.Result().(*benchfmt.Result); ok {
			got = append(got, rec.Clone())
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d results, want tasks 0 and 2 of the recorded round", len(got))
	}
	if v := got[0].GetConfig("left-out-tasks"); v != "1" {
		t.Errorf("left-out-tasks config: %+v", got[0].Config)
	}
	for k, i := range []int{0, 2} {
		tk := r.Tasks[i]
		for unit, want := range map[string]float64{
			"sec/op": float64(tk.TotalNS) / 1e9, "startup-sec/op": float64(*tk.StartupNS) / 1e9, "run-sec/op": float64(tk.RunNS) / 1e9,
			"task-cpu-sec/op": float64(*tk.TaskCPUNS) / 1e9, "hwm-B/op": float64(*tk.HWMBytes), "minflt/op": float64(*tk.MinFlt),
		} {
			if v, ok := got[k].Value(unit); !ok || math.Abs(v-want) > 1e-12*math.Max(1, want) {
				t.Errorf("task %d: %s = %v (%v), want %v", i, unit, v, ok, want)
			}
		}
	}
}
