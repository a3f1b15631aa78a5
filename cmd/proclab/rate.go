package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
)

// newRateCmd is `proclab rate`: near-empty tasks per second, per method,
// beside the machine's floor.
func newRateCmd(stdout io.Writer) *cobra.Command {
	var tf termFlags
	var (
		method   string
		tasks    int
		maxProcs int
		jsonOut  bool
		inherit  bool
	)
	cmd := &cobra.Command{
		Use:   "rate",
		Short: "Measure how many near-empty tasks per second each start method creates",
		Long: `rate creates --tasks near-empty tasks (n_iters 1) per method as fast as the
method allows: --max-procs loops at once (default one per CPU, as stress-ng
runs one worker per CPU), each on its own thread creating a task, reading its
record and reaping it, over and over. Each method's tasks per second are shown
beside its floor: as many C loops making the same system calls with nothing
around them (fork+_exit+wait4 for fork and forkserver, posix_spawn for spawn
and exec, fork+execve for fork-exec), run right before it.`,
		Example: `  proclab rate
  proclab rate --method fork --tasks 10000 --json`,
		Args:          usageArgs(cobra.NoArgs),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tf.check(); err != nil {
				return usageError{err}
			}
			ts := lab.ThroughputSpec{Tasks: tasks, MaxProcs: maxProcs, InheritLabHeap: inherit}
			if cmd.Flags().Changed("method") {
				ms, err := lab.ParseMethods(method)
				if err != nil {
					return usageError{err}
				}
				ts.Methods = ms
			}
			if err := ts.Validate(); err != nil {
				return usageError{err}
			}
			if err := lab.CheckTempDir(); err != nil {
				return usageError{err}
			}
			t, err := lab.MeasureRates(cmd.Context(), ts)
			if t == nil {
				return err
			}
			var werr error
			if jsonOut {
				werr = report.RateJSON(stdout, t)
			} else {
				werr = report.RateTable(stdout, t, tf.options(stdout))
			}
			if err != nil {
				return err
			}
			return werr
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&method, "method", "", "process methods (a comma list); default every non-Python process method")
	fl.IntVar(&tasks, "tasks", 2000, "near-empty tasks per method")
	fl.IntVar(&maxProcs, "max-procs", 0, "loops at once, each with one child alive (0: one per CPU)")
	addForkLabHeapFlag(fl, &inherit)
	fl.BoolVar(&jsonOut, "json", false, "write the rates as one JSON document to stdout")
	tf.registerWide(fl)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}
