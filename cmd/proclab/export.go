package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// exportFlags are hyperfine's export flags: one file each, beside or
// instead of --out's directory; "-" is stdout, which then carries that
// export only (no table).
type exportFlags struct {
	json, csv, markdown string
}

func (e *exportFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&e.json, "export-json", "", "write the results as JSON to this file (- for stdout, instead of the table)")
	fl.StringVar(&e.csv, "export-csv", "", "write one CSV row per task to this file (- for stdout, instead of the table)")
	fl.StringVar(&e.markdown, "export-markdown", "", "write the comparison as a Markdown table to this file (- for stdout, instead of the table)")
}

type exportFile struct {
	flag, path string
	write      func(io.Writer, *results.Result) error
}

func (e *exportFlags) files() []exportFile {
	var out []exportFile
	for _, f := range []exportFile{{"--export-json", e.json, report.JSON}, {"--export-csv", e.csv, report.CSV},
		{"--export-markdown", e.markdown, report.MarkdownTable}} {
		if f.path != "" {
			out = append(out, f)
		}
	}
	return out
}

// check refuses, before anything runs, two exports to stdout, --json with
// one, and a file whose directory is not there.
func (e *exportFlags) check(asJSON bool) error {
	stdout := 0
	for _, f := range e.files() {
		if f.path == "-" {
			stdout++
			if stdout > 1 || asJSON {
				return fmt.Errorf("%s -: stdout carries one document; give the others a file", f.flag)
			}
			continue
		}
		dir := filepath.Dir(f.path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s %s: no directory %s", f.flag, f.path, dir)
		}
		if st, err := os.Stat(f.path); err == nil && st.IsDir() {
			return fmt.Errorf("%s %s: is a directory", f.flag, f.path)
		}
	}
	return nil
}

// toStdout reports whether an export takes stdout's place.
func (e *exportFlags) toStdout() bool {
	for _, f := range e.files() {
		if f.path == "-" {
			return true
		}
	}
	return false
}

// write writes every export, each file whole or not at all (renamed into
// place, as --out's), the first error returned after trying them all.
func (e *exportFlags) write(stdout io.Writer, res *results.Result) error {
	var first error
	for _, f := range e.files() {
		var err error
		if f.path == "-" {
			err = f.write(stdout, res)
			if readerLeft(err) {
				err = nil
			}
		} else {
			err = writeFile(filepath.Dir(f.path), report.Export{Name: filepath.Base(f.path),
				Write: func(w io.Writer) error { return f.write(w, res) }})
		}
		if err != nil && first == nil {
			first = fmt.Errorf("%s: %w", f.flag, err)
		}
	}
	return first
}
