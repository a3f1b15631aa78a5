package report

import (
	"bytes"
	"encoding/xml"
	"image"
	_ "image/png"
	"testing"

	"gonum.org/v1/plot"

	"github.com/proclab/proclab/lab/results"
)

// checkFigure draws f as PNG and SVG, decodes both, and checks that its
// data is drawn: the PNG differs from the same plot (title, axes with the
// same ranges, grid, legend) drawn without the data in enough pixels.
func checkFigure(t *testing.T, f Figure) {
	t.Helper()
	var png, svg bytes.Buffer
	if err := f.PNG(&png); err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(&png)
	if err != nil || format != "png" {
		t.Fatalf("%s.png: %v (%s)", f.Name, err, format)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 500 {
		t.Errorf("%s.png is %v", f.Name, b)
	}
	if !inked(img) {
		t.Errorf("%s.png is blank", f.Name)
	}
	n := dataInk(t, f, img)
	t.Logf("%s: data drawn in %d pixels", f.Name, n)
	if n < minDataInk {
		t.Errorf("%s.png: its data changes %d pixels of the plot without it, want %d or more", f.Name, n, minDataInk)
	}
	if err := f.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	var doc struct{ XMLName xml.Name }
	if err := xml.Unmarshal(svg.Bytes(), &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Errorf("%s.svg: %v, root %q", f.Name, err, doc.XMLName.Local)
	}
	if !bytes.Contains(svg.Bytes(), []byte(f.Title[:10])) && f.Name != "rss" {
		t.Errorf("%s.svg lacks its title", f.Name)
	}
}

// minDataInk is the fewest pixels the data of a figure must change: one
// glyph of the smallest radius drawn is some 20 pixels; the smallest
// figure (one point) has at least a glyph and a median bar.
const minDataInk = 20

// dataInk counts the pixels where img (f drawn) differs from f's frame
// alone: a plot with f's title, axes (their ranges included), grid and
// legend, and no data.
func dataInk(t *testing.T, f Figure, img image.Image) int {
	t.Helper()
	bare := plot.New()
	bare.Title = f.plot.Title
	bare.BackgroundColor = f.plot.BackgroundColor
	bare.X, bare.Y = f.plot.X, f.plot.Y
	bare.Legend = f.plot.Legend
	bare.TextHandler = f.plot.TextHandler
	bare.Add(gridLines())
	var buf bytes.Buffer
	if err := (Figure{Name: f.Name, plot: bare}).PNG(&buf); err != nil {
		t.Fatalf("%s without its data: %v", f.Name, err)
	}
	frame, _, err := image.Decode(&buf)
	if err != nil || frame.Bounds() != img.Bounds() {
		t.Fatalf("%s without its data: %v", f.Name, err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := frame.At(x, y).RGBA()
			if absDiff(r1, r2)+absDiff(g1, g2)+absDiff(b1, b2) > 0x3000 {
				n++
			}
		}
	}
	return n
}

// The frame of a figure without data is the figure: dataInk counts only
// what data adds.
func TestDataInkOfNoData(t *testing.T) {
	p := newPlot("a figure with no data at all", "x", "y")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 10, 0, 5
	f := Figure{Name: "empty", Title: "a figure with no data at all", plot: p}
	var buf bytes.Buffer
	if err := f.PNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n := dataInk(t, f, img); n != 0 {
		t.Errorf("a figure without data: %d pixels of data", n)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// inked reports whether the image has at least a few hundred non-white
// pixels: axes, labels and data.
func inked(img image.Image) bool {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
				n++
			}
		}
	}
	return n > 500
}

func TestNoFiguresWithoutData(t *testing.T) {
	empty := &results.Result{Schema: results.Schema, Spec: results.SpecInfo{Methods: []results.Method{results.Fork}, ParentRSSBytes: []int64{0}}}
	if figs := Figures(empty); len(figs) != 0 {
		t.Errorf("figures of an empty result: %v", figs)
	}
}

// Every figure is drawn with its data, pixel by pixel against its frame,
// whatever the shape of the results: one point, one cell of a grid, all
// values equal, a parent size of 0 beside 64 MiB, live samples.
func TestFiguresOfEveryShape(t *testing.T) {
	sampled := oneRun(results.Fork, []int64{0}, 300_000, 320_000)
	for i := range sampled.Runs[0].Tasks {
		tk := &sampled.Runs[0].Tasks[i]
		for k := range 4 {
			tk.Samples = append(tk.Samples, results.Sample{TNS: int64(k) * 10e6, RSSBytes: int64(5+k) << 20, PSSBytes: int64(1+k) << 20})
		}
	}
	twoSizes := oneRun(results.Fork, []int64{0, 64 << 20}, 300_000, 340_000)
	grid := gridResult(cell(2, 1000, 10e6, 30e6, 11e6))
	grid.Spec.Methods = []results.Method{results.Single, results.Fork, results.Thread}
	equal := oneRun(results.Spawn, []int64{0}, 500_000, 500_000, 500_000)
	for _, c := range []struct {
		name string
		res  *results.Result
		want []string
	}{
		{"one point", oneRun(results.Fork, []int64{0}, 300_000), []string{"startup"}},
		{"one cell", grid, []string{"speedup"}},
		{"equal values", equal, []string{"startup", "rss"}},
		{"parent sizes 0 and 64 MiB", twoSizes, []string{"startup", "parent-rss", "rss"}},
		{"live samples", sampled, []string{"startup", "rss", "rss-live"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			figs := Figures(c.res)
			var names []string
			for _, f := range figs {
				names = append(names, f.Name)
			}
			if !containsAll(names, c.want) {
				t.Errorf("figures %v, want %v", names, c.want)
			}
			for _, f := range figs {
				checkFigure(t, f)
			}
		})
	}
}
