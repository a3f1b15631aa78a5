package report

import (
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/proclab/proclab/lab"
)

// parentRSSFigure: startup latency against the memory the parent holds,
// one line of medians per method over its tasks' points, on log axes
// (fork's cost grows with the parent's page tables; posix_spawn's should
// not). A parent size of 0 has no place on a log axis and is left out.
func parentRSSFigure(res *lab.Result) *Figure {
	var sizes []int64
	for _, s := range res.Spec.ParentRSSBytes {
		if s > 0 {
			sizes = append(sizes, s)
		}
	}
	if len(sizes) < 2 {
		return nil
	}
	const title = "Startup latency against parent memory (line: median; dots: tasks)"
	p := newPlot(title, "memory the parent holds while it starts the child (MiB, log scale)",
		"startup latency (ms, log scale)")
	logAxis(&p.X)
	logAxis(&p.Y)
	drawn := false
	for _, m := range res.Spec.Methods {
		var medians, points plotter.XYs
		for _, size := range sizes {
			keep := func(r *lab.RunResult) bool { return r.Method == m && r.ParentRSSBytes == size }
			ms := positive(scale(lab.Figures(res.Runs, keep, func(t *lab.Task) *int64 { return t.StartupNS }), 1e-6))
			if len(ms) == 0 {
				continue
			}
			x := float64(size) / (1 << 20)
			for _, v := range ms {
				points = append(points, plotter.XY{X: x, Y: v})
			}
			medians = append(medians, plotter.XY{X: x, Y: lab.Summarize(ms).Median})
		}
		if len(medians) == 0 {
			continue
		}
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
	return &Figure{Name: "parent-rss", Title: title, plot: p}
}
