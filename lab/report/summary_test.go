package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
	"github.com/proclab/proclab/lab/stats"
)

// lessonLab is a lab report of every part a lesson is drawn from: start
// methods with spawn's startup split, a compare grid, a parent sweep, a
// start profile, Python's methods and Python's grid. The figures are
// uneven on purpose: a figure off by a little shows in its digits.
func lessonLab() LabReport {
	methods := oneRun(results.Fork, []int64{0}, 311_000, 327_000, 343_000)
	sp := oneRun(results.Spawn, []int64{0}, 1_530_000, 1_610_000, 1_790_000)
	for i := range sp.Runs[0].Tasks {
		tk := &sp.Runs[0].Tasks[i]
		tk.ExecDoneNS, tk.RuntimeReadyNS = ns(int64(121_000+7_000*i)), ns(*tk.StartupNS-97_000)
	}
	fe := oneRun(results.ForkExec, []int64{0}, 2_210_000, 2_330_000, 2_470_000)
	th := oneRun(results.Thread, []int64{0}, 10_300, 11_700, 12_900)
	methods.Runs = append(methods.Runs, sp.Runs[0], fe.Runs[0], th.Runs[0])
	methods.Spec.Methods = []results.Method{results.Fork, results.Spawn, results.ForkExec, results.Thread}

	grid := gridResult(cell(1, 1000, 1_100_000, 1_900_000, 1_300_000), cell(1, 10_000_000, 41_000_000, 43_000_000, 41_300_000),
		cell(4, 1000, 4_300_000, 3_900_000, 4_700_000), cell(4, 10_000_000, 163_000_000, 87_300_000, 85_100_000))
	for i := range grid.Cells {
		grid.Cells[i].Method = results.Fork
	}
	grid.Crossover = stats.Crossovers(grid.Cells)

	sw := sweep(map[results.Method][2]int64{results.Fork: {21_300_000, 63_700_000}, results.Spawn: {1_500_000, 1_600_000}})
	sw.Host = &results.Host{THP: "madvise"}

	prof := oneRun(results.Fork, []int64{0, 1 << 30}, 400_000)
	prof.StartProfile = &results.StartProfileInfo{PeriodNS: 250_000, Phases: []results.PhaseSummary{
		{Method: "fork", ParentRSSBytes: 0, Phase: startprof.PhaseCreate, CPUNS: 310_000, Tasks: 3},
		{Method: "fork", ParentRSSBytes: 1 << 30, Phase: startprof.PhaseCreate, CPUNS: 61_700_000, Tasks: 3, KernelShare: 0.97,
			Parts: []results.FuncShare{{Func: startprof.PartPageTableCopy, Share: 0.834}}},
	}}

	py := oneRun(results.PyFork, []int64{0}, 1_810_000, 1_870_000)
	for _, o := range []*results.Result{oneRun(results.PySpawn, []int64{0}, 36_100_000, 37_300_000), oneRun(results.Fork, []int64{0}, 331_000, 349_000)} {
		py.Runs = append(py.Runs, o.Runs[0])
	}
	py.Spec.Methods = []results.Method{results.PyFork, results.PySpawn, results.Fork}
	py.Python = &results.PythonInfo{Version: "3.11.7"}

	pygrid := gridResult(cell(1, 1000, 2_000_000, 3_000_000, 2_100_000), cell(4, 1_000_000, 400_000_000, 210_000_000, 403_000_000))

	return LabReport{Title: "lab", Root: "r", Sections: []LabSection{
		{Dir: "methods", Res: methods}, {Dir: "compare", Res: grid}, {Dir: "parent-rss", Res: sw},
		{Dir: "start-profile", Res: prof}, {Dir: "python", Res: py}, {Dir: "compare-python", Res: pygrid},
	}}
}

