package report

import (
	"io"

	"github.com/proclab/proclab/lab/results"
)

// An Export is one file of `--out DIR`: its name in DIR and the pure
// function that writes its bytes.
type Export struct {
	Name  string
	Write func(io.Writer) error
}

// Exports lists every file that --out writes for res: the results in four
// formats, then each figure that applies, as PNG and SVG.
func Exports(res *results.Result) []Export {
	out := []Export{
		{"results.json", func(w io.Writer) error { return JSON(w, res) }},
		{"results.csv", func(w io.Writer) error { return CSV(w, res) }},
		{"results.md", func(w io.Writer) error { return Markdown(w, res) }},
		{"bench.txt", func(w io.Writer) error { return Bench(w, res) }},
	}
	if hasProfile(res) {
		out = append(out, Export{"profile.pb.gz", func(w io.Writer) error { return Profile(w, res) }})
	}
	if res.StartPprof != nil {
		out = append(out, Export{"start-profile.pb.gz", func(w io.Writer) error { return res.StartPprof.Write(w) }})
	}
	for _, f := range Figures(res) {
		out = append(out, Export{f.Name + ".png", f.PNG}, Export{f.Name + ".svg", f.SVG})
	}
	return out
}

// hasProfile reports whether any task brought back profile samples.
func hasProfile(res *results.Result) bool {
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			if t.Profile != nil && len(t.Profile.PCs) > 0 {
				return true
			}
		}
	}
	return false
}
