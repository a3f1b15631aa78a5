package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

func newReportCmd(stdout, _ io.Writer) *cobra.Command {
	var title string
	var withHTML bool
	cmd := &cobra.Command{
		Use:   "report [--html] DIR",
		Short: "Write DIR/report.md from the results directories under DIR",
		Long: `report reads every DIR/*/results.json (each written by --out) and writes
DIR/report.md: per directory its command, its tables, its figures with a few
sentences on what they show on this machine, links to its files and the
commands to open its profiles. make lab ends with it.`,
		Example: `  proclab report results/20260101T120000Z`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageError{errors.New("report needs DIR: a lab tree written by make lab (results/<timestamp>) or a directory written by --out")}
			case len(args) > 1:
				return usageError{fmt.Errorf("report takes one DIR, got %d arguments", len(args))}
			}
			return nil
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(_ *cobra.Command, args []string) error {
			exitOnSignal.Store(true) // it reads and writes files only: a signal ends it (signals.go)
			dir := args[0]
			lr, err := readLabReport(dir, title)
			if err != nil {
				return usageError{err} // what it reads is its input: exit 2, as diff's
			}
			exports := []report.Export{{Name: "report.md", Write: func(w io.Writer) error { return report.Lab(w, lr) }}}
			if withHTML {
				read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel))) }
				exports = append(exports, report.Export{Name: "report.html", Write: func(w io.Writer) error { return report.LabHTML(w, lr, read) }})
			}
			if err := writeFiles(dir, exports); err != nil {
				return err
			}
			for _, e := range exports {
				fmt.Fprintln(stdout, filepath.Join(dir, e.Name))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&withHTML, "html", false, "also write DIR/report.html: the same report in one self-contained file, figures inlined as SVG")
	cmd.Flags().StringVar(&title, "title", "", "the report's first heading (default: proclab lab report, DIR)")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}

// readLabReport gathers the sections of DIR: a directory written by --out
// is one section, a lab tree one per part, ordered by what each holds
// (methods, compare, parent sweep, start profile).
func readLabReport(dir, title string) (report.LabReport, error) {
	if title == "" {
		title = "proclab lab report, " + filepath.Base(filepath.Clean(dir))
	}
	lr := report.LabReport{Title: title, Root: filepath.ToSlash(dir)}
	st, err := os.Stat(dir)
	if err != nil {
		return lr, usageError{err}
	}
	if !st.IsDir() {
		return lr, usageError{fmt.Errorf("%s is not a directory: report needs a lab tree written by make lab or a directory written by --out", dir)}
	}
	parts, err := results.ReadParts(dir)
	if err != nil {
		return lr, err
	}
	for _, p := range parts {
		lr.Sections = append(lr.Sections, report.LabSection{Dir: p.Name, Res: p.Res, Files: p.Files})
	}
	slices.SortStableFunc(lr.Sections, func(a, b report.LabSection) int {
		return int(stats.KindOf(a.Res)) - int(stats.KindOf(b.Res))
	})
	return lr, nil
}

// usageArgs makes a cobra argument check's error a usage error (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
