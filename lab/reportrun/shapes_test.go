package reportrun

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// Every figure is drawn, without a panic and with its data, whatever the
// shape of the results: one point, one cell of a grid, all values equal,
// a parent size of 0 beside 64 MiB, real live samples.
func TestFiguresOfEveryShape(t *testing.T) {
	run := func(s lab.Spec) func(t *testing.T) *results.Result {
		return func(t *testing.T) *results.Result {
			res, err := lab.Run(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
	}
	cases := []struct {
		name string
		res  func(t *testing.T) *results.Result
		want []string
	}{
		{"one point", run(lab.Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1000, Repeat: 1}), []string{"startup"}},
		{"one cell", func(t *testing.T) *results.Result {
			res, err := lab.Compare(context.Background(), lab.CompareSpec{NIters: []uint64{1000}, NTasks: []int{1}, Repeat: 1})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}, []string{"startup", "speedup"}},
		{"equal values", func(t *testing.T) *results.Result {
			run, _ := smallResults(t)
			return equalFigures(run)
		}, []string{"startup", "parent-rss"}},
		// The parent-memory plot places each size at what the lab really
		// held (ballast + the lab's own footprint), so size 0 has a place.
		{"parent sizes 0 and 64 MiB", run(lab.Spec{Methods: []results.Method{results.Fork, results.Thread}, NTasks: 2, NIters: 1000,
			Repeat: 1, ParentRSS: []int64{0, 64 << 20}}), []string{"startup", "parent-rss"}},
		{"real samples", sampledResult, []string{"startup", "parent-rss", "rss"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := c.res(t)
			figs, err := figuresOrPanic(res)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range figs {
				names = append(names, f.Name)
			}
			if !containsAll(names, c.want) {
				t.Errorf("figures %v, want %v", names, c.want)
			}
			for _, f := range figs {
				checkFigure(t, f)
			}
		})
	}
}

// figuresOrPanic builds and draws every figure of res, turning a panic
// into an error.
func figuresOrPanic(res *results.Result) (figs []report.Figure, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	figs = report.Figures(res)
	for _, f := range figs {
		var b strings.Builder
		if err := f.SVG(&b); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

// equalFigures is a copy of res in which every task has the same times.
func equalFigures(res *results.Result) *results.Result {
	cp := *res
	cp.Runs = append([]results.RunResult(nil), res.Runs...)
	for i := range cp.Runs {
		cp.Runs[i].Tasks = append([]results.Task(nil), cp.Runs[i].Tasks...)
		cp.Runs[i].WallNS = 2_000_000
		for j := range cp.Runs[i].Tasks {
			tk := &cp.Runs[i].Tasks[j]
			if tk.StartupNS != nil {
				tk.StartupNS = ptrTo(int64(500_000))
			}
			tk.TotalNS, tk.RunNS = 1_000_000, 400_000
		}
	}
	return &cp
}

func ptrTo[T any](v T) *T { return &v }
