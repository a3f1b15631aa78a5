package report

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// memMeasure is one per-task memory figure that every process task has
// (read at task end whatever the live sampler did), in the order the
// memory figure draws them within a method's column.
type memMeasure struct {
	name   string
	fig    stats.Fig
	median func(stats.Memory) stats.Summary
}

var memMeasures = []memMeasure{
	{"peak (VmHWM of the child's process)", stats.HWM, func(m stats.Memory) stats.Summary { return m.HWM }},
	{"RSS at task end", stats.EndRSS, func(m stats.Memory) stats.Summary { return m.EndRSS }},
	{"PSS at task end", stats.EndPSS, func(m stats.Memory) stats.Summary { return m.EndPSS }},
	{"USS at task end", stats.EndUSS, func(m stats.Memory) stats.Summary { return m.EndUSS }},
}

// memColumn is one method's memory figures at one parent size: per
// measure, the values of its tasks that count in MiB (positive only: a
// log axis) and the row's median.
type memColumn struct {
	m       results.Method
	values  [][]float64 // by memMeasures index
	medians []float64   // by memMeasures index, MiB
	tasks   int         // tasks with at least one figure
}

func memColumns(res *results.Result, size int64) []memColumn {
	var cols []memColumn
	for _, r := range stats.AtParent(stats.Rows(res), size) {
		if !r.Method.CreatesProcess() {
			continue // a thread's memory is the lab's
		}
		c := memColumn{m: r.Method, values: make([][]float64, len(memMeasures)), medians: make([]float64, len(memMeasures))}
		for k, ms := range memMeasures {
			c.values[k] = scale(positive(stats.Values(r.Runs, ms.fig)), 1.0/(1<<20))
			c.medians[k] = ms.median(r.Memory).Median / (1 << 20)
			c.tasks = max(c.tasks, len(c.values[k]))
		}
		if c.tasks > 0 {
			cols = append(cols, c)
		}
	}
	return cols
}

// rssFigure: the memory of each child process by start method, from the
// figures every process task has: its own peak (VmHWM) and its RSS, PSS
// and USS at task end; each task a dot, the median a bar, at the smallest
// parent size. A fork child's RSS counts the pages it still shares with
// the lab; PSS divides them among the sharers and USS counts only its
// own. Left out when fewer than two tasks have a figure: one task is a
// sentence (rssSentences), not a picture.
func rssFigure(res *results.Result) *Figure {
	size := stats.SmallestParent(res)
	cols := memColumns(res, size)
	tasks := 0
	for _, c := range cols {
		tasks += c.tasks
	}
	if tasks == 0 {
		// Results of a lab that did not read the end-of-task figures:
		// the live series are the only memory figure there is.
		if f := liveFigure(res); f != nil {
			f.Name = "rss"
			return f
		}
		return nil
	}
	if tasks < 2 {
		return nil
	}
	title := "Memory of each child process by start method"
	if size > 0 {
		title += fmt.Sprintf(" (parent holding %s)", sizeText(size))
	}
	p := newPlot(title, "start method (each point one task; bar: median)", "memory (MiB, log scale)")
	logAxis(&p.Y)
	p.Legend.Left, p.Legend.XOffs = false, -vg.Points(6)
	var names []string
	legend := make([]bool, len(memMeasures))
	const width = 0.8 // of a method's column, shared by the measures
	slot := width / float64(len(memMeasures))
	for i, c := range cols {
		names = append(names, string(c.m))
		for k, vs := range c.values {
			if len(vs) == 0 {
				continue
			}
			x := float64(i) - width/2 + slot*(float64(k)+0.5)
			pts := make(plotter.XYs, len(vs))
			for j, v := range vs {
				pts[j] = plotter.XY{X: x + slot*0.6*jitter(j), Y: v}
			}
			// The bar first, the points over it in full colour: a
			// bimodal cloud shows both its halves, not just the median.
			col, shape := seriesStyle(k)
			bar, err := plotter.NewLine(plotter.XYs{{X: x - slot*0.45, Y: c.medians[k]}, {X: x + slot*0.45, Y: c.medians[k]}})
			if err != nil {
				continue
			}
			bar.LineStyle.Width, bar.LineStyle.Color = vg.Points(1.5), faded(col)
			p.Add(bar)
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				continue
			}
			sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, shape, vg.Points(2.2)
			p.Add(sc)
			if !legend[k] {
				legend[k] = true
				p.Legend.Add(memMeasures[k].name, bar, sc)
			}
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(cols))-0.4
	fitLogAxis(&p.Y)
	// Room above the data for the legend (a factor on a log axis).
	n := 0
	for _, l := range legend {
		if l {
			n++
		}
	}
	p.Y.Max *= 1 + 0.6*float64(n)
	return &Figure{Name: "rss", Title: title, plot: p}
}

