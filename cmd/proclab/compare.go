package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// compareFlags are the flags of `proclab compare`.
type compareFlags struct {
	nIters      []uint64
	nTasks      *countList
	tasks       []uint64
	methods     []results.Method
	repeat      int
	warmup      int
	json        bool
	inheritHeap bool
	out         string
	term        termFlags
	trustOut    bool
}

func newCompareCmd(stdout, stderr io.Writer) *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare [flags]",
		Short: "Single process against processes against threads, over a grid of n_iters and n_tasks",
		Long: `compare runs the tutorial's grid: for every n_tasks and n_iters, the tasks
run one after another in one process (single), in n_tasks processes (the
method, fork by default) and in n_tasks goroutines (thread), interleaved and
repeated. It prints per cell the median time of each, the speedup of the
processes over single and their parallel efficiency (speedup over
min(n_tasks, CPUs)), and, per n_tasks, the crossover: the smallest n_iters
from which on processes beat one process.`,
		Example: `  proclab compare --n_iters 1000 10000 --n_tasks 1 2 3 4
  proclab compare --n-iters 1000,10000,1000000,100000000 --n-tasks 1,2,3,4
  proclab compare --n_iters 1000,1e6 --n_tasks 2 --method spawn --json --out results/cmp`,
		Args:          usageArgs(cobra.NoArgs),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := f.spec()
			if err != nil {
				return usageError{err}
			}
			if f.out != "" {
				release, err := checkOutDir(f.out, f.trustOut)
				if err != nil {
					return err
				}
				defer release()
			}
			bar := newProgress(stderr)
			spec.Progress = bar.update()
			res, runErr := lab.Compare(cmd.Context(), spec)
			bar.finish()
			if res == nil {
				return runErr // the spec was validated above: this is a failure of the machine, not of the input
			}
			text := func(w io.Writer, r *results.Result) error { return report.CompareText(w, r, f.term.options(w)) }
			return emit(stdout, stderr, res, f.json, text, f.out, runErr)
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	fl := cmd.Flags()
	fl.Var(newCountList(&f.nIters, []uint64{1000, 10000, 1000000, 100000000}, math.MaxUint64), "n-iters", "hot-loop iterations per task, one cell each: a list (1000,1e6 or 1000 1e6 or repeated)")
	f.nTasks = newCountList(&f.tasks, []uint64{1, 2, 3, 4}, lab.MaxNTasks)
	fl.Var(f.nTasks, "n-tasks", "tasks per run, one cell each: a list (1,2 or 1 2 or repeated)")
	fl.Var(newMethodList(&f.methods, results.Fork), "method", "the process method set against single and thread (one)")
	fl.Var(newInt(&f.repeat, 5, true), "repeat", "recorded rounds per cell")
	fl.Var(newInt(&f.warmup, 1, true), "warmup", "rounds per cell run first and not recorded")
	addForkLabHeapFlag(fl, &f.inheritHeap)
	fl.BoolVar(&f.json, "json", false, "write the results (with a top-level cells array) as one JSON document to stdout")
	f.term.registerWide(fl)
	addOutFlags(fl, &f.out, &f.trustOut)
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}

func (f *compareFlags) spec() (lab.CompareSpec, error) {
	if f.repeat < 1 {
		return lab.CompareSpec{}, fmt.Errorf("--repeat must be at least 1, got %d", f.repeat)
	}
	if len(f.methods) != 1 {
		return lab.CompareSpec{}, fmt.Errorf("compare sets one process method against single and thread, got %d (%s); run compare once per method",
			len(f.methods), (&methodList{p: &f.methods}).String())
	}
	s := lab.CompareSpec{NIters: f.nIters, NTasks: f.nTasks.ints(), Method: f.methods[0],
		Repeat: f.repeat, Warmup: f.warmup, InheritLabHeap: f.inheritHeap}
	return s, s.Validate()
}
