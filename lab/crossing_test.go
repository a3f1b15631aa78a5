package lab

import (
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
	"math"
	"testing"
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
	}
	for _, c := range cases {
		xs := stats.Crossovers(grid(c.speedups, c.thread))
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
		if (x.NIters == nil) != (x.NItersEstimate == nil) {
			t.Errorf("%s: crossover %v but estimate %v", c.name, x.NIters, show(x.NItersEstimate))
		}
	}
}

func show(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}