// maxRSSChildren bounds the lines of the live figure: past a few dozen
// children it is a tangle, not a picture.
const maxRSSChildren = 24

// rssLiveFigure is the live series beside the memory figure; when there
// are no end-of-task figures they are the memory figure itself (rss).
func rssLiveFigure(res *results.Result) *Figure {
	for _, c := range memColumns(res, stats.SmallestParent(res)) {
		if c.tasks > 0 {
			return liveFigure(res)
		}
	}
	return nil
}

// liveFigure: RSS (solid) and PSS (dashed) of each child over time, from
// the live samples, for the first recorded round at the smallest parent
// size; only children with at least two samples (one is a dot of the
// memory figure, not a series). Nil when no child has a series.
func liveFigure(res *results.Result) *Figure {
	size := stats.SmallestParent(res)
	type child struct {
		m results.Method
		t *results.Task
	}
	// Every recorded round's children with a series, taken in turn from
	// each method (so each method sampled is drawn), up to
	// maxRSSChildren; the title says how many of how many.
	var methods []results.Method
	by := map[results.Method][]child{}
	total := 0
	for i := range res.Runs {
		r := &res.Runs[i]
		if !stats.Recorded(r) || r.ParentRSSBytes != size {
			continue
		}
		for j := range r.Tasks {
			if len(r.Tasks[j].Samples) >= 2 {
				if _, ok := by[r.Method]; !ok {
					methods = append(methods, r.Method)
				}
				by[r.Method] = append(by[r.Method], child{r.Method, &r.Tasks[j]})
				total++
			}
		}
	}
	var kids []child
	for k := 0; len(kids) < min(total, maxRSSChildren); k++ {
		for _, m := range methods {
			if k < len(by[m]) && len(kids) < maxRSSChildren {
				kids = append(kids, by[m][k])
			}
		}
	}
	title := fmt.Sprintf("Memory of each child over its life (live samples: every round, %d children)", len(kids))
	if len(kids) < total {
		title = fmt.Sprintf("Memory of each child over its life (live samples: %d of %d children, every round, each method in turn)", len(kids), total)
	}
	// Quick readings (the sampler's first, and most of a busy run's)
	// carry RSS only: PSS is named on the axis only where one is drawn.
	anyPSS := false
	for _, k := range kids {
		n := 0
		for _, s := range k.t.Samples {
			if s.PSSBytes > 0 {
				n++
			}
		}
		anyPSS = anyPSS || n >= 2
	}
	ylabel := "memory (MiB): RSS (PSS not read: quick readings)"
	if anyPSS {
		ylabel = "memory (MiB): RSS solid, PSS dashed"
	}
	p := newPlot(title, "time since the create call (ms)", ylabel)
	p.Legend.Left, p.Legend.XOffs = false, -vg.Points(6)
	var legend []results.Method
	drawn := false
	for _, k := range kids {
		var rss, pss plotter.XYs
		for _, s := range k.t.Samples {
			x := float64(s.TNS) / 1e6
			rss = append(rss, plotter.XY{X: x, Y: float64(s.RSSBytes) / (1 << 20)})
			if s.PSSBytes > 0 {
				pss = append(pss, plotter.XY{X: x, Y: float64(s.PSSBytes) / (1 << 20)})
			}
		}
		col, shape := methodStyle(k.m)
		first := !slices.Contains(legend, k.m)
		if addSeries(p, rss, col, shape, nil, first, fmt.Sprintf("%s RSS", k.m)) {
			drawn = true
		}
		if len(pss) >= 2 {
			addSeries(p, pss, col, shape, []vg.Length{vg.Points(5), vg.Points(3)}, first, fmt.Sprintf("%s PSS", k.m))
		}
		if first {
			legend = append(legend, k.m)
		}
	}
	if !drawn {
		return nil
	}
	p.X.Min, p.Y.Min = min(p.X.Min, 0), min(p.Y.Min, 0)
	roomForLegend(p, 2*len(legend))
	return &Figure{Name: "rss-live", Title: title, plot: p}
}

// addSeries draws one line with its points, labelled in the legend if
// asked; it reports whether it could.
func addSeries(p *plot.Plot, xys plotter.XYs, col color.Color, shape draw.GlyphDrawer, dashes []vg.Length, legend bool, name string) bool {
	line, sc, err := plotter.NewLinePoints(xys)
	if err != nil {
		return false
	}
	line.LineStyle.Color, line.LineStyle.Width, line.LineStyle.Dashes = col, vg.Points(1.5), dashes
	sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = col, shape, vg.Points(2)
	p.Add(line, sc)
	if legend {
		p.Legend.Add(name, line, sc)
	}
	return true
}
