package main

import (
	"bytes"
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

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
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
			dir := args[0]
			lr, err := readLabReport(dir, title)
			if err != nil {
				return err
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
	// A directory written by --out: its own results.json is the one section.
	if res, err := readResult(filepath.Join(dir, "results.json")); err == nil {
		s := report.LabSection{Dir: ".", Res: res}
		for _, f := range ents {
			if f.Type().IsRegular() && !strings.HasPrefix(f.Name(), ".") {
				s.Files = append(s.Files, f.Name())
			}
		}
		lr.Sections = []report.LabSection{s}
		return lr, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return lr, err
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

func readResult(name string) (*results.Result, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var res results.Result
	if err := json.Unmarshal(b, &res); err != nil {
		// Results written before checksums became strings hold them as
		// numbers; read those too.
		if b2, ok := checksumsAsStrings(b); !ok || json.Unmarshal(b2, &res) != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if res.Schema != results.Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", name, res.Schema, results.Schema)
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

// checksumsAsStrings rewrites every task's numeric "checksum" of a results
// document as a string, keeping all 64 bits (json.Number).
func checksumsAsStrings(b []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return nil, false
	}
	runs, _ := doc["runs"].([]any)
	for _, r := range runs {
		run, _ := r.(map[string]any)
		tasks, _ := run["tasks"].([]any)
		for _, t := range tasks {
			if task, ok := t.(map[string]any); ok {
				if n, ok := task["checksum"].(json.Number); ok {
					task["checksum"] = n.String()
				}
			}
		}
	}
	out, err := json.Marshal(doc)
	return out, err == nil
}
