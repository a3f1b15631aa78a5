package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
)

func newReportCmd(stdout, _ io.Writer) *cobra.Command {
	var title string
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Write DIR/report.md from the results directories under DIR",
		Long: `report reads every DIR/*/results.json (each written by --out) and writes
DIR/report.md: per directory its command, its tables, its figures with a few
sentences on what they show on this machine, links to its files and the
commands to open its profiles. make lab ends with it.`,
		Example:       `  proclab report results/20260101T120000Z`,
		Args:          usageArgs(cobra.ExactArgs(1)),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(_ *cobra.Command, args []string) error {
			dir := args[0]
			lr, err := readLabReport(dir, title)
			if err != nil {
				return err
			}
			if err := writeFiles(dir, []report.Export{{Name: "report.md", Write: func(w io.Writer) error { return report.Lab(w, lr) }}}); err != nil {
				return err
			}
			fmt.Fprintln(stdout, filepath.Join(dir, "report.md"))
			return nil
		},
	}
	cmd.Flags().StringVar(&title, "title", "", "the report's first heading (default: proclab lab report, DIR)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{flagError(err)} })
	return cmd
}

// readLabReport gathers the sections of DIR: each subdirectory with a
// results.json, ordered by what it holds (methods, compare, parent sweep).
func readLabReport(dir, title string) (report.LabReport, error) {
	if title == "" {
		title = "proclab lab report, " + filepath.Base(filepath.Clean(dir))
	}
	lr := report.LabReport{Title: title, Root: filepath.ToSlash(dir)}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return lr, usageError{err}
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		res, err := readResult(filepath.Join(sub, "results.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return lr, err
		}
		files, err := os.ReadDir(sub)
		if err != nil {
			return lr, err
		}
		s := report.LabSection{Dir: e.Name(), Res: res}
		for _, f := range files {
			if f.Type().IsRegular() && !strings.HasPrefix(f.Name(), ".") {
				s.Files = append(s.Files, f.Name())
			}
		}
		lr.Sections = append(lr.Sections, s)
	}
	if len(lr.Sections) == 0 {
		return lr, usageError{fmt.Errorf("%s holds no */results.json (write them with --out DIR/NAME)", dir)}
	}
	slices.SortStableFunc(lr.Sections, func(a, b report.LabSection) int {
		return int(report.KindOf(a.Res)) - int(report.KindOf(b.Res))
	})
	return lr, nil
}

func readResult(name string) (*lab.Result, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var res lab.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if res.Schema != lab.Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", name, res.Schema, lab.Schema)
	}
	return &res, nil
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
