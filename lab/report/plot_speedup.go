package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/proclab/proclab/lab/results"
)

// speedupFigure: from the compare grid, the speedup over one process
// against n_iters (log scale), one colour per n_tasks: processes solid,
// threads dashed; break-even (1×) and the ideal, min(n_tasks, CPUs), as
// grey reference lines. Where a line crosses 1× is where that way of
// splitting the work starts to pay off.
func speedupFigure(res *results.Result) *Figure {
	if len(res.Cells) == 0 {
		return nil
	}
	method := res.Cells[0].Method
	title := fmt.Sprintf("Speedup over one process: %s processes (solid) and threads (dashed)", method)
	p := newPlot(title, "n_iters per task (log scale)", "speedup (single time / multi time, ×)")
	logAxis(&p.X)

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
	lo, hi := float64(iters[0]), float64(iters[len(iters)-1])
	if hi <= lo { // one n_iters: a short span around it, so the lines show
		lo, hi = lo/2, hi*2
	}
	ref := func(y float64, c color.Color, w vg.Length, dashes []vg.Length) *plotter.Line {
		l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}})
		if err != nil {
			return nil
		}
		l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = c, w, dashes
		p.Add(l)
		return l
	}
	// The ideal of each n_tasks, min(n_tasks, CPUs), in its colour: 1×
	// for one task (on break-even), not the ideal of the largest.
	ideal := map[int]int{}
	for _, c := range res.Cells {
		ideal[c.NTasks] = max(ideal[c.NTasks], c.Parallelism)
	}
	var idealLine *plotter.Line
	var idealText []string
	for i, nt := range tasks {
		col, _ := seriesStyle(i)
		if l := ref(float64(ideal[nt]), col, vg.Points(1), []vg.Length{vg.Points(1), vg.Points(3)}); l != nil {
			idealText = append(idealText, fmt.Sprintf("%d× for %d", ideal[nt], nt))
			idealLine = l // the legend's swatch: the largest n_tasks'

		}
	}
	if idealLine != nil {
		p.Legend.Add("ideal (dotted): "+strings.Join(idealText, ", ")+" "+pluralize(tasks[len(tasks)-1], "task"), idealLine)
	}
	if l := ref(1, color.Gray{Y: 150}, vg.Points(1), []vg.Length{vg.Points(2), vg.Points(3)}); l != nil {
		p.Legend.Add("break-even (1×)", l)
	}
	ymax := 1.0
	for i, nt := range tasks {
		var procs, threads plotter.XYs
		for _, c := range res.Cells {
			if c.NTasks == nt && c.NIters > 0 {
				procs = append(procs, plotter.XY{X: float64(c.NIters), Y: c.Speedup})
				threads = append(threads, plotter.XY{X: float64(c.NIters), Y: c.ThreadUp})
				ymax = max(ymax, c.Speedup, c.ThreadUp, float64(c.Parallelism))
			}
		}
		col, shape := seriesStyle(i)
		line, sc, err := plotter.NewLinePoints(procs)
		if err != nil {
			continue
		}
		line.LineStyle.Color, line.LineStyle.Width = col, vg.Points(2)
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, shape, vg.Points(3.5)
		p.Add(line, sc)
		p.Legend.Add(fmt.Sprintf("%d %s", nt, pluralize(nt, "task")), line, sc)
		if tl, tsc, err := plotter.NewLinePoints(threads); err == nil {
			tl.LineStyle.Color, tl.LineStyle.Width, tl.LineStyle.Dashes = col, vg.Points(1.5), []vg.Length{vg.Points(5), vg.Points(3)}
			tsc.GlyphStyle.Color, tsc.GlyphStyle.Shape, tsc.GlyphStyle.Radius = col, shape, vg.Points(2.5)
			p.Add(tl, tsc)
		}
	}
	p.X.Min, p.X.Max = lo, hi
	fitLogAxis(&p.X)
	p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		ticks := logTicks(min, max)
		for i := range ticks { // 10k, 1M rather than 1e+04, 1e+06
			if ticks[i].Label != "" && ticks[i].Value >= 1 {
				ticks[i].Label = itersText(uint64(math.Round(ticks[i].Value)))
			}
		}
		return ticks
	})
	p.Y.Min, p.Y.Max = 0, ymax*1.1
	roomForLegend(p, len(tasks)+2)
	return &Figure{Name: "speedup", Title: title, plot: p}
}

func pluralize(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
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
