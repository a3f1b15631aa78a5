package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/proclab/proclab/lab/report"
)

// termFlags are how the tables fit the terminal: --wide and --columns.
type termFlags struct {
	wide    bool
	columns []string
}

func (t *termFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&t.wide, "wide", false, "show every column of the tables, however wide (by default they fit the terminal, 80 columns when not one)")
	fl.StringSliceVar(&t.columns, "columns", nil, "show these columns of the tables (and the ones always shown): "+
		"per task "+strings.Join(report.TaskColumns, ",")+"; per method "+strings.Join(report.MethodColumns, ","))
}

// registerWide is --wide alone, for the tables --columns does not name.
func (t *termFlags) registerWide(fl *pflag.FlagSet) {
	fl.BoolVar(&t.wide, "wide", false, "show every column of the tables, however wide (by default they fit the terminal, 80 columns when not one)")
}

// check refuses a column name no table has.
func (t *termFlags) check() error {
	for _, c := range t.columns {
		if !slices.Contains(report.TaskColumns, c) && !slices.Contains(report.MethodColumns, c) {
			return fmt.Errorf("--columns: no column %q (per task: %s; per method: %s)", c,
				strings.Join(report.TaskColumns, ","), strings.Join(report.MethodColumns, ","))
		}
	}
	return nil
}

// options reads the terminal behind w: its width, and whether to colour
// (a terminal, NO_COLOR unset or empty, TERM not dumb). Not a terminal:
// 80 columns, no colour.
func (t *termFlags) options(w io.Writer) report.TermOptions {
	opt := report.TermOptions{Width: 80, Wide: t.wide, Columns: t.columns}
	if c, ok := w.(*checkedWriter); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return opt
	}
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
		opt.Width = cols
	}
	opt.Color = os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	return opt
}

// terminalWidth is the width of the terminal behind w, 0 when w is not
// one (warnings then stay one line each, for scripts).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
		return cols
	}
	return 80
}
