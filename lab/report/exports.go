package report

import (
	"io"

	"github.com/proclab/proclab/lab"
)

// An Export is one file of `--out DIR`: its name in DIR and the pure
// function that writes its bytes.
type Export struct {
	Name  string
	Write func(io.Writer) error
}

// Exports lists every file that --out writes for res: the results in four
// formats, then each figure that applies, as PNG and SVG.
func Exports(res *lab.Result) []Export {
	out := []Export{
		{"results.json", func(w io.Writer) error { return JSON(w, res) }},
		{"results.csv", func(w io.Writer) error { return CSV(w, res) }},
		{"results.md", func(w io.Writer) error { return Markdown(w, res) }},
		{"bench.txt", func(w io.Writer) error { return Bench(w, res) }},
	}
	// HOOK(profile): add {"profile.pb.gz", Profile} here when res has
	// task profiles (res.Spec.ProfileHz > 0); report.md then links it.
	for _, f := range Figures(res) {
		out = append(out, Export{f.Name + ".png", f.PNG}, Export{f.Name + ".svg", f.SVG})
	}
	return out
}
