package lab

import (
	"context"
	"errors"
	"fmt"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
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
				// The machine and the helpers are read per cell; the grid
				// keeps the first cell's (the host before any measurement).
				if res.Host == nil {
					res.Host = r.Host
				}
				if res.Python == nil {
					res.Python = r.Python
				}
				if res.Forkserver == nil {
					res.Forkserver = r.Forkserver
				}
				res.Sampler = addSampler(res.Sampler, r.Sampler)
				res.LabPeakRSSBytes = max(res.LabPeakRSSBytes, r.LabPeakRSSBytes)
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
	res.Cells = stats.Cells(res.Runs, spec.method(), spec.cpus())
	res.Crossover = stats.Crossovers(res.Cells)
	res.Summary = stats.Summaries(res)
}

// addSampler sums what live sampling cost over the cells of a grid.
func addSampler(sum, s *results.SamplerStats) *results.SamplerStats {
	if s == nil {
		return sum
	}
	if sum == nil {
		c := *s
		return &c
	}
	sum.Samples += s.Samples
	sum.Skipped += s.Skipped
	sum.CPUNS += s.CPUNS
	sum.ChildCPUNS += s.ChildCPUNS
	sum.Overhead = 0
	if sum.ChildCPUNS > 0 {
		sum.Overhead = float64(sum.CPUNS) / float64(sum.ChildCPUNS)
	}
	return sum
}
