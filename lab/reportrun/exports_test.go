package reportrun

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"image"
	_ "image/png"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// The test binary imports csys (through lab), so it doubles as the worker
// that spawn starts.

var (
	smallOnce                        sync.Once
	smallRun, smallGrid, smallSample *results.Result
	smallRunE, smallGridE, smallSE   error
)

// smallResults are a small real run (two parent sizes, processes and
// threads), a small real compare grid, and a real run with live samples
// (fork children long enough for the sampler to read each several
// times), shared by the tests.
func smallResults(t *testing.T) (*results.Result, *results.Result) {
	t.Helper()
	smallOnce.Do(func() {
		smallRun, smallRunE = lab.Run(context.Background(), lab.Spec{
			Methods: []results.Method{results.Fork, results.Spawn, results.Thread, results.Single}, NTasks: 2, NIters: 100_000,
			Repeat: 2, ParentRSS: []int64{16 << 20, 32 << 20}})
		smallGrid, smallGridE = lab.Compare(context.Background(), lab.CompareSpec{
			NIters: []uint64{1000, 300_000}, NTasks: []int{1, 2}, Repeat: 2})
		smallSample, smallSE = lab.Run(context.Background(), lab.Spec{
			Methods: []results.Method{results.Fork, results.Spawn}, NTasks: 2, NIters: 60_000_000, Repeat: 1,
			ParentRSS: []int64{16 << 20, 32 << 20}, SampleInterval: 10 * time.Millisecond})
	})
	if smallRunE != nil || smallGridE != nil || smallSE != nil {
		t.Fatalf("run: %v; compare: %v; sampled run: %v", smallRunE, smallGridE, smallSE)
	}
	return smallRun, smallGrid
}

// sampledResult is the small real run with live samples.
func sampledResult(t *testing.T) *results.Result {
	t.Helper()
	smallResults(t)
	n := 0
	for _, r := range smallSample.Runs {
		for _, tk := range r.Tasks {
			n += len(tk.Samples)
		}
	}
	if n < 4 {
		t.Fatalf("the sampled run has %d live samples, want several", n)
	}
	return smallSample
}

func countTasks(res *results.Result) int {
	n := 0
	for _, r := range res.Runs {
		n += len(r.Tasks)
	}
	return n
}

// knownUnits are the units bench.txt reads back as; zero values included
// (a thread's sys time), each must read back as the same unit.
var knownUnits = map[string]bool{"sec/op": true, "startup-sec/op": true, "run-sec/op": true, "user-sec/op": true,
	"sys-sec/op": true, "hwm-B/op": true, "peak-pss-B/op": true, "minflt/op": true, "task-cpu-sec/op": true, "end-uss-B/op": true}

func TestBenchReadsBack(t *testing.T) {
	run, grid := smallResults(t)
	for _, res := range []*results.Result{run, grid} {
		var buf bytes.Buffer
		if err := report.Bench(&buf, res); err != nil {
			t.Fatal(err)
		}
		rd := benchfmt.NewReader(&buf, "bench.txt")
		n := 0
		name := regexp.MustCompile(`^Start/method=(fork|spawn|thread|single)/tasks=[12]/iters=\d+(/parent=(16|32)MiB)?$`)
		for rd.Scan() {
			switch rec := rd.Result().(type) {
			case *benchfmt.SyntaxError:
				t.Fatalf("bench.txt does not parse: %v", rec)
			case *benchfmt.Result:
				n++
				if !name.MatchString(rec.Name.String()) {
					t.Errorf("benchmark name %q", rec.Name)
				}
				if v, ok := rec.Value("sec/op"); !ok || v <= 0 {
					t.Errorf("%s: sec/op %v %v", rec.Name, v, ok)
				}
				method := string(bytes.TrimPrefix(bytes.Split(rec.Name.Full(), []byte("/"))[1], []byte("method=")))
				_, hasStartup := rec.Value("startup-sec/op")
				if hasStartup != (method != "single") {
					t.Errorf("%s: startup-sec/op present = %v", rec.Name, hasStartup)
				}
				if _, ok := rec.Value("hwm-B/op"); ok != results.Method(method).CreatesProcess() {
					t.Errorf("%s: hwm-B/op present = %v", rec.Name, ok)
				}
				for _, v := range rec.Values {
					if !knownUnits[v.Unit] {
						t.Errorf("%s: unit %q read back (a unit split in two for benchstat)", rec.Name, v.Unit)
					}
				}
			}
		}
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
		if want := countTasks(res); n != want {
			t.Errorf("%d benchmark results, want one per task: %d", n, want)
		}
	}
}

func TestCSVOneRowPerTask(t *testing.T) {
	run, grid := smallResults(t)
	for _, res := range []*results.Result{run, grid} {
		var buf bytes.Buffer
		if err := report.CSV(&buf, res); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("results.csv does not parse: %v", err)
		}
		if len(rows)-1 != countTasks(res) {
			t.Fatalf("%d rows, want one per task: %d", len(rows)-1, countTasks(res))
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		k := 1
		for _, r := range res.Runs {
			for _, tk := range r.Tasks {
				row := rows[k]
				k++
				if row[col["method"]] != string(r.Method) || row[col["pid"]] != strconv.Itoa(tk.PID) || row[col["total_ns"]] != strconv.FormatInt(tk.TotalNS, 10) {
					t.Fatalf("row %d %v does not match task %+v", k-1, row, tk)
				}
				if (row[col["startup_ns"]] == "") != (tk.StartupNS == nil) {
					t.Errorf("row %d: startup %q for %v", k-1, row[col["startup_ns"]], tk.StartupNS)
				}
			}
		}
	}
}

func TestFiguresDecode(t *testing.T) {
	run, grid := smallResults(t)
	cases := []struct {
		res  *results.Result
		want []string
	}{
		{run, []string{"startup", "parent-rss"}},
		{grid, []string{"startup", "speedup"}},
		{sampledResult(t), []string{"startup", "parent-rss", "rss"}},
	}
	for _, c := range cases {
		figs := report.Figures(c.res)
		var names []string
		for _, f := range figs {
			names = append(names, f.Name)
		}
		if len(names) < len(c.want) || !containsAll(names, c.want) {
			t.Errorf("figures %v, want %v", names, c.want)
		}
		for _, f := range figs {
			checkFigure(t, f)
		}
	}
}

// checkFigure draws f as PNG and SVG and decodes both: a real run's
// figure is drawn, at its size, with ink, its SVG well formed and titled.
// (That its data is drawn, pixel by pixel against its frame, is checked
// in lab/report on made-up results of every shape.)
func checkFigure(t *testing.T, f report.Figure) {
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
