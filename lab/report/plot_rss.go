package report

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/proclab/proclab/lab"
)

// maxRSSChildren bounds the lines of the RSS figure: past a few dozen
// children it is a tangle, not a picture.
const maxRSSChildren = 24

// rssFigure: RSS (solid) and PSS (dashed) of each child over time, from
// the live samples, for the first recorded round at the smallest parent
// size. A fork child's RSS counts the pages it shares with the parent;
// its PSS divides them among the sharers, the fairer figure.
func rssFigure(res *lab.Result) *Figure {
	size := smallestParent(res)
	type child struct {
		m lab.Method
		t *lab.Task
	}
	var kids []child
	for i := range res.Runs {
		r := &res.Runs[i]
		if r.Round != 0 || r.ParentRSSBytes != size {
			continue
		}
		for j := range r.Tasks {
			if len(r.Tasks[j].Samples) > 0 && len(kids) < maxRSSChildren {
				kids = append(kids, child{r.Method, &r.Tasks[j]})
			}
		}
	}
	if len(kids) == 0 {
		return nil
	}
	const title = "Memory of each child over its life"
	p := newPlot(title, "time since the create call (ms)", "memory (MiB): RSS solid, PSS dashed")
	p.Legend.Left, p.Legend.XOffs = false, -vg.Points(6)
	var legend []lab.Method
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
		rl, rs, err := plotter.NewLinePoints(rss)
		if err != nil {
			continue
		}
		rl.LineStyle.Color, rl.LineStyle.Width = col, vg.Points(1.5)
		rs.GlyphStyle.Color, rs.GlyphStyle.Shape, rs.GlyphStyle.Radius = col, shape, vg.Points(2)
		p.Add(rl, rs)
		first := !slices.Contains(legend, k.m)
		if first {
			legend = append(legend, k.m)
			p.Legend.Add(fmt.Sprintf("%s RSS", k.m), rl, rs)
		}
		if len(pss) == 0 {
			continue
		}
		pl, ps, err := plotter.NewLinePoints(pss)
		if err != nil {
			continue
		}
		pl.LineStyle.Color, pl.LineStyle.Width, pl.LineStyle.Dashes = col, vg.Points(1.5), []vg.Length{vg.Points(5), vg.Points(3)}
		ps.GlyphStyle.Color, ps.GlyphStyle.Shape, ps.GlyphStyle.Radius = col, shape, vg.Points(2)
		p.Add(pl, ps)
		if first {
			p.Legend.Add(fmt.Sprintf("%s PSS", k.m), pl, ps)
		}
	}
	p.X.Min, p.Y.Min = 0, 0
	roomForLegend(p, 2*len(legend))
	return &Figure{Name: "rss", Title: title, plot: p}
}
