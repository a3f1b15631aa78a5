package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/proclab/proclab/lab/results"
)

// A Figure is one plot of the results, drawn as PNG or SVG.
type Figure struct {
	Name  string // file name without extension: startup, speedup, parent-rss, rss, rss-live
	Title string
	plot  *plot.Plot
}

// The size every figure is drawn at: 900×540 pixels in PNG.
const (
	figWidth  = 9.375 * vg.Inch
	figHeight = 5.625 * vg.Inch
)

// Figures returns the plots that apply to res, in the order a report
// shows them. A plot whose data is absent (no compare grid, one parent
// size, no live samples) is left out rather than drawn empty.
func Figures(res *results.Result) []Figure {
	var out []Figure
	for _, f := range []func(*results.Result) *Figure{startupFigure, speedupFigure, parentRSSFigure, rssFigure, rssLiveFigure} {
		if fig := f(res); fig != nil {
			out = append(out, *fig)
		}
	}
	return out
}

// PNG writes the figure as a PNG image.
func (f Figure) PNG(w io.Writer) error { return f.write(w, "png") }

// SVG writes the figure as an SVG document.
func (f Figure) SVG(w io.Writer) error { return f.write(w, "svg") }

func (f Figure) write(w io.Writer, format string) error {
	wt, err := f.plot.WriterTo(figWidth, figHeight, format)
	if err != nil {
		return fmt.Errorf("drawing %s: %w", f.Name, err)
	}
	_, err = wt.WriteTo(w)
	return err
}

// newPlot is a plot with a title, axis labels and a legend in the corner
// where the data usually is not.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), -vg.Points(8)
	p.Add(gridLines())
	return p
}

func gridLines() plot.Plotter {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	return g
}

// logAxis turns a into a log axis labelled at 1, 2 and 5 times powers of
// ten (gonum's LogTicks labels only the powers, too few on a short range).
// Call fitLogAxis once the data is added: gonum panics on a log range
// that reaches 0.
func logAxis(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = plot.TickerFunc(logTicks)
}

// logTicks marks 1, 2 and 5 times the powers of ten in [min, max]; over
// many decades only the powers, every few of them, so that the labels do
// not pile up. It returns nothing for a range a log axis cannot have.
func logTicks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	mults := []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	step := 1.0
	if hi-lo > 8 {
		mults, step = []int{1}, math.Ceil((hi-lo)/8)
	}
	var ticks []plot.Tick
	for e := lo; e <= hi; e += step {
		base := math.Pow(10, e)
		for _, m := range mults {
			v := base * float64(m)
			if v < min*0.9999 || v > max*1.0001 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 4, 64)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 3 { // a short range: label every tick
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 4, 64)
		}
	}
	return ticks
}

// fitLogAxis gives a log axis a range it can draw whatever the data: one
// value (gonum would pad it to value±1, below 0 for any value under 1),
// equal values, or no value at all. The range is widened to at least a
// factor of four, so that ticks fall inside it, and by a margin, so that
// no point sits on the frame.
func fitLogAxis(a *plot.Axis) {
	lo, hi := a.Min, a.Max
	if !(lo > 0) || math.IsInf(lo, 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		lo, hi = 1, 10
	}
	if hi/lo < 4 {
		mid := math.Sqrt(lo * hi)
		lo, hi = mid/2, mid*2
	}
	a.Min, a.Max = lo/1.3, hi*1.3
}

// palette is Okabe and Ito's: eight colours that colour-blind readers
// tell apart too.
var palette = []color.Color{
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0x33, 0x33, 0x33, 0xFF}, // near black
	color.RGBA{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// methodStyle is the colour and glyph of method m, the same in every
// figure.
// Python's rows take the colour of the lab's method of the same name
// (py-fork fork's, py-thread thread's) with a glyph of their own.
func methodStyle(m results.Method) (color.Color, draw.GlyphDrawer) {
	if m.IsPython() {
		i := max(slices.Index(results.Methods, results.Method(strings.TrimPrefix(string(m), "py-"))), 0)
		return palette[i%len(palette)], plotutil.Shape(len(results.Methods) + i)
	}
	i := slices.Index(results.Methods, m)
	return seriesStyle(max(i, 0))
}

// seriesStyle is the colour and glyph of series i.
func seriesStyle(i int) (color.Color, draw.GlyphDrawer) {
	return palette[i%len(palette)], plotutil.Shape(i)
}

// roomForLegend raises the top of a linear y axis so that a legend of n
// entries in the top corner sits above the data rather than on it.
func roomForLegend(p *plot.Plot, n int) {
	lo, hi := p.Y.Min, p.Y.Max
	if hi <= lo {
		return
	}
	p.Y.Max = hi + (hi-lo)*(0.08*float64(n)+0.05)
}
