package lab

import (
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
	"testing"
)

// A speedup of exactly 1 is a tie, not a win: it neither starts a
// crossover nor continues one; nor does one within PaysOff of 1 (noise). Checked on the n_iters field (the grid
// point); cells from runs with equal walls have a speedup of exactly 1.
func TestCrossoverTies(t *testing.T) {
	cell := func(nt int, ni uint64, speedup float64) results.Cell {
		return results.Cell{NTasks: nt, NIters: ni, Speedup: speedup}
	}
	cases := []struct {
		name  string
		cells []results.Cell
		want  uint64 // 0: no crossover
	}{
		{"ties only", []results.Cell{cell(1, 10, 1), cell(1, 100, 1)}, 0},
		{"a tie at the top", []results.Cell{cell(1, 10, 0.5), cell(1, 100, 1.5), cell(1, 1000, 1)}, 0},
		{"a tie before the wins", []results.Cell{cell(1, 10, 0.5), cell(1, 100, 1), cell(1, 1000, 1.2)}, 1000},
		{"a tie between wins", []results.Cell{cell(1, 10, 1.2), cell(1, 100, 1), cell(1, 1000, 1.3)}, 1000},
		{"just above 1 is noise", []results.Cell{cell(1, 10, 1), cell(1, 100, 1.0000001)}, 0},
		{"within the margin", []results.Cell{cell(1, 10, 0.5), cell(1, 100, stats.PaysOff)}, 0},
		{"just past the margin", []results.Cell{cell(1, 10, 1), cell(1, 100, stats.PaysOff+1e-9)}, 100},
	}
	for _, tc := range cases {
		xs := stats.Crossovers(tc.cells)
		if len(xs) != 1 || xs[0].NTasks != 1 {
			t.Fatalf("%s: %+v", tc.name, xs)
		}
		x := xs[0]
		switch {
		case tc.want == 0 && (x.NIters != nil || x.Speedup != nil):
			t.Errorf("%s: crossover at %d (speedup %v), want none", tc.name, *x.NIters, *x.Speedup)
		case tc.want != 0 && (x.NIters == nil || *x.NIters != tc.want || x.Speedup == nil || *x.Speedup <= 1):
			t.Errorf("%s: crossover %v (speedup %v), want %d", tc.name, x.NIters, x.Speedup, tc.want)
		}
	}

	// Equal medians of single and processes: a speedup of exactly 1, and
	// no crossover.
	run := func(m results.Method, wall int64) results.RunResult {
		return results.RunResult{Method: m, NTasks: 2, NIters: 500, WallNS: wall, Tasks: []results.Task{{ChecksumOK: ptr(true)}}}
	}
	cells := stats.Cells([]results.RunResult{run(results.Single, 4000), run(results.Fork, 4000), run(results.Thread, 2000)}, results.Fork, 2)
	if len(cells) != 1 || cells[0].Speedup != 1 || cells[0].Efficiency != 0.5 || cells[0].ThreadUp != 2 {
		t.Fatalf("cells %+v, want one with speedup 1, efficiency 0.5, thread speedup 2", cells)
	}
	if xs := stats.Crossovers(cells); len(xs) != 1 || xs[0].NIters != nil {
		t.Errorf("crossover of a tie: %+v, want none", xs)
	}
}
