package stats

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/proclab/proclab/lab/results"
)

// Cells computes a compare grid's cells from its runs: for each (n_tasks,
// n_iters) that has counting walls of all three ways (single, the process
// method, threads), the median wall of each, the speedups and the
// efficiency.
func Cells(runs []results.RunResult, method results.Method, cpus int) []results.Cell {
	gs := GroupRuns(runs)
	type point struct {
		nt int
		ni uint64
	}
	var order []point
	seen := map[point]bool{}
	for _, g := range gs {
		p := point{g.NTasks, g.NIters}
		if !seen[p] {
			seen[p] = true
			order = append(order, p)
		}
	}
	find := func(m results.Method, p point) *Group {
		for i := range gs {
			if g := &gs[i]; g.Method == m && g.NTasks == p.nt && g.NIters == p.ni {
				return g
			}
		}
		return nil
	}
	wall := func(m results.Method, p point) Summary {
		if g := find(m, p); g != nil {
			return Summarize(Walls(g.Runs))
		}
		return Summary{}
	}
	var cells []results.Cell
	for _, p := range order {
		single, multi, thread := wall(results.SingleOf(method), p), wall(method, p), wall(results.ThreadOf(method), p)
		if single.N == 0 || multi.N == 0 || thread.N == 0 {
			continue
		}
		c := results.Cell{NIters: p.ni, NTasks: p.nt, Method: method,
			SingleNS: int64(math.Round(single.Median)), MultiNS: int64(math.Round(multi.Median)), ThreadNS: int64(math.Round(thread.Median)),
			Parallelism: min(p.nt, max(cpus, 1)), Rounds: min(single.N, multi.N, thread.N)}
		c.Speedup = Ratio(single.Median, multi.Median)
		c.ThreadUp = Ratio(single.Median, thread.Median)
		c.Efficiency = c.Speedup / float64(c.Parallelism)
		var notes []string
		for _, m := range []results.Method{results.SingleOf(method), method, results.ThreadOf(method)} {
			if g := find(m, p); g != nil {
				if ct := ContentionOf(m, g.Runs, p.nt, cpus); ct.Contended {
					notes = append(notes, fmt.Sprintf("%s's loops got %.0f%% of a CPU (%.0f%% possible)", m, 100*ct.Share, 100*ct.Expected))
				}
			}
		}
		c.Suspect = suspect(c, notes)
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

// suspect says why a cell's figures cannot be taken as this machine's:
// a speedup beyond what min(n_tasks, CPUs) allows (more than PaysOff
// over it: the one process was slowed, not the processes sped up), or
// loops that got too little CPU (notes); "" for a cell to trust.
func suspect(c results.Cell, notes []string) string {
	limit := PaysOff * float64(c.Parallelism)
	if c.Speedup > limit {
		notes = append([]string{fmt.Sprintf("processes' speedup %.2f× is more than the %d× that min(n_tasks, CPUs) allows", c.Speedup, c.Parallelism)}, notes...)
	}
	if c.ThreadUp > limit {
		notes = append(notes, fmt.Sprintf("threads' speedup %.2f× is more than the %d× that min(n_tasks, CPUs) allows", c.ThreadUp, c.Parallelism))
	}
	return strings.Join(notes, "; ")
}

// PaysOff is the speedup from which on splitting the work counts as paying
// off clearly: within 5% of 1 either way is a tie, the noise of a shared
// machine (a single task in its own process cannot truly beat the same
// task in the lab, yet measures 1.02× now and then).
const PaysOff = 1.05

// Tie reports whether speedup s is too close to 1 to call a win or a loss.
func Tie(s float64) bool { return s >= 1/PaysOff && s <= PaysOff }

// Crossovers finds, per n_tasks, where processes start to pay off. Cells
// must be sorted by n_tasks, then n_iters (as Cells returns them).
func Crossovers(cells []results.Cell) []results.Crossover {
	var out []results.Crossover
	for i := 0; i < len(cells); {
		j := i
		for j < len(cells) && cells[j].NTasks == cells[i].NTasks {
			j++
		}
		grid := cells[i:j]
		x := results.Crossover{NTasks: cells[i].NTasks}
		// The smallest n_iters from which on processes win clearly, up to
		// the largest.
		for k := len(grid) - 1; k >= 0 && grid[k].Speedup > PaysOff; k-- {
			x.NIters, x.Speedup = results.Ptr(grid[k].NIters), results.Ptr(grid[k].Speedup)
		}
		x.NItersEstimate = Crossing(grid, func(c *results.Cell) float64 { return c.Speedup })
		x.ThreadNItersEstimate = Crossing(grid, func(c *results.Cell) float64 { return c.ThreadUp })
		for _, c := range grid {
			if Tie(c.Speedup) {
				x.Ties = append(x.Ties, c.NIters)
			}
		}
		model(&x, grid)
		out = append(out, x)
		i = j
	}
	return out
}

// model fills x's model of where processes and threads would pay off
// (see results.Crossover): the per-iteration cost from one process at the
// largest n_iters, the start cost as the median over the grid of the wall
// less the work done one task after another on each CPU, and the n_iters
// where the work saved exceeds the start cost.
func model(x *results.Crossover, grid []results.Cell) {
	if len(grid) == 0 {
		return
	}
	big := grid[len(grid)-1]
	if big.NIters == 0 || big.SingleNS <= 0 || big.NTasks <= 0 || big.Parallelism <= 0 {
		return
	}
	perIter := float64(big.SingleNS) / float64(big.NTasks) / float64(big.NIters)
	x.PerIterNS = results.Ptr(perIter)
	rounds := (big.NTasks + big.Parallelism - 1) / big.Parallelism // tasks one after another on a CPU
	saved := float64(big.NTasks - rounds)                          // tasks' work saved per iteration
	start := func(wall func(*results.Cell) int64) (*float64, *float64) {
		var xs []float64
		for k := range grid {
			xs = append(xs, float64(wall(&grid[k]))-float64(rounds)*perIter*float64(grid[k].NIters))
		}
		s := Median(xs)
		if saved <= 0 || s <= 0 {
			return results.Ptr(s), nil
		}
		return results.Ptr(s), results.Ptr(s / (perIter * saved))
	}
	x.StartNS, x.NItersModel = start(func(c *results.Cell) int64 { return c.MultiNS })
	x.ThreadStartNS, x.ThreadNItersModel = start(func(c *results.Cell) int64 { return c.ThreadNS })
}

// Crossing estimates the n_iters at which a speedup crosses 1 for good: it
// takes the last cell whose speedup is not above 1 and the one after it
// (above 1, as is every later cell) and interpolates between them,
// linearly in the speedup against log(n_iters) (the grid is logarithmic).
// Nil when the speedup is not above 1 at the largest n_iters (never, or it
// crossed and dropped back); the smallest n_iters when it is above 1 at
// every grid point (the crossing is there or below; the grid cannot tell).
func Crossing(cells []results.Cell, speedup func(*results.Cell) float64) *float64 {
	k := len(cells)
	for k > 0 && speedup(&cells[k-1]) > 1 {
		k--
	}
	switch {
	case k == len(cells):
		return nil
	case k == 0:
		return results.Ptr(float64(cells[0].NIters))
	}
	a, b := &cells[k-1], &cells[k]
	sa, sb := speedup(a), speedup(b) // sa <= 1 < sb
	la, lb := math.Log(float64(a.NIters)), math.Log(float64(b.NIters))
	t := (1 - sa) / (sb - sa)
	return results.Ptr(math.Exp(la + t*(lb-la)))
}

// CellAt is the cell of (n_tasks, n_iters), if the grid has it.
func CellAt(cells []results.Cell, nTasks int, nIters uint64) (results.Cell, bool) {
	for _, c := range cells {
		if c.NTasks == nTasks && c.NIters == nIters {
			return c, true
		}
	}
	return results.Cell{}, false
}

// LargestCell is the cell with the largest n_iters and, of those, the most
// tasks; SmallestCell the smallest n_iters with the most tasks.
func LargestCell(cells []results.Cell) results.Cell {
	if len(cells) == 0 {
		return results.Cell{}
	}
	big := cells[0]
	for _, c := range cells {
		if c.NIters > big.NIters || c.NIters == big.NIters && c.NTasks > big.NTasks {
			big = c
		}
	}
	return big
}

// SmallestCell: see LargestCell.
func SmallestCell(cells []results.Cell) results.Cell {
	if len(cells) == 0 {
		return results.Cell{}
	}
	small := cells[0]
	for _, c := range cells {
		if c.NIters < small.NIters || c.NIters == small.NIters && c.NTasks > small.NTasks {
			small = c
		}
	}
	return small
}

// BestSpeedup is the largest speedup of processes in the grid at nTasks.
func BestSpeedup(cells []results.Cell, nTasks int) float64 {
	best := 0.0
	for _, c := range cells {
		if c.NTasks == nTasks {
			best = max(best, c.Speedup)
		}
	}
	return best
}

// PerTaskSingle is a cell's single time per task: one process running the
// cell's n_tasks tasks one after another, divided by n_tasks.
func PerTaskSingle(c results.Cell) float64 {
	if c.NTasks <= 0 {
		return 0
	}
	return float64(c.SingleNS) / float64(c.NTasks)
}