// Each lesson quotes its figures from stats: the fastest process method
// and the slowest beside it, spawn's split, the crossover cell, fork's
// growth per GiB, the start profile's phase, Python's medians; and links
// to a heading of the report.
func TestLessonsQuoteStats(t *testing.T) {
	lr := lessonLab()
	var buf bytes.Buffer
	if err := Lab(&buf, lr); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	lessonsAt, contentsAt := strings.Index(md, "## Lessons"), strings.Index(md, "## Contents")
	if lessonsAt < 0 || contentsAt < lessonsAt {
		t.Fatalf("no lessons before the contents:\n%s", md)
	}
	top := md[lessonsAt:contentsAt]

	rows := stats.AtParent(stats.Rows(lr.Sections[0].Res), 0)
	rk := stats.RankStartups(rows)
	spawn, _ := stats.RowFor(rows, stats.Key{Method: results.Spawn, NTasks: 3, NIters: 1000})
	big := stats.LargestCell(lr.Sections[1].Res.Cells)
	x := lr.Sections[1].Res.Crossover[1]
	at, _ := stats.CellAt(lr.Sections[1].Res.Cells, x.NTasks, *x.NIters)
	g, _ := stats.GrowthOf(stats.ParentGrowth(lr.Sections[2].Res, stats.Rows(lr.Sections[2].Res)), results.Fork)
	ph := lr.Sections[3].Res.StartProfile.Phases[1]
	pyRows := stats.Rows(lr.Sections[4].Res)
	pyBig := stats.LargestCell(lr.Sections[5].Res.Cells)
	want := []string{
		"**fork** starts a process fastest here: a median " + dur(rk.Procs[0].Startup.Median),
		"; the next, spawn, takes " + times(rk.Procs[1].Ratio) + " as long (" + dur(rk.Procs[1].Startup.Median) + ")",
		"the slowest, fork-exec, takes " + times(rk.Procs[2].Ratio) + " as long (" + dur(rk.Procs[2].Startup.Median) + ")",
		"a thread is running its task after " + dur(rk.Thread.Startup.Median),
		"Of spawn's startup (a median " + dur(spawn.Split.Startup) + "), creating the process and reaching the new image takes " + dur(spawn.Split.Image),
		"starting the Go program (runtime and package init) " + dur(spawn.Split.Program),
		"per task a median " + pct(spawn.Split.ProgramShare) + " is the program starting",
		"With 4 tasks, fork processes pay off from n_iters = 1000 on (speedup " + f2(at.Speedup) + "× there, one process taking " + dur(stats.PerTaskSingle(at)),
		"processes reach " + f2(big.Speedup) + "× and threads " + f2(big.ThreadUp) + "×",
		"Fork's startup goes from a median " + dur(g.AtLo) + " with 1GiB in the parent to " + dur(g.AtHi) + " with 3GiB, about " + dur(g.PerGiB) + " more per GiB",
		"Transparent huge pages were `madvise`",
		"fork's create call, with 1GiB in the parent, take " + dur(stats.PhaseCPUPerTask(ph)) + " of CPU per task, 83% of it copying page tables",
		"py-fork " + dur(pyRows[0].Startup.Median) + " and py-spawn " + dur(pyRows[1].Startup.Median),
		"py-fork takes " + times(stats.Ratio(pyRows[0].Startup.Median, pyRows[2].Startup.Median)) + " as long as the lab's fork (" + dur(pyRows[2].Startup.Median) + ")",
		"4 threads of n_iters = 1M reach " + f2(pyBig.ThreadUp) + "× over one process and 4 py-fork processes " + f2(pyBig.Speedup) + "×",
	}
	for _, w := range want {
		if !strings.Contains(top, w) {
			t.Errorf("the lessons lack %q:\n%s", w, top)
		}
	}
	// The figures themselves, against values worked out by hand from
	// the data above: stats' own figures, not a figure of the renderer's.
	for _, w := range []string{"a median 327µs", "takes 4.9× as long (1.61ms)", "(2.33ms)", "after 11.7µs", "a median 1.61ms", "takes 128µs", "program (runtime and package init) 1.39ms",
		"21.2ms more per GiB", "take 20.6ms of CPU per task"} {
		if !strings.Contains(top, w) {
			t.Errorf("the lessons lack %q:\n%s", w, top)
		}
	}
	// Every lesson links to a heading the report has.
	links := regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(top, -1)
	if len(links) != 7 {
		t.Errorf("%d lessons link to a section, want 7:\n%s", len(links), top)
	}
	ids := map[string]bool{}
	for _, h := range headingsOf(md, &slugs{}) {
		ids[h.id] = true
	}
	for _, l := range links {
		if !ids[l[1]] {
			t.Errorf("a lesson links to #%s, which no heading has", l[1])
		}
	}
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

func f2(f float64) string { return fmt.Sprintf("%.2f", f) }

// With a second sweep in huge pages, the growth lesson sets its slope
// beside the one without; a slope at or below 0 (noise: a quick lab's
// figures) reads as no growth measured, not as a negative cost.
func TestGrowthLessonWithHugePages(t *testing.T) {
	plain := sweep(map[results.Method][2]int64{results.Fork: {21_300_000, 63_700_000}})
	for _, c := range []struct {
		at   [2]int64
		want string
	}{
		{[2]int64{2_100_000, 2_900_000}, "; with the ballast in 2 MiB pages (`--parent-thp`) 400µs per GiB against 21.2ms without."},
		{[2]int64{2_100_000, 1_900_000}, "; with the ballast in 2 MiB pages (`--parent-thp`) no growth was measured (2.10ms at 1GiB, 1.90ms at 3GiB) against 21.2ms per GiB without."},
	} {
		thp := sweep(map[results.Method][2]int64{results.Fork: c.at})
		thp.Spec.ParentTHP = true
		if a, b := sectionTitle(plain), sectionTitle(thp); a != "Startup against the parent's memory" || b != a+", in transparent huge pages" {
			t.Errorf("the two sweeps' headings: %q and %q", a, b)
		}
		got := growthLesson(plain, thp)
		if !strings.HasPrefix(got, "Fork's startup goes from a median 21.3ms with 1GiB in the parent to 63.7ms with 3GiB, about 21.2ms more per GiB") ||
			!strings.HasSuffix(got, c.want) {
			t.Errorf("lesson %q, want it to end %q", got, c.want)
		}
	}
}

// A lesson drawn from a cell stats holds suspect says it is not to be
// trusted, with the cell and its first reason; a trusted cell's lesson
// does not.
func TestLessonFromSuspectCell(t *testing.T) {
	grid := gridResult(cell(2, 1000, 1_100_000, 1_900_000, 1_300_000), cell(2, 10_000_000, 41_000_000, 23_000_000, 22_300_000))
	for i := range grid.Cells {
		grid.Cells[i].Method = results.Fork
	}
	if s := payOffLesson(grid); strings.Contains(s, "Not to be trusted") {
		t.Errorf("a trusted grid's lesson is marked: %s", s)
	}
	grid.Cells[1].Suspect = "processes' speedup 2.51× is more than the 2× that min(n_tasks, CPUs) allows; single's loops got 36% of a CPU (100% possible)"
	want := " **Not to be trusted:** n_tasks=2, n_iters=10M was measured on a busy machine or is impossible (processes' speedup 2.51× is more than the 2× that min(n_tasks, CPUs) allows)."
	if s := payOffLesson(grid); !strings.HasSuffix(s, want) {
		t.Errorf("lesson %q, want it to end %q", s, want)
	}
	if s := gilLesson(grid); !strings.HasSuffix(s, want) {
		t.Errorf("GIL lesson %q, want it to end %q", s, want)
	}
}
