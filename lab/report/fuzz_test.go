package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// renderer is one way of writing a Result.
type renderer struct {
	name  string
	write func(io.Writer, *results.Result) error
}

// renderers are every renderer of the package: the text table (both
// ways), the comparison table, JSON, CSV, Markdown, bench.txt, the
// compare grid, each figure as PNG and SVG, the profile and report.md.
var renderers = []renderer{
	{"table", func(w io.Writer, r *results.Result) error { return Table(w, r, TableOptions{}) }},
	{"table-per-task", func(w io.Writer, r *results.Result) error { return Table(w, r, TableOptions{PerTask: true}) }},
	{"methods", Methods},
	{"json", JSON},
	{"csv", CSV},
	{"markdown", Markdown},
	{"bench", Bench},
	{"compare", Compare},
	{"figures-svg", func(w io.Writer, r *results.Result) error {
		for _, f := range Figures(r) {
			if err := f.SVG(w); err != nil {
				return err
			}
		}
		return nil
	}},
	{"figures-png", func(w io.Writer, r *results.Result) error {
		for _, f := range Figures(r) {
			if err := f.PNG(w); err != nil {
				return err
			}
		}
		return nil
	}},
	{"profile", func(w io.Writer, r *results.Result) error {
		if err := Profile(w, r); err != nil && !errors.Is(err, ErrNoProfile) {
			return err
		}
		return nil
	}},
	{"report.md", func(w io.Writer, r *results.Result) error {
		var files []string
		for _, e := range Exports(r) {
			files = append(files, e.Name)
		}
		return Lab(w, LabReport{Title: "fuzz", Root: "results", Sections: []LabSection{{Dir: "d", Res: r, Files: files}}})
	}},
}

// renderAll runs every renderer on res and returns the first error, or a
// panic turned into an error with the renderer's name. Without png, the
// figures are drawn as SVG only: the same plots drawn by the same code on
// a vector canvas, without rasterizing them (a PNG costs ~20 ms, ~100 ms
// under the fuzzer's coverage instrumentation, and exercises no code of
// this package that the SVG does not).
func renderAll(res *results.Result, png bool) (err error) {
	for _, rd := range renderers {
		if rd.name == "figures-png" && !png {
			continue
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("%s panicked: %v\n%s", rd.name, p, debug.Stack())
				}
			}()
			if e := rd.write(io.Discard, res); e != nil && err == nil {
				err = fmt.Errorf("%s: %w", rd.name, e)
			}
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// FuzzRenderers: no renderer panics or fails on any Result the generator
// makes from the fuzzer's bytes (one point, one cell, equal values,
// zeros, null figures, huge ranges, parent sizes 0 and 64 MiB). The seed
// corpus in testdata/fuzz/FuzzRenderers holds the shapes that panicked
// or failed before. The figures are drawn as SVG here (renderAll): PNG
// rasterizing made an execution cost ~0.5 s under the fuzzer (19
// executions in 10 s); the unit tests draw every shape as PNG too
// (render_shapes_test.go).
func FuzzRenderers(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		bytes.Repeat([]byte{0}, 64),
		bytes.Repeat([]byte{1}, 64),
		bytes.Repeat([]byte{0xff}, 256),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := genResult(data)
		if err := renderAll(res, false); err != nil {
			t.Fatal(err)
		}
	})
}
