package report

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/proclab/proclab/lab"
)

// speedupFigure: from the compare grid, the speedup of processes over one
// process against n_tasks, one line per n_iters, with the ideal
// (min(n_tasks, CPUs)) and break-even (1×) for reference.
func speedupFigure(res *lab.Result) *Figure {
	if len(res.Cells) == 0 {
		return nil
	}
	method := res.Cells[0].Method
	title := fmt.Sprintf("Speedup of %s processes over one process", method)
	p := newPlot(title, "n_tasks (processes started per run)", "speedup (single time / multi time, ×)")

	var iters []uint64
	var tasks []int
	for _, c := range res.Cells {
		if !slices.Contains(iters, c.NIters) {
			iters = append(iters, c.NIters)
		}
		if !slices.Contains(tasks, c.NTasks) {
			tasks = append(tasks, c.NTasks)
		}
	}
	slices.Sort(iters)
	slices.Sort(tasks)

	ideal := plotter.XYs{}
	for _, nt := range tasks {
		for _, c := range res.Cells {
			if c.NTasks == nt {
				ideal = append(ideal, plotter.XY{X: float64(nt), Y: float64(c.Parallelism)})
				break
			}
		}
	}
	if l, err := plotter.NewLine(ideal); err == nil {
		l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = color.Gray{Y: 90}, vg.Points(1.5), []vg.Length{vg.Points(6), vg.Points(4)}
		p.Add(l)
		p.Legend.Add("ideal: min(n_tasks, CPUs)", l)
	}
	if l, err := plotter.NewLine(plotter.XYs{{X: float64(tasks[0]), Y: 1}, {X: float64(tasks[len(tasks)-1]), Y: 1}}); err == nil {
		l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = color.Gray{Y: 160}, vg.Points(1), []vg.Length{vg.Points(2), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("break-even (1×)", l)
	}
	for i, ni := range iters {
		var pts plotter.XYs
		for _, c := range res.Cells {
			if c.NIters == ni {
				pts = append(pts, plotter.XY{X: float64(c.NTasks), Y: c.Speedup})
			}
		}
		line, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			continue
		}
		col, shape := seriesStyle(i)
		line.LineStyle.Color, line.LineStyle.Width = col, vg.Points(2)
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, shape, vg.Points(3.5)
		p.Add(line, sc)
		p.Legend.Add(fmt.Sprintf("n_iters = %s", itersText(ni)), line, sc)
	}
	p.X.Tick.Marker = integerTicks(tasks)
	p.Y.Min = 0
	roomForLegend(p, len(iters)+2)
	return &Figure{Name: "speedup", Title: title, plot: p}
}

// integerTicks labels exactly the given integers.
func integerTicks(xs []int) plot.ConstantTicks {
	var ticks []plot.Tick
	for _, x := range xs {
		ticks = append(ticks, plot.Tick{Value: float64(x), Label: fmt.Sprint(x)})
	}
	return ticks
}

// itersText writes an iteration count short: 1000, 10k, 1M, 100M.
func itersText(n uint64) string {
	switch {
	case n >= 1e9 && n%1e9 == 0:
		return fmt.Sprintf("%dG", n/1e9)
	case n >= 1e6 && n%1e6 == 0:
		return fmt.Sprintf("%dM", n/1e6)
	case n >= 1e4 && n%1e3 == 0:
		return fmt.Sprintf("%dk", n/1e3)
	}
	return fmt.Sprint(n)
}
