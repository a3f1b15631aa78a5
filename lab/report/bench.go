package report

import (
	"fmt"
	"io"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/proclab/proclab/lab"
)

// Bench writes bench.txt in the Go benchmark format, so that
// `benchstat a/bench.txt b/bench.txt` compares two machines or kernels.
// The host metadata becomes configuration lines; each task that ended well
// is one result line (an "op" is one task):
//
//	BenchmarkStart/method=fork/tasks=4/iters=10000000  1  1.5e+08 ns/op  291000 startup-ns/op ...
//
// A run with a parent ballast adds /parent=SIZE to the name.
func Bench(w io.Writer, res *lab.Result) error {
	bw := benchfmt.NewWriter(w)
	var config []benchfmt.Config
	for _, kv := range hostConfig(res) {
		config = append(config, benchfmt.Config{Key: kv.key, Value: []byte(kv.value), File: true})
	}
	for _, r := range res.Runs {
		name := fmt.Sprintf("Start/method=%s/tasks=%d/iters=%d", r.Method, r.NTasks, r.NIters)
		if r.ParentRSSBytes > 0 {
			name += "/parent=" + sizeText(r.ParentRSSBytes)
		}
		for _, t := range r.Tasks {
			if t.Error != "" || !t.ChecksumOK {
				continue // a failed task measured the failure, not the start
			}
			br := &benchfmt.Result{Config: config, Name: benchfmt.Name(name), Iters: 1, Values: taskValues(&t)}
			if err := bw.Write(br); err != nil {
				return err
			}
		}
	}
	return nil
}

// taskValues are a task's figures in the units benchstat knows: time in
// ns (tidied to sec by the reader), memory in B.
func taskValues(t *lab.Task) []benchfmt.Value {
	var vs []benchfmt.Value
	add := func(v float64, unit string) {
		tv, tu := benchunit.Tidy(v, unit)
		vs = append(vs, benchfmt.Value{Value: tv, Unit: tu, OrigValue: v, OrigUnit: unit})
	}
	add(float64(t.TotalNS), "ns/op")
	if t.StartupNS != nil {
		add(float64(*t.StartupNS), "startup-ns/op")
	}
	add(float64(t.RunNS), "run-ns/op")
	add(float64(t.UserNS), "user-ns/op")
	add(float64(t.SysNS), "sys-ns/op")
	if t.MaxRSSBytes != nil {
		add(float64(*t.MaxRSSBytes), "max-rss-B/op")
	}
	if t.PeakPSSBytes != nil {
		add(float64(*t.PeakPSSBytes), "peak-pss-B/op")
	}
	add(float64(t.MinFlt), "minflt/op")
	return vs
}
