package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The parent column and the parent-memory figure show what the parent
// held, ballast plus the lab (lab_rss_bytes), not only the ballast: a
// "parent 0" run is a point at the lab's own size.
func TestParentIsBallastPlusLab(t *testing.T) {
	res := oneRun(results.Fork, []int64{0, 64 << 20}, 400_000, 900_000) // the lab holds 17 MiB of its own
	var buf bytes.Buffer
	if err := Methods(&buf, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"parent (ballast + lab)", "0B + 17.0MiB", "64MiB + 17.0MiB"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := Table(&buf, res, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "the lab itself held 17.0MiB resident (6.00MiB of it anonymous) in 119 mappings") {
		t.Errorf("no footprint line:\n%s", buf.String())
	}
	fig := parentRSSFigure(res)
	if fig == nil {
		t.Fatal("no parent-memory figure for parents 0 and 64 MiB")
	}

	// Results written before the lab measured itself show the ballast.
	for i := range res.Runs {
		res.Runs[i].LabRSSBytes = 0
	}
	buf.Reset()
	if err := Methods(&buf, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), " + ") || !strings.Contains(buf.String(), "64MiB") {
		t.Errorf("without lab figures:\n%s", buf.String())
	}
	if parentRSSFigure(res) != nil {
		t.Error("a parent figure from one positive size")
	}
}

// The footprint line says what the lab itself held, less the ballast.
func TestFootprintLine(t *testing.T) {
	res := oneRun(results.Fork, []int64{64 << 20}, 1000)
	line := footprintLine(res)
	want := "the lab itself held 17.0MiB resident (6.00MiB of it anonymous) in 119 mappings with 200KiB of page tables (medians over 1 run), besides the 64MiB ballast"
	if !strings.Contains(line, want) {
		t.Errorf("footprint line:\n%s\nwant %q", line, want)
	}
}
