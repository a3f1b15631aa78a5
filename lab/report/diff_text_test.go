package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// diffRuns is one fork run per startup value, one task each.
func diffRuns(startups ...int64) *results.Result {
	res := &results.Result{Schema: results.Schema}
	for i, s := range startups {
		v := s
		res.Runs = append(res.Runs, results.RunResult{Method: results.Fork, Round: i, NTasks: 1, NIters: 1000, WallNS: 2 * s,
			Tasks: []results.Task{{StartupNS: &v, TotalNS: 2 * s}}})
	}
	return res
}

// With 5 runs benchmath has no 95% interval of the median: diff prints
// ±∞ and says why, as benchstat does; with 10 it prints the interval.
func TestDiffInfiniteInterval(t *testing.T) {
	in := func(name string, res *results.Result) stats.DiffInput {
		return stats.DiffInput{Name: name, Parts: []results.Part{{Name: ".", Res: res}}}
	}
	text := func(a, b *results.Result) string {
		var buf bytes.Buffer
		if err := DiffText(&buf, stats.Diff([]stats.DiffInput{in("a", a), in("b", b)}, 0.05), TermOptions{Width: 80}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	few := text(diffRuns(100e3, 101e3, 102e3, 103e3, 104e3), diffRuns(200e3, 202e3, 204e3, 206e3, 208e3))
	if !strings.Contains(few, "102µs ±∞") || !strings.Contains(few, "±∞: too few runs for a 95% interval of the median") {
		t.Errorf("5 runs:\n%s", few)
	}
	many := text(diffRuns(100e3, 101e3, 102e3, 103e3, 104e3, 105e3, 106e3, 107e3, 108e3, 109e3),
		diffRuns(200e3, 202e3, 204e3, 206e3, 208e3, 210e3, 212e3, 214e3, 216e3, 218e3))
	if strings.Contains(many, "∞") || !strings.Contains(many, "µs ±") {
		t.Errorf("10 runs:\n%s", many)
	}
}
