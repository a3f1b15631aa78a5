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
		if x := parentHeld(res, s); x > 0 {
			sizes = append(sizes, size{s, float64(x) / (1 << 20)})
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
	for _, m := range res.Spec.Methods {
		var medians, points plotter.XYs
		for _, size := range sizes {
			keep := func(r *results.RunResult) bool { return r.Method == m && r.ParentRSSBytes == size.asked }
			ms := positive(scale(stats.Figures(res.Runs, keep, func(t *results.Task) *int64 { return t.StartupNS }), 1e-6))
			if len(ms) == 0 {
				continue
			}
			for _, v := range ms {
				points = append(points, plotter.XY{X: size.x, Y: v})
			}
			medians = append(medians, plotter.XY{X: size.x, Y: stats.Summarize(ms).Median})
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

// parentHeld is what the lab held when it started the runs with ballast
// asked (the median of their lab_rss_bytes), or the ballast itself when
// the runs did not measure it (results written before the field).
func parentHeld(res *results.Result, asked int64) int64 {
	var rss []float64
	for _, r := range res.Runs {
		if r.ParentRSSBytes == asked && r.LabRSSBytes > 0 {
			rss = append(rss, float64(r.LabRSSBytes))
		}
	}
	if len(rss) == 0 {
		return asked
	}
	return int64(stats.Summarize(rss).Median)
}
