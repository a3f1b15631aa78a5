package lab

import (
	"context"
	"errors"
	"fmt"
	"github.com/proclab/proclab/lab/results"
	"math"
	"runtime"
	"slices"
)

// CompareSpec is the tutorial's grid: for every n_tasks and n_iters, the
// tasks run one after another in the lab (single), in n_tasks processes
// (Method), and in n_tasks goroutines (thread), interleaved round by round.
type CompareSpec struct {
	NIters []uint64       // hot-loop iterations per task, one cell each; >= 1
	NTasks []int          // tasks per run, one cell each; >= 1
	Method results.Method // the process method; "" means fork
	Repeat int            // recorded rounds per cell; 0 means 1
	Warmup int            // unrecorded rounds per cell, run first
	CPUs   int            // CPUs the parallel efficiency counts; 0 means runtime.NumCPU()
	// InheritLabHeap lets fork children inherit the lab's Go heap
	// (labheap.go); false keeps it out.
	InheritLabHeap bool

	// Progress, if set, is called after each run with runs done and total
	// over the whole grid.
	Progress func(done, total int)
}

func (s *CompareSpec) method() results.Method {
	if s.Method == "" {
		return results.Fork
	}
	return s.Method
}

func (s *CompareSpec) cpus() int {
	if s.CPUs > 0 {
		return s.CPUs
	}
	return runtime.NumCPU()
}

// Validate reports the first problem with s as a plain sentence.
func (s *CompareSpec) Validate() error {
	switch {
	case len(s.NIters) == 0:
		return errors.New("--n-iters needs at least one value")
	case len(s.NTasks) == 0:
		return errors.New("--n-tasks needs at least one value")
	case !s.method().Valid():
		return fmt.Errorf("unknown method %q", s.Method)
	case !s.method().CreatesProcess():
		return fmt.Errorf("--method %s starts no process; compare needs a process method (%s)", s.Method, processMethodNames())
	}
	for _, n := range s.NTasks {
		cell := &Spec{Methods: []results.Method{s.method(), results.ThreadOf(s.method())}, NTasks: n, NIters: 1, Repeat: s.Repeat, Warmup: s.Warmup, InheritLabHeap: s.InheritLabHeap}
		if err := cell.Validate(); err != nil {
			return err
		}
		if err := cell.CheckSystem(); err != nil {
			return err
		}
	}
	for _, n := range s.NIters {
		if n < 1 {
			return fmt.Errorf("--n-iters must be at least 1, got %d", n)
		}
	}
	return nil
}

func processMethodNames() string {
	var out []string
	for _, m := range results.Methods {
		if m.CreatesProcess() {
			out = append(out, string(m))
		}
	}
	return fmt.Sprint(out)
}

// Compare runs the grid of spec, n_tasks by n_tasks and, within, n_iters
// from small to large, one Run per cell with the methods single, the
// process method and thread interleaved. The Result holds every run of
// every cell, the cells and the crossovers. On cancellation it returns
// what was measured so far, marked Incomplete, with ctx's error.
func Compare(ctx context.Context, spec CompareSpec) (*results.Result, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	iters := slices.Clone(spec.NIters)
	slices.Sort(iters)
	iters = slices.Compact(iters)
	tasks := slices.Clone(spec.NTasks)
	slices.Sort(tasks)
	tasks = slices.Compact(tasks)

	methods := []results.Method{results.SingleOf(spec.method()), spec.method(), results.ThreadOf(spec.method())}
	res := &results.Result{Schema: results.Schema, Runs: []results.RunResult{}}
	perCell := (spec.Warmup + max(spec.Repeat, 1)) * len(methods)
	total := perCell * len(iters) * len(tasks)
	done := 0
	for _, nt := range tasks {
		for _, ni := range iters {
			cs := Spec{Methods: methods, NTasks: nt, NIters: ni, Repeat: spec.Repeat, Warmup: spec.Warmup, InheritLabHeap: spec.InheritLabHeap}
			base := done
			if spec.Progress != nil {
				cs.Progress = func(d, _ int) { spec.Progress(base+d, total) }
			}
			r, err := Run(ctx, cs)
			done = base + perCell
			if r != nil {
				res.Binary, res.BinaryBuildID, res.BinaryLinking = r.Binary, r.BinaryBuildID, r.BinaryLinking
				res.Spec = r.Spec
				res.Runs = append(res.Runs, r.Runs...)
				for _, w := range r.Warnings {
					res.Warnings = append(res.Warnings, fmt.Sprintf("n_tasks=%d n_iters=%d: %s", nt, ni, w))
				}
			}
			if err != nil {
				res.Incomplete = r != nil && r.Incomplete || ctx.Err() != nil
				finishComparison(res, spec, iters, tasks)
				return res, err
			}
		}
	}
	finishComparison(res, spec, iters, tasks)
	return res, nil
}

// finishComparison fills the spec, the cells and the crossovers of res
// from its runs.
func finishComparison(res *results.Result, spec CompareSpec, iters []uint64, tasks []int) {
	res.Spec.NTasks, res.Spec.NIters = 0, 0
	res.Spec.NTasksGrid, res.Spec.NItersGrid = tasks, iters
	res.Cells = Cells(res.Runs, spec.method(), spec.cpus())
	res.Crossover = Crossovers(res.Cells)
	res.Summary = Summaries(res)
}

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
			x.NIters, x.Speedup = ptr(cells[k].NIters), ptr(cells[k].Speedup)
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
		return ptr(float64(cells[0].NIters))
	}
	a, b := &cells[k-1], &cells[k]
	sa, sb := speedup(a), speedup(b)
	la, lb := math.Log(float64(a.NIters)), math.Log(float64(b.NIters))
	t := max((1-sa)/(sb-sa), 0) // sa <= PaysOff < sb; sa in (1, PaysOff]: the crossing is at a
	return ptr(math.Exp(la + t*(lb-la)))
}
