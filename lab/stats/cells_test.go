package stats

import (
	"math"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// grid is one n_tasks' cells at n_iters 1k, 10k, 100k, ... with the given
// process and thread speedups.
func grid(speedups, threadUps []float64) []results.Cell {
	var cells []results.Cell
	ni := uint64(1000)
	for i, s := range speedups {
		cells = append(cells, results.Cell{NTasks: 2, NIters: ni, Speedup: s, ThreadUp: threadUps[i]})
		ni *= 10
	}
	return cells
}

// The crossing is interpolated between grid points on log(n_iters): the
// issue's case, 0.75× at 1M and 1.77× at 10M, crosses near 1.76M, not at
// 10M; threads get their own estimate.
func TestCrossoverEstimates(t *testing.T) {
	at := func(x float64) *float64 { return &x }
	cases := []struct {
		name             string
		speedups, thread []float64
		want, wantThread *float64
	}{
		{"the issue's grid", []float64{0.1, 0.2, 0.4, 0.75, 1.77}, []float64{0.5, 0.9, 1.1, 1.5, 1.9},
			at(math.Pow(10, 6+0.25/1.02)), at(math.Pow(10, 4+0.1/0.2))},
		{"a tie at exactly 1 is where it crosses", []float64{0.5, 1, 2}, []float64{1, 1, 1},
			at(10_000), nil},
		{"ending on a tie never crosses", []float64{0.5, 0.9, 1}, []float64{0.5, 1, 1.2},
			nil, at(10_000)},
		{"never", []float64{0.1, 0.5, 0.9}, []float64{0.1, 0.2, 0.3}, nil, nil},
		{"crossing then dropping", []float64{0.5, 1.5, 0.8}, []float64{0.5, 1.5, 0.8}, nil, nil},
		{"dropping then crossing again", []float64{0.5, 2, 0.5, 1.5}, []float64{2, 2, 2, 2},
			at(math.Pow(10, 5+0.5)), at(1000)},
		{"above 1 everywhere: the smallest n_iters", []float64{1.2, 1.5}, []float64{1.01, 3}, at(1000), at(1000)},
		{"one cell below", []float64{0.9}, []float64{1.1}, nil, at(1000)},
		// The bias: speedups 0.9, 1.04 and 1.3 cross 1 between
		// the first two grid points, near 52k, not at 100k (1.04 is a tie,
		// not a loss).
		{"a tie above 1 after the crossing", []float64{0.5, 0.9, 1.04, 1.3}, []float64{1, 1, 1, 1},
			at(math.Pow(10, 4+0.1/0.14)), nil},
	}
	for _, c := range cases {
		xs := Crossovers(grid(c.speedups, c.thread))
		if len(xs) != 1 {
			t.Fatalf("%s: %d crossovers", c.name, len(xs))
		}
		x := xs[0]
		check := func(what string, got, want *float64) {
			switch {
			case got == nil && want == nil:
			case got == nil || want == nil:
				t.Errorf("%s: %s %v, want %v", c.name, what, show(got), show(want))
			case math.Abs(*got-*want) > 1e-6**want:
				t.Errorf("%s: %s %.6g, want %.6g", c.name, what, *got, *want)
			}
		}
		check("n_iters_estimate", x.NItersEstimate, c.want)
		check("thread_n_iters_estimate", x.ThreadNItersEstimate, c.wantThread)
		// The estimate lies at or below the grid's crossover point.
		if x.NIters != nil && (x.NItersEstimate == nil || *x.NItersEstimate > float64(*x.NIters)) {
			t.Errorf("%s: estimate %v beyond the crossover at %d", c.name, show(x.NItersEstimate), *x.NIters)
		}
		// Where processes win clearly somewhere up to the top, the speedup
		// crosses 1 for good at or below it.
		if x.NIters != nil && x.NItersEstimate == nil {
			t.Errorf("%s: crossover %v but no estimate", c.name, *x.NIters)
		}
	}
}

func show(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

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
		{"within the margin", []results.Cell{cell(1, 10, 0.5), cell(1, 100, PaysOff)}, 0},
		{"just past the margin", []results.Cell{cell(1, 10, 1), cell(1, 100, PaysOff+1e-9)}, 100},
	}
	for _, tc := range cases {
		xs := Crossovers(tc.cells)
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
		return results.RunResult{Method: m, NTasks: 2, NIters: 500, WallNS: wall,
			Tasks: []results.Task{{ChecksumOK: results.Ptr(true)}, {Task: 1, ChecksumOK: results.Ptr(true)}}}
	}
	cells := Cells([]results.RunResult{run(results.Single, 4000), run(results.Fork, 4000), run(results.Thread, 2000)}, results.Fork, 2)
	if len(cells) != 1 || cells[0].Speedup != 1 || cells[0].Efficiency != 0.5 || cells[0].ThreadUp != 2 {
		t.Fatalf("cells %+v, want one with speedup 1, efficiency 0.5, thread speedup 2", cells)
	}
	if xs := Crossovers(cells); len(xs) != 1 || xs[0].NIters != nil || len(xs[0].Ties) != 1 || xs[0].Ties[0] != 500 {
		t.Errorf("crossover of a tie: %+v, want none, and the tie at 500", xs)
	}
}

