package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// newCalibrateCmd is `proclab calibrate`: the machine's floor in C, and how
// far above it each of proclab's methods sits.
func newCalibrateCmd(stdout io.Writer) *cobra.Command {
	var tf termFlags
	var (
		n           int
		warmup      int
		methods     []results.Method
		jsonOut     bool
		inheritHeap bool
		rates       []uint64
	)
	rateList := newCountList(&rates, nil, lab.MaxNTasks)
	cmd := &cobra.Command{
		Use:   "calibrate",
		Short: "Measure this machine's floor for creating a process and proclab's overhead above it",
		Long: `calibrate measures the machine's floor in C with no Go in the loop (tight
fork + _exit + wait4, fork + execve and posix_spawn of the smallest static
program, and for context vfork, /bin/true and proclab's own image), then runs
proclab's process methods on a near-empty task (n_tasks 1, n_iters 1),
interleaved with the floor round by round, and reports each method's medians
as a ratio over its floor, with a verdict against the goals (fork startup
and total per fork task within ` + goalText() + ` of their floor).`,
		Example: `  proclab calibrate
  proclab calibrate --n 1000 --json
  proclab calibrate --method fork --rate-tasks 100,1000,10000`,
		Args:          usageArgs(cobra.NoArgs),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tf.check(); err != nil {
				return usageError{err}
			}
			if n < 1 {
				return usageError{fmt.Errorf("--n must be at least 1, got %d", n)}
			}
			if warmup < 0 {
				return usageError{fmt.Errorf("--warmup must be 0 or more, got %d", warmup)}
			}
			if err := lab.CheckTempDir(); err != nil {
				return usageError{err}
			}
			cal, err := lab.Calibrate(cmd.Context(), lab.CalibrateSpec{Rounds: n, Warmup: warmup, Methods: methods, RateTasks: rateList.ints(), InheritLabHeap: inheritHeap})
			if cal == nil {
				return usageError{err}
			}
			if fixed := results.ClearNonFinite(cal); len(fixed) > 0 {
				cal.Warnings = append(cal.Warnings, "not a finite number, written as null or 0: "+strings.Join(fixed, ", "))
			}
			var werr error
			if jsonOut {
				werr = report.CalibrationJSON(stdout, cal)
			} else {
				werr = report.CalibrationTable(stdout, cal, tf.options(stdout))
			}
			if err != nil {
				return err
			}
			if readerLeft(werr) {
				return nil // see epipe.go
			}
			return werr
		},
	}
	fl := cmd.Flags()
	fl.Var(newInt(&n, 200, true), "n", "interleaved rounds: samples per floor and per method")
	fl.Var(newInt(&warmup, 5, true), "warmup", "rounds run first and not recorded")
	fl.Var(newMethodList(&methods), "method", "process methods to compare (a list); default every process method")
	fl.Var(rateList, "rate-tasks", "also measure fork throughput and the lab's peak RSS for these task counts, e.g. 1000,10000")
	addForkLabHeapFlag(fl, &inheritHeap)
	fl.BoolVar(&jsonOut, "json", false, "write the calibration as one JSON document to stdout")
	tf.registerWide(fl)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}

// noArgs rejects positional arguments as bad input (exit status 2), where
// cobra.NoArgs would give a plain error.

// goalText is calibrate's goals as its help states them: the figures
// stats judges with.
func goalText() string {
	if stats.GoalForkStartupRatio == stats.GoalForkTotalRatio {
		return fmt.Sprintf("%.2fx", stats.GoalForkStartupRatio)
	}
	return fmt.Sprintf("%.2fx and %.2fx", stats.GoalForkStartupRatio, stats.GoalForkTotalRatio)
}
