package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// startupFigure: startup latency by method, each task a point (spread
// sideways so they do not hide each other), the median a bar with its
// value. Only the smallest parent size is drawn: a larger parent is what
// the parent-RSS figure is for.
func startupFigure(res *results.Result) *Figure {
	size := stats.SmallestParent(res)
	var names []string
	type column struct {
		m      results.Method
		ms     []float64 // each task that counts, ms
		median float64   // the row's median, ms
	}
	var cols []column
	points := 0
	for _, r := range stats.AtParent(stats.Rows(res), size) {
		ms := positive(scale(stats.Values(r.Runs, stats.Startup), 1e-6))
		if len(ms) > 0 && r.Startup.N > 0 {
			cols = append(cols, column{r.Method, ms, r.Startup.Median * 1e-6})
			points += len(ms)
			names = append(names, string(r.Method))
		}
	}
	if points == 0 {
		return nil
	}
	title := "Startup latency by start method"
	sizes := len(slices.Compact(slices.Sorted(slices.Values(res.Spec.ParentRSSBytes))))
	switch {
	case sizes > 1 && size == 0:
		title += " (no ballast only; the other parent sizes are not drawn)"
	case sizes > 1:
		title += fmt.Sprintf(" (parent holding %s only; the other sizes are not drawn)", sizeText(size))
	case size > 0:
		title += fmt.Sprintf(" (parent holding %s)", sizeText(size))
	}
	p := newPlot(title, "start method (each point one task; bar and label: median)", "startup latency (ms, log scale)")
	logAxis(&p.Y)
	for i, c := range cols {
		pts := make(plotter.XYs, len(c.ms))
		for k, v := range c.ms {
			pts[k] = plotter.XY{X: float64(i) + jitter(k), Y: v}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil
		}
		col, shape := methodStyle(c.m)
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = faded(col), shape, vg.Points(2.5)
		p.Add(sc)

		med := c.median
		bar, err := plotter.NewLine(plotter.XYs{{X: float64(i) - 0.34, Y: med}, {X: float64(i) + 0.34, Y: med}})
		if err != nil {
			return nil
		}
		bar.LineStyle.Width, bar.LineStyle.Color = vg.Points(2.5), color.Black
		p.Add(bar)
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(i) + 0.35, Y: med}}, Labels: []string{dur(med * 1e6)}})
		if err == nil {
			p.Add(lbl)
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(cols))-0.2
	fitLogAxis(&p.Y)
	return &Figure{Name: "startup", Title: title, plot: p}
}

// jitter spreads the k-th point of a column over ±0.3 with the golden
// ratio sequence: even, and the same on every run (no randomness in a
// renderer).
func jitter(k int) float64 {
	_, frac := math.Modf(float64(k+1) * 0.6180339887)
	return 0.6 * (frac - 0.5)
}

// faded is c half transparent, so that piled-up points read as darker.
func faded(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 150}
}

func scale(xs []float64, f float64) []float64 {
	for i := range xs {
		xs[i] *= f
	}
	return xs
}

// positive drops values a log axis cannot show.
func positive(xs []float64) []float64 {
	out := xs[:0]
	for _, x := range xs {
		if x > 0 {
			out = append(out, x)
		}
	}
	return out
}
