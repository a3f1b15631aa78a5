package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

func figureNamed(t *testing.T, res *results.Result, name string) Figure {
	t.Helper()
	figs := Figures(res)
	i := slices.IndexFunc(figs, func(f Figure) bool { return f.Name == name })
	if i < 0 {
		t.Fatalf("no %s figure", name)
	}
	checkFigure(t, figs[i])
	return figs[i]
}

// The live memory figure draws every recorded round's sampled children,
// each method in turn, and its title says how many; before, it drew
// round 0 only (two flat forkserver lines while other rounds had sampled
// spawn and fork-exec).
func TestLiveFigureDrawsEveryRound(t *testing.T) {
	res := oneRun(results.Forkserver, []int64{0}, 400_000, 410_000)
	for _, o := range []*results.Result{oneRun(results.Spawn, []int64{0}, 1_500_000), oneRun(results.ForkExec, []int64{0}, 2_000_000)} {
		r := o.Runs[0]
		r.Round = 1 + len(res.Runs)
		res.Runs = append(res.Runs, r)
	}
	warm := oneRun(results.Fork, []int64{0}, 300_000).Runs[0]
	warm.Round = -1 // a warmup: not drawn
	res.Runs = append(res.Runs, warm)
	res.Spec.Methods = []results.Method{results.Forkserver, results.Spawn, results.ForkExec, results.Fork}
	for i := range res.Runs {
		for j := range res.Runs[i].Tasks {
			res.Runs[i].Tasks[j].Samples = []results.Sample{{TNS: 1e6, RSSBytes: 4 << 20, PSSBytes: 1 << 20}, {TNS: 5e6, RSSBytes: 9 << 20, PSSBytes: 3 << 20}}
		}
	}
	f := figureNamed(t, res, "rss-live")
	if !strings.Contains(f.Title, "every round, 4 children") {
		t.Errorf("title %q", f.Title)
	}
	var svg bytes.Buffer
	if err := f.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"forkserver RSS", "spawn RSS", "fork-exec RSS"} {
		if !strings.Contains(svg.String(), m) {
			t.Errorf("rss-live does not draw %s", m)
		}
	}
	if !strings.Contains(svg.String(), "RSS solid, PSS dashed") {
		t.Errorf("rss-live with PSS samples does not say PSS is dashed")
	}
	// Quick readings only (RSS, no PSS): the axis does not promise PSS.
	for i := range res.Runs {
		for j := range res.Runs[i].Tasks {
			for k := range res.Runs[i].Tasks[j].Samples {
				res.Runs[i].Tasks[j].Samples[k].PSSBytes = 0
			}
		}
	}
	var quick bytes.Buffer
	if err := figureNamed(t, res, "rss-live").SVG(&quick); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(quick.String(), "PSS dashed") || !strings.Contains(quick.String(), "PSS not read") {
		t.Errorf("rss-live of quick readings names PSS dashed")
	}
	if strings.Contains(svg.String(), ">fork RSS") {
		t.Errorf("rss-live draws a warmup round")
	}
}

// The speedup figure's ideal is each n_tasks' own, min(n_tasks, CPUs):
// 1× for one task, not the ideal of the largest.
func TestSpeedupIdealPerTasks(t *testing.T) {
	res := gridResult(cell(1, 1000, 1_000_000, 1_100_000, 1_050_000), cell(1, 1_000_000, 90_000_000, 91_000_000, 90_500_000),
		cell(2, 1000, 2_000_000, 2_100_000, 2_050_000), cell(2, 1_000_000, 180_000_000, 100_000_000, 95_000_000))
	f := figureNamed(t, res, "speedup")
	var svg bytes.Buffer
	if err := f.SVG(&svg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svg.String(), "ideal (dotted): 1× for 1, 2× for 2 tasks") {
		t.Errorf("the speedup figure's legend does not give each n_tasks' ideal")
	}
}

// A startup figure of several parent sizes says that it draws only the
// smallest.
func TestStartupFigureSaysWhichParent(t *testing.T) {
	res := oneRun(results.Fork, []int64{0, 1 << 30}, 300_000, 320_000)
	if f := figureNamed(t, res, "startup"); !strings.Contains(f.Title, "no ballast only; the other parent sizes are not drawn") {
		t.Errorf("title %q", f.Title)
	}
	res = oneRun(results.Fork, []int64{64 << 20, 1 << 30}, 300_000, 320_000)
	if f := figureNamed(t, res, "startup"); !strings.Contains(f.Title, "parent holding 64MiB only") {
		t.Errorf("title %q", f.Title)
	}
}
