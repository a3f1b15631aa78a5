package main

import (
	"fmt"
	"io"
	"math"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

func newDiffCmd(stdout io.Writer) *cobra.Command {
	var tf termFlags
	var asJSON bool
	var alpha float64
	cmd := &cobra.Command{
		Use:   "diff A B [C...]",
		Short: "Compare two or more result sets: medians side by side, change in percent, significance",
		Long: `diff compares result sets from two or more machines, kernels or builds.
Each argument is a results.json, a directory written by --out (results.json
at its top), or a lab tree written by make lab (*/results.json below it).
For every method, parent size, n_tasks and n_iters that A and another input
both measured in the same experiment (the kind of part: methods, compare,
parent sweep, start profile; and the settings that change timings: the
hot-loop profiler, the live sampler, the start profile, --fork-lab-heap,
--parent-thp), it prints the median startup, total and wall time of each
input with its 95% confidence interval, and each input's change against A
with the p-value of a Mann-Whitney U test (as benchstat does); "~" marks a
change that is not significant at --alpha. Each value of a sample is one
run (a run's startup and total are the median of its tasks), as benchstat
takes a benchmark run: the tasks of one run are not independent. It says
which part of each input it matched.`,
		Example: `  proclab diff results/before/methods results/after/methods
  proclab diff hostA/results.json hostB/results.json hostC/results.json --json`,
		Args:          usageArgs(cobra.MinimumNArgs(2)),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(_ *cobra.Command, args []string) error {
			exitOnSignal.Store(true) // it reads and writes files only: a signal ends it (signals.go)
			if math.IsNaN(alpha) || alpha <= 0 || alpha >= 1 {
				return usageError{fmt.Errorf("--alpha must be between 0 and 1, got %g", alpha)}
			}
			var inputs []stats.DiffInput
			for _, a := range args {
				parts, err := results.ReadParts(a)
				if err != nil {
					return usageError{err}
				}
				inputs = append(inputs, stats.DiffInput{Name: a, Parts: parts})
			}
			d := stats.Diff(inputs, alpha)
			var err error
			if asJSON {
				err = report.DiffJSON(stdout, d)
			} else {
				err = report.DiffText(stdout, d, tf.options(stdout))
			}
			if readerLeft(err) { // | head: the reader has what it wanted
				return nil
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the comparison as JSON")
	cmd.Flags().Float64Var(&alpha, "alpha", 0.05, "significance level of the test")
	tf.registerWide(cmd.Flags())
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}
