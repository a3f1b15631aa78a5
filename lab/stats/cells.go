package stats

import (
	"math"
	"slices"

	"github.com/proclab/proclab/lab/results"
)

// Cells computes the grid's cells from the runs: for each (n_tasks,
// n_iters) that has runs of all three methods, the median wall per method.
func Cells(runs []results.RunResult, method results.Method, cpus int) []results.Cell {
	type key struct {
		nt int
		ni uint64
	}
	walls := map[key]map[results.Method][]float64{}
	var order []key
	for _, r := range runs {
		k := key{r.NTasks, r.NIters}
		if walls[k] == nil {
			walls[k] = map[results.Method][]float64{}
			order = append(order, k)
		}
		if failed(&r) {
			continue
		}
		walls[k][r.Method] = append(walls[k][r.Method], float64(r.WallNS))
	}
	var cells []results.Cell
	for _, k := range order {
		w := walls[k]
		single, multi, thread := Summarize(w[results.SingleOf(method)]), Summarize(w[method]), Summarize(w[results.ThreadOf(method)])
		if single.N == 0 || multi.N == 0 || thread.N == 0 {
			continue
		}
		c := results.Cell{NIters: k.ni, NTasks: k.nt, Method: method,
			SingleNS: int64(single.Median), MultiNS: int64(multi.Median), ThreadNS: int64(thread.Median),
			Parallelism: min(k.nt, max(cpus, 1)), Rounds: min(single.N, multi.N, thread.N)}
		if c.MultiNS > 0 {
			c.Speedup = single.Median / multi.Median
		}
		if c.ThreadNS > 0 {
			c.ThreadUp = single.Median / thread.Median
		}
		c.Efficiency = c.Speedup / float64(c.Parallelism)
		cells = append(cells, c)
	}
	slices.SortStableFunc(cells, func(a, b results.Cell) int {
		if a.NTasks != b.NTasks {
			return a.NTasks - b.NTasks
		}
		switch {
		case a.NIters < b.NIters:
			return -1
		case a.NIters > b.NIters:
			return 1
		}
		return 0
	})
	return cells
}

// failed reports whether any task of r went wrong: its wall time then
// measures the failure, not the work.
func failed(r *results.RunResult) bool {
	for _, t := range r.Tasks {
		if !t.Good() {
			return true
		}
	}
	return false
}

// Crossovers finds, per n_tasks, where processes start to pay off. Cells
// must be sorted by n_tasks, then n_iters (as Cells returns them).
// PaysOff is the speedup from which on splitting the work counts as paying
// off: within 5% of 1 is a tie, the noise of a shared machine (a single
// task in its own process cannot truly beat the same task in the lab, yet
// measures 1.02× now and then).
const PaysOff = 1.05

func Crossovers(cells []results.Cell) []results.Crossover {
	var out []results.Crossover
	for i := 0; i < len(cells); {
		j := i
		for j < len(cells) && cells[j].NTasks == cells[i].NTasks {
			j++
		}
		x := results.Crossover{NTasks: cells[i].NTasks}
		// Walk down from the largest n_iters while processes still win.
		for k := j - 1; k >= i && cells[k].Speedup > PaysOff; k-- {
			x.NIters, x.Speedup = results.Ptr(cells[k].NIters), results.Ptr(cells[k].Speedup)
		}
		grid := cells[i:j]
		x.NItersEstimate = crossing(grid, func(c *results.Cell) float64 { return c.Speedup })
		x.ThreadNItersEstimate = crossing(grid, func(c *results.Cell) float64 { return c.ThreadUp })
		out = append(out, x)
		i = j
	}
	return out
}

// crossing estimates the n_iters at which a speedup crosses 1 for good:
// the start of the last run of cells (up to the largest n_iters) whose
// speedup is above PaysOff, interpolated between that cell and the one before
// it, linearly in the speedup against log(n_iters) (the grid is
// logarithmic; tasks grow by factors). A speedup of exactly 1 is a tie,
// not a win: its n_iters is where the crossing is. Nil when the speedup is
// not above 1 at the largest n_iters (never, or it crossed and dropped
// back); the smallest n_iters when it is above 1 at every grid point (the
// crossing is there or below, the grid cannot tell).
func crossing(cells []results.Cell, speedup func(*results.Cell) float64) *float64 {
	k := len(cells)
	for k > 0 && speedup(&cells[k-1]) > PaysOff {
		k--
	}
	switch {
	case k == len(cells):
		return nil
	case k == 0:
		return results.Ptr(float64(cells[0].NIters))
	}
	a, b := &cells[k-1], &cells[k]
	sa, sb := speedup(a), speedup(b)
	la, lb := math.Log(float64(a.NIters)), math.Log(float64(b.NIters))
	t := max((1-sa)/(sb-sa), 0) // sa <= PaysOff < sb; sa in (1, PaysOff]: the crossing is at a
	return results.Ptr(math.Exp(la + t*(lb-la)))
}
