package report

import (
	"bytes"
	"image"
	"math"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

func ns(v int64) *int64 { return &v }

// oneRun is a Result of one round of method m at each parent size, the
// tasks' startups as given (the same at every size).
func oneRun(m results.Method, sizes []int64, startups ...int64) *results.Result {
	res := &results.Result{Schema: results.Schema, Runs: []results.RunResult{},
		Spec: results.SpecInfo{Methods: []results.Method{m}, NTasks: len(startups), NIters: 1000, Repeat: 1, ParentRSSBytes: sizes}}
	for _, size := range sizes {
		r := results.RunResult{Method: m, NTasks: len(startups), NIters: 1000, ParentRSSBytes: size, WallNS: 2e6,
			LabRSSBytes: size + 17<<20, LabAnonBytes: size + 6<<20, LabVMAs: 119, LabPTEBytes: 200 << 10}
		for i, s := range startups {
			r.Tasks = append(r.Tasks, results.Task{Task: i, PID: 100 + i, StartupNS: ns(s), TotalNS: 2e6, RunNS: 1e6,
				EndRSSBytes: ns(6 << 20), EndPSSBytes: ns(1 << 20), EndUSSBytes: ns(512 << 10), HWMBytes: ns(6 << 20)})
			setChecksumOK(&r.Tasks[i], checksumGood)
		}
		res.Runs = append(res.Runs, r)
	}
	return res
}

// Every renderer draws every shape of data without a panic or an error,
// and every figure it draws decodes. Before, one fork task whose startup
// was under a millisecond panicked in gonum ("Values must be greater than
// 0 for a log scale": a one-value log range was padded to value±1), and
// a log range reaching 0 sent the tick marker into an endless loop.
func TestRenderersEveryShape(t *testing.T) {
	cases := map[string]*results.Result{
		"one fork task under 1ms":        oneRun(results.Fork, []int64{0}, 500_000),
		"one fork task over 1ms":         oneRun(results.Fork, []int64{0}, 1_500_000),
		"equal startups":                 oneRun(results.Fork, []int64{0}, 300_000, 300_000, 300_000),
		"zero startups":                  oneRun(results.Spawn, []int64{0}, 0, 0),
		"one nanosecond and the longest": oneRun(results.Fork, []int64{0}, 1, math.MaxInt64),
		"parent 0 and 64MiB, one task":   oneRun(results.Fork, []int64{0, 64 << 20}, 400_000),
		"parent 4KiB and 8KiB, equal":    oneRun(results.Fork, []int64{4096, 8192}, 400_000),
		"parent 64MiB and 21GiB":         oneRun(results.ForkExec, []int64{64 << 20, 21 << 30}, 1, 2),
		"no tasks":                       oneRun(results.Fork, []int64{0}),
	}
	one := oneRun(results.Fork, []int64{0}, 400_000)
	one.Runs[0].Tasks[0].Samples = []results.Sample{{TNS: 0, RSSBytes: 0}}
	cases["one live sample of zero"] = one
	grid := &results.Result{Schema: results.Schema, Runs: []results.RunResult{},
		Spec: results.SpecInfo{Methods: []results.Method{results.Single, results.Fork, results.Thread}, ParentRSSBytes: []int64{0}, Repeat: 1,
			NTasksGrid: []int{2}, NItersGrid: []uint64{1000}}}
	for _, m := range grid.Spec.Methods {
		r := oneRun(m, []int64{0}, 300_000, 300_000).Runs[0]
		grid.Runs = append(grid.Runs, r)
	}
	grid.Cells = stats.Cells(grid.Runs, results.Fork, 2)
	grid.Crossover = stats.Crossovers(grid.Cells)
	cases["a one-cell grid"] = grid

	for name, res := range cases {
		t.Run(name, func(t *testing.T) {
			if err := renderAll(res, true); err != nil {
				t.Fatal(err)
			}
			for _, f := range Figures(res) {
				var png bytes.Buffer
				if err := f.PNG(&png); err != nil {
					t.Fatal(err)
				}
				if _, _, err := image.Decode(&png); err != nil {
					t.Errorf("%s.png: %v", f.Name, err)
				}
			}
		})
	}
}