// The crossover is where processes win from then on, not a lucky cell.
func TestCrossovers(t *testing.T) {
	cell := func(nt int, ni uint64, speedup float64) results.Cell {
		return results.Cell{NTasks: nt, NIters: ni, Speedup: speedup}
	}
	cells := []results.Cell{
		cell(1, 10, 0.1), cell(1, 100, 0.5), cell(1, 1000, 0.9),
		cell(2, 10, 0.1), cell(2, 100, 1.2), cell(2, 1000, 0.9), cell(2, 10000, 1.5),
		cell(3, 10, 1.1), cell(3, 100, 1.6),
	}
	xs := Crossovers(cells)
	if len(xs) != 3 {
		t.Fatalf("%+v", xs)
	}
	if xs[0].NIters != nil {
		t.Errorf("1 task: crossover %d, want none", *xs[0].NIters)
	}
	if xs[1].NIters == nil || *xs[1].NIters != 10000 || *xs[1].Speedup != 1.5 {
		t.Errorf("2 tasks: %+v, want 10000 (the win at 100 does not last)", xs[1])
	}
	if xs[2].NIters == nil || *xs[2].NIters != 10 {
		t.Errorf("3 tasks: %+v, want 10", xs[2])
	}
}

// The model of where processes would pay off beyond the grid: cells made
// from known costs (2.5 ns per iteration and task, 4 ms to start the
// processes, 90 µs the threads) give back those costs and the n_iters
// where the work saved equals the start cost; one task, or one CPU, can
// save nothing.
func TestCrossoverModel(t *testing.T) {
	const perIter, start, threadStart = 2.5, 4e6, 9e4
	mk := func(nt, par int) []results.Cell {
		rounds := (nt + par - 1) / par
		var cells []results.Cell
		for _, ni := range []uint64{1000, 10000, 100000} {
			work := perIter * float64(ni)
			single := float64(nt) * work
			multi := start + float64(rounds)*work
			thread := threadStart + float64(rounds)*work
			cells = append(cells, results.Cell{NTasks: nt, NIters: ni, Parallelism: par,
				SingleNS: int64(single), MultiNS: int64(multi), ThreadNS: int64(thread),
				Speedup: single / multi, ThreadUp: single / thread})
		}
		return cells
	}
	near := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-6*want+1 {
			t.Errorf("%s = %v, want %.6g", what, show(got), want)
		}
	}
	for _, c := range []struct{ nt, par int }{{2, 2}, {3, 2}, {4, 2}, {8, 4}} {
		xs := Crossovers(mk(c.nt, c.par))
		if len(xs) != 1 {
			t.Fatalf("%d crossovers", len(xs))
		}
		x := xs[0]
		saved := float64(c.nt - (c.nt+c.par-1)/c.par)
		near("per_iter_ns", x.PerIterNS, perIter)
		near("start_ns", x.StartNS, start)
		near("thread_start_ns", x.ThreadStartNS, threadStart)
		near("n_iters_model", x.NItersModel, start/(perIter*saved))
		near("thread_n_iters_model", x.ThreadNItersModel, threadStart/(perIter*saved))
		// The model's n_iters is where the modelled walls meet.
		n := *x.NItersModel
		if single, multi := float64(c.nt)*perIter*n, start+float64((c.nt+c.par-1)/c.par)*perIter*n; math.Abs(single-multi) > 1e-6*single {
			t.Errorf("%d tasks on %d CPUs: at the model's n_iters %.0f single %.0f ≠ multi %.0f", c.nt, c.par, n, single, multi)
		}
	}
	for _, c := range []struct{ nt, par int }{{1, 1}, {1, 2}, {3, 1}} {
		x := Crossovers(mk(c.nt, c.par))[0]
		if x.NItersModel != nil || x.ThreadNItersModel != nil {
			t.Errorf("%d tasks on %d CPUs: a model crossing %v/%v where nothing can be saved", c.nt, c.par, show(x.NItersModel), show(x.ThreadNItersModel))
		}
		near("start_ns", x.StartNS, start)
	}
}
