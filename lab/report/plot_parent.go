package report

import (
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// parentRSSFigure: startup latency against the memory the parent holds,
// one line of medians per method over its tasks' points, on log axes
// (fork's cost grows with the parent's page tables; posix_spawn's should
// not). The x of a parent size is what the lab really held when it
// started the run (its RSS: ballast plus its own memory, lab_rss_bytes),
// so "parent 0" sits at the lab's own size; results without that figure
// fall back to the ballast asked for, and a ballast of 0 is then left out
// (a log axis has no 0).
func parentRSSFigure(res *results.Result) *Figure {
	type size struct {
		asked int64
		x     float64 // MiB
	}
	var sizes []size
	for _, s := range res.Spec.ParentRSSBytes {
		if x := stats.ParentHeld(res, s); x > 0 && !slices.ContainsFunc(sizes, func(z size) bool { return z.asked == s }) {
			sizes = append(sizes, size{s, x / (1 << 20)})
		}
	}
	if len(sizes) < 2 {
		return nil
	}
	const title = "Startup latency against parent memory (line: median; dots: tasks)"
	p := newPlot(title, "what the parent held: ballast + lab (RSS, MiB, log scale)",
		"startup latency (ms, log scale)")
	logAxis(&p.X)
	logAxis(&p.Y)
	drawn := false
	rows := stats.Rows(res)
	for _, m := range res.Spec.Methods {
		var medians, points plotter.XYs
		for _, size := range sizes {
			r, ok := stats.RowFor(rows, stats.Key{Method: m, ParentRSSBytes: size.asked, NTasks: res.Spec.NTasks, NIters: res.Spec.NIters})
			if !ok || r.Startup.N == 0 || r.Startup.Median <= 0 {
				continue
			}
			for _, v := range positive(scale(stats.Values(r.Runs, stats.Startup), 1e-6)) {
				points = append(points, plotter.XY{X: size.x, Y: v})
			}
			medians = append(medians, plotter.XY{X: size.x, Y: r.Startup.Median * 1e-6})
		}
		// A line needs two parent sizes; one is a dot of the startup figure.
		if len(medians) < 2 {
			continue
		}
		slices.SortFunc(medians, func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) })
		col, shape := methodStyle(m)
		if sc, err := plotter.NewScatter(points); err == nil {
			sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = faded(col), shape, vg.Points(1.5)
			p.Add(sc)
		}
		line, sc, err := plotter.NewLinePoints(medians)
		if err != nil {
			continue
		}
		line.LineStyle.Color, line.LineStyle.Width = col, vg.Points(2)
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, shape, vg.Points(3.5)
		p.Add(line, sc)
		p.Legend.Add(string(m), line, sc)
		drawn = true
	}
	if !drawn {
		return nil
	}
	fitLogAxis(&p.X)
	fitLogAxis(&p.Y)
	return &Figure{Name: "parent-rss", Title: title, plot: p}
}
