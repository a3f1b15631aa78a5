package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab/report"
)

func newDiffCmd(stdout io.Writer) *cobra.Command {
	var asJSON bool
	var alpha float64
	cmd := &cobra.Command{
		Use:   "diff A B [C...]",
		Short: "Compare two or more result sets: medians side by side, change in percent, significance",
		Long: `diff compares result sets from two or more machines, kernels or builds.
Each argument is a results.json, a directory written by --out (results.json
at its top), or a lab tree written by make lab (*/results.json below it).
For every method, parent size, n_tasks and n_iters that A and another input
both measured, it prints the median startup, total and wall time of each
input with its 95% confidence interval, and each input's change against A
with the p-value of a Mann-Whitney U test (as benchstat does); "~" marks a
change that is not significant at --alpha.`,
		Example: `  proclab diff results/before/methods results/after/methods
  proclab diff hostA/results.json hostB/results.json hostC/results.json --json`,
		Args:          usageArgs(cobra.MinimumNArgs(2)),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(_ *cobra.Command, args []string) error {
			if math.IsNaN(alpha) || alpha <= 0 || alpha >= 1 {
				return usageError{fmt.Errorf("--alpha must be between 0 and 1, got %g", alpha)}
			}
			var inputs []report.DiffInput
			for _, a := range args {
				in, err := readDiffInput(a)
				if err != nil {
					return usageError{err}
				}
				inputs = append(inputs, in)
			}
			d := report.Diff(inputs, alpha)
			if asJSON {
				return report.DiffJSON(stdout, d)
			}
			return report.DiffText(stdout, d)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the comparison as JSON")
	cmd.Flags().Float64Var(&alpha, "alpha", 0.05, "significance level of the test")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}

// readDiffInput reads a results.json, a --out directory, or a lab tree.
func readDiffInput(name string) (report.DiffInput, error) {
	in := report.DiffInput{Name: name}
	st, err := os.Stat(name)
	if err != nil {
		return in, err
	}
	var files []string
	switch top := filepath.Join(name, "results.json"); {
	case !st.IsDir():
		files = []string{name}
	case exists(top):
		files = []string{top}
	default:
		files, _ = filepath.Glob(filepath.Join(name, "*", "results.json"))
		if len(files) == 0 {
			return in, fmt.Errorf("%s holds no results.json, at its top or one level down (write them with --out)", name)
		}
	}
	for _, f := range files {
		res, err := readResult(f)
		if err != nil {
			return in, err
		}
		in.Runs = append(in.Runs, res.Runs...)
		if in.Host == nil {
			in.Host = res.Host
		}
	}
	return in, nil
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}
