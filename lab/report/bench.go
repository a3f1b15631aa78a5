package report

import (
	"fmt"
	"io"

	"golang.org/x/perf/benchfmt"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// Bench writes bench.txt in the Go benchmark format, so that
// `benchstat a/bench.txt b/bench.txt` compares two machines or kernels.
// The host metadata becomes configuration lines; each task of a recorded
// run that counts (stats.Counts: the rule every figure follows) is one
// result line (an "op" is one task):
//
//	BenchmarkStart/method=fork/tasks=4/iters=10000000 1 0.0153 sec/op 0.000291 startup-sec/op ...
//
// A run with a parent ballast adds /parent=SIZE to the name. An
// interrupted run's finished tasks are there; its unfinished ones are not.
func Bench(w io.Writer, res *results.Result) error {
	bw := benchfmt.NewWriter(w)
	var config []benchfmt.Config
	for _, kv := range hostConfig(res) {
		config = append(config, benchfmt.Config{Key: kv.key, Value: []byte(kv.value), File: true})
	}
	// What the results below leave out, said where benchstat shows it.
	left := 0
	for _, e := range stats.Summaries(res) {
		left += e.LeftOut
	}
	config = append(config, benchfmt.Config{Key: "left-out-tasks", Value: []byte(fmt.Sprint(left)), File: true})
	for i := range res.Runs {
		r := &res.Runs[i]
		if !stats.Recorded(r) {
			continue
		}
		name := fmt.Sprintf("Start/method=%s/tasks=%d/iters=%d", r.Method, r.NTasks, r.NIters)
		if r.ParentRSSBytes > 0 {
			name += "/parent=" + sizeText(r.ParentRSSBytes)
		}
		for j := range r.Tasks {
			t := &r.Tasks[j]
			if !stats.Counts(t) {
				continue // a failed task measured the failure, not the start
			}
			br := &benchfmt.Result{Config: config, Name: benchfmt.Name(name), Iters: 1, Values: taskValues(t)}
			if err := bw.Write(br); err != nil {
				return err
			}
		}
	}
	return nil
}

// taskValues are a task's figures in benchfmt's base units, sec and B,
// written as such: a value written in ns would be tidied to sec when read
// back, except a 0 (benchfmt leaves a value whose scaling does not change
// it untidied), which would split a unit such as sys-ns/op in two. A null
// figure is left out.
func taskValues(t *results.Task) []benchfmt.Value {
	var vs []benchfmt.Value
	sec := func(ns *int64, unit string) {
		if ns != nil {
			vs = append(vs, benchfmt.Value{Value: float64(*ns) / 1e9, Unit: unit})
		}
	}
	b := func(n *int64, unit string) {
		if n != nil {
			vs = append(vs, benchfmt.Value{Value: float64(*n), Unit: unit})
		}
	}
	sec(&t.TotalNS, "sec/op")
	sec(t.StartupNS, "startup-sec/op")
	sec(&t.RunNS, "run-sec/op")
	sec(t.TaskCPUNS, "task-cpu-sec/op")
	sec(t.UserNS, "user-sec/op")
	sec(t.SysNS, "sys-sec/op")
	b(t.HWMBytes, "hwm-B/op")
	b(t.EndUSSBytes, "end-uss-B/op")
	b(t.PeakPSSBytes, "peak-pss-B/op")
	if t.MinFlt != nil {
		vs = append(vs, benchfmt.Value{Value: float64(*t.MinFlt), Unit: "minflt/op"})
	}
	return vs
}
