package lab

import (
	"slices"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The summary's figures are the distribution of the tasks' own figures,
// computed here independently (sorting, not Summarize), on real runs.
func TestSummaryFromRealRuns(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Fork, results.Single}, NTasks: 3, NIters: 5000, Repeat: 3})
	if len(res.Summary) != 2 {
		t.Fatalf("summary %+v, want one entry per method", res.Summary)
	}
	for _, e := range res.Summary {
		var startups, totals, walls []int64
		for _, r := range res.Runs {
			if r.Method != e.Method {
				continue
			}
			walls = append(walls, r.WallNS)
			for _, tk := range r.Tasks {
				totals = append(totals, tk.TotalNS)
				if tk.StartupNS != nil {
					startups = append(startups, *tk.StartupNS)
				}
			}
		}
		if e.N != 9 || e.NTasks != 3 || e.NIters != 5000 || e.ParentRSSBytes != 0 {
			t.Errorf("%s: entry %+v", e.Method, e)
		}
		checkDist(t, string(e.Method)+" total", e.Total, totals)
		checkDist(t, string(e.Method)+" wall", e.Wall, walls)
		if e.Method == results.Single {
			if e.Startup != nil {
				t.Errorf("single has a startup summary: %+v", e.Startup)
			}
		} else if e.Startup == nil {
			t.Errorf("fork has no startup summary")
		} else {
			checkDist(t, "fork startup", *e.Startup, startups)
		}
	}
}

func checkDist(t *testing.T, what string, d results.Distribution, xs []int64) {
	t.Helper()
	slices.Sort(xs)
	n := len(xs)
	var sum int64
	for _, x := range xs {
		sum += x
	}
	median := xs[n/2]
	if n%2 == 0 {
		median = (xs[n/2-1] + xs[n/2]) / 2
	}
	near := func(a, b int64) bool { return a-b <= 1 && b-a <= 1 }
	if d.N != n || d.MinNS != xs[0] || d.MaxNS != xs[n-1] || !near(d.MedianNS, median) || !near(d.MeanNS, sum/int64(n)) {
		t.Errorf("%s: %+v, want n %d min %d max %d median %d mean %d", what, d, n, xs[0], xs[n-1], median, sum/int64(n))
	}
	if d.P10NS < d.MinNS || d.P10NS > d.MedianNS || d.P90NS < d.MedianNS || d.P90NS > d.MaxNS || d.StddevNS < 0 {
		t.Errorf("%s: quantiles out of order: %+v", what, d)
	}
}
