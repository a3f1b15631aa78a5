package stats

import (
	"math"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

func p64(v int64) *int64 { return &v }

// task is a task that ended well with the given startup and total.
func task(i int, startup, total int64) results.Task {
	return results.Task{Task: i, StartupNS: p64(startup), TotalNS: total, RunNS: total / 2, ChecksumOK: results.Ptr(true)}
}

// run is a recorded run of m whose tasks have the given startups (total =
// 2 × startup) and wall.
func run(m results.Method, round int, wall int64, startups ...int64) results.RunResult {
	r := results.RunResult{Method: m, Round: round, NTasks: len(startups), NIters: 1000, WallNS: wall}
	for i, s := range startups {
		r.Tasks = append(r.Tasks, task(i, s, 2*s))
	}
	return r
}

func result(runs ...results.RunResult) *results.Result {
	res := &results.Result{Schema: results.Schema, Runs: runs}
	for _, r := range runs {
		found := false
		for _, m := range res.Spec.Methods {
			found = found || m == r.Method
		}
		if !found {
			res.Spec.Methods = append(res.Spec.Methods, r.Method)
		}
	}
	return res
}

// The rule: failed, timed-out and interrupted tasks never count, a bad
// checksum never does, an unknown one does; a run's wall counts only when
// every task of it does and it is a recorded round with all its tasks.
func TestCountingRule(t *testing.T) {
	good := task(0, 10, 20)
	unknown := good
	unknown.ChecksumOK = nil
	bad := good
	bad.ChecksumOK = results.Ptr(false)
	failed := good
	failed.Error = "killed by SIGKILL"
	timedOut := good
	timedOut.TimedOut = true
	for _, c := range []struct {
		name string
		t    results.Task
		want bool
	}{{"good", good, true}, {"checksum unknown", unknown, true}, {"checksum bad", bad, false},
		{"failed", failed, false}, {"timed out", timedOut, false}} {
		if got := Counts(&c.t); got != c.want {
			t.Errorf("%s: Counts %v, want %v", c.name, got, c.want)
		}
	}
	r := run(results.Fork, 0, 100, 10, 11)
	if !WallCounts(&r) {
		t.Error("a good run's wall does not count")
	}
	warm := run(results.Fork, -1, 100, 10, 11)
	if WallCounts(&warm) || Recorded(&warm) {
		t.Error("a warmup round counts")
	}
	short := run(results.Fork, 0, 100, 10, 11)
	short.NTasks = 3
	if WallCounts(&short) {
		t.Error("a run with a task missing counts")
	}
	spoiled := run(results.Fork, 0, 100, 10, 11)
	spoiled.Tasks[1].Error = "interrupted: killed by the lab"
	if WallCounts(&spoiled) {
		t.Error("a run with an interrupted task counts")
	}
}

// One rule everywhere: the row, the JSON summary, diff's and every other
// figure leave out the same tasks and runs, and say how many.
func TestRowsFollowTheRule(t *testing.T) {
	r1 := run(results.Fork, 0, 500, 100, 300)
	r1.Tasks[1].Error = "killed"
	r1.Tasks[1].TotalNS = 9999
	r2 := run(results.Fork, 1, 400, 200, 200)
	warm := run(results.Fork, -1, 99999, 7, 7)
	res := result(warm, r1, r2)
	rows := Rows(res)
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	if r.Total.N != 3 || r.Total.Max != 400 || r.Startup.Median != 200 || r.Wall.N != 1 || r.Wall.Median != 400 {
		t.Errorf("row %+v", r)
	}
	if r.LeftOut != 1 || r.LeftOutRuns != 1 || r.Tasks != 4 || r.Counted != 3 || r.WallRuns != 1 {
		t.Errorf("left out: %+v", r.Group)
	}
	e := Summaries(res)
	if len(e) != 1 || e[0].N != 3 || e[0].LeftOut != 1 || e[0].LeftOutRuns != 1 || e[0].Wall.MedianNS != 400 || e[0].Total.MaxNS != 400 {
		t.Errorf("summary %+v", e)
	}
}

// The figures of a row are exact: medians, quantiles, means of the
// counting tasks, and the ratios against the fastest row of the table.
func TestRowFigures(t *testing.T) {
	res := result(
		run(results.Fork, 0, 1000, 100, 110, 120, 130), run(results.Spawn, 0, 3000, 300, 330, 360, 390),
		run(results.Fork, 1, 1200, 140, 150, 160, 170), run(results.Spawn, 1, 3600, 420, 450, 480, 510),
	)
	rows := Rows(res)
	fork, spawn := rows[0], rows[1]
	// fork: 100..170 step 10: median 135, p10 107, p90 163, mean 135.
	if fork.Startup.Median != 135 || math.Abs(fork.Startup.P10-107) > 1e-9 || math.Abs(fork.Startup.P90-163) > 1e-9 || fork.Startup.Mean != 135 {
		t.Errorf("fork startup %+v", fork.Startup)
	}
	if fork.Total.Median != 270 || fork.Run.Median != 135 || fork.Wall.Mean != 1100 {
		t.Errorf("fork total %+v run %+v wall %+v", fork.Total, fork.Run, fork.Wall)
	}
	// spawn: 300..510 step 30 → median 405; wall mean 3300.
	if spawn.Startup.Median != 405 || fork.StartupRatio != 1 || spawn.StartupRatio != 3 || spawn.WallRatio != 3 {
		t.Errorf("spawn %+v ratios %v %v", spawn.Startup, spawn.StartupRatio, spawn.WallRatio)
	}
	// The wall ratio is of means (mean ± σ is what the table shows): walls
	// 1000, 1000, 7000 (mean 3000, median 1000) against 2000, 2000, 2000.
	w := Rows(result(run(results.Fork, 0, 1000, 1), run(results.Spawn, 0, 2000, 1), run(results.Fork, 1, 1000, 1),
		run(results.Spawn, 1, 2000, 1), run(results.Fork, 2, 7000, 1), run(results.Spawn, 2, 2000, 1)))
	if w[0].WallRatio != 1.5 || w[1].WallRatio != 1 {
		t.Errorf("wall ratios %v %v, want 1.5 (mean 3000 over 2000) and 1", w[0].WallRatio, w[1].WallRatio)
	}
	// Ratios are within a table: a parent size of its own has its own fastest.
	big := run(results.Spawn, 0, 9000, 900)
	big.ParentRSSBytes = 1 << 30
	rows = Rows(result(run(results.Fork, 0, 100, 100), run(results.Spawn, 0, 300, 300), big))
	if rows[2].StartupRatio != 1 || rows[1].StartupRatio != 3 {
		t.Errorf("ratios across parent sizes: %v %v", rows[1].StartupRatio, rows[2].StartupRatio)
	}
}

// The exec split's parts are medians over the same tasks, and the
// program's share is the median of each task's own share, not a ratio of
// medians (the 1.06/1.93 = 55% against a quoted 64%).
func TestExecSplit(t *testing.T) {
	r := run(results.Spawn, 0, 10000, 1000, 2000, 4000)
	for i, ex := range []int64{100, 1500, 1000} {
		tk := &r.Tasks[i]
		tk.ExecDoneNS = p64(ex)
		tk.RuntimeReadyNS = p64(*tk.StartupNS - 10)
	}
	s := Rows(result(r))[0].Split
	// shares: 900/1000 = 0.9, 500/2000 = 0.25, 3000/4000 = 0.75 → median 0.75.
	if s.N != 3 || s.Image != 1000 || s.Startup != 2000 || s.ProgramShare != 0.75 || s.ToTask != 10 {
		t.Errorf("split %+v", s)
	}
	// programs: 990-100, 1990-1500, 3990-1000 → median 890.
	if s.Program != 890 {
		t.Errorf("program %v, want 890", s.Program)
	}
	ratioOfMedians := (s.Startup - s.Image) / s.Startup
	if s.ProgramShare == ratioOfMedians {
		t.Fatalf("share equals the ratio of medians here by chance (%v): pick other figures", ratioOfMedians)
	}
}

// The lab's footprint is the median over the runs that measured it.
func TestFootprint(t *testing.T) {
	r := func(rss, anon int64) results.RunResult {
		x := run(results.Fork, 0, 100, 10)
		x.ParentRSSBytes = 64 << 20
		x.LabRSSBytes, x.LabAnonBytes, x.LabVMAs, x.LabPTEBytes, x.LabDontForkBytes = rss, anon, 50, 4096, 1<<20
		return x
	}
	res := result(r(100<<20, 80<<20), r(110<<20, 90<<20), r(90<<20, 70<<20), run(results.Fork, 0, 100, 10))
	res.Runs[3].ParentRSSBytes = 64 << 20 // measured nothing: left out
	fp := FootprintAt(res, 64<<20)
	if fp.N != 3 || fp.RSS != 100<<20 || fp.OwnRSS != 36<<20 || fp.OwnAnon != 16<<20 || fp.VMAs != 50 || fp.DontFork != 1<<20 {
		t.Errorf("footprint %+v", fp)
	}
	if ParentHeld(res, 64<<20) != 100<<20 || ParentHeld(res, 0) != 0 {
		t.Errorf("parent held %v", ParentHeld(res, 64<<20))
	}
}

// A parent sweep's growth: the slope per GiB between the smallest and the
// largest size, judged on the ends.
func TestParentGrowth(t *testing.T) {
	at := func(m results.Method, size int64, startup int64) results.RunResult {
		x := run(m, 0, startup, startup)
		x.ParentRSSBytes = size
		return x
	}
	res := result(
		at(results.Fork, 1<<30, 20e6), at(results.Spawn, 1<<30, 1e6),
		at(results.Fork, 3<<30, 60e6), at(results.Spawn, 3<<30, 1.1e6),
		at(results.ForkExec, 1<<30, 30e6), at(results.ForkExec, 3<<30, 110e6),
		// 1.2× over the sweep at 2.5 ms/GiB: steep enough, not large enough.
		at(results.Exec, 1<<30, 25e6), at(results.Exec, 3<<30, 30e6),
	)
	res.Spec.ParentRSSBytes = []int64{1 << 30, 3 << 30}
	gs := ParentGrowth(res, Rows(res))
	fork, _ := GrowthOf(gs, results.Fork)
	spawn, _ := GrowthOf(gs, results.Spawn)
	fe, _ := GrowthOf(gs, results.ForkExec)
	if !fork.Grows || fork.PerGiB != 20e6 || fork.AtLo != 20e6 || fork.AtHi != 60e6 {
		t.Errorf("fork %+v", fork)
	}
	if spawn.Grows || spawn.PerGiB != 0.05e6 {
		t.Errorf("spawn %+v", spawn)
	}
	if ex, _ := GrowthOf(gs, results.Exec); ex.Grows || ex.PerGiB != 2.5e6 {
		t.Errorf("exec %+v: 1.2× at 2.5 ms/GiB does not grow", ex)
	}
	if r := Ratio(fe.PerGiB, fork.PerGiB); r != 2 {
		t.Errorf("fork-exec over fork %v, want 2", r)
	}
	flat, grows, r, ok := SoonerAtLargest(gs)
	if !ok || flat.Method != results.Spawn || grows.Method != results.Fork || math.Abs(r-60/1.1) > 1e-9 {
		t.Errorf("sooner: %v %v %v %v", flat.Method, grows.Method, r, ok)
	}
}

// Startups ranked: process methods by median, each with its ratio over
// the fastest, and the thread beside the fastest.
func TestRankStartups(t *testing.T) {
	// Medians, not means: spawn 1500, 1500, 9000 (median 1500, mean 4000).
	res := result(run(results.Spawn, 0, 100, 1500, 1500, 9000), run(results.Fork, 0, 100, 300, 300, 300), run(results.Thread, 0, 100, 10, 10, 10),
		run(results.Single, 0, 100, 5, 5, 5))
	for i := range res.Runs[3].Tasks {
		res.Runs[3].Tasks[i].StartupNS = nil
	}
	rk := RankStartups(Rows(res))
	if len(rk.Procs) != 2 || rk.Procs[0].Method != results.Fork || rk.Procs[1].Ratio != 5 || rk.Thread == nil || rk.ThreadGain != 30 {
		t.Errorf("ranking %+v thread %v gain %v", rk.Procs, rk.Thread, rk.ThreadGain)
	}
}

// Per-iteration loop time: the median of each task's run_ns / n_iters.
func TestPerIter(t *testing.T) {
	c := run(results.Fork, 0, 100, 10, 10, 10)
	c.Tasks[0].RunNS, c.Tasks[1].RunNS, c.Tasks[2].RunNS = 2000, 3000, 10000
	py := run(results.PyFork, 0, 100, 10)
	py.Tasks[0].RunNS = 100000
	res := result(c, py)
	if got := PerIter(res, false); got != 3 {
		t.Errorf("C per iteration %v, want 3", got)
	}
	if got := PerIter(res, true); got != 100 {
		t.Errorf("Python per iteration %v, want 100", got)
	}
}

// A compare grid's cells: median walls of the counting runs, speedups and
// efficiency from them.
func TestCellsFromRuns(t *testing.T) {
	mk := func(m results.Method, round int, wall int64) results.RunResult {
		r := run(m, round, wall, 1, 1)
		r.NIters = 500
		return r
	}
	// Medians, not means (single 4000, 4200, 6200: median 4200, mean
	// 4800); 3 tasks on 2 CPUs: parallelism 2.
	mk3 := func(m results.Method, round int, wall int64) results.RunResult {
		r := run(m, round, wall, 1, 1, 1)
		r.NIters = 500
		return r
	}
	runs := []results.RunResult{mk3(results.Single, 0, 4000), mk3(results.Fork, 0, 2100), mk3(results.Thread, 0, 2000),
		mk3(results.Single, 1, 6200), mk3(results.Fork, 1, 2300), mk3(results.Thread, 1, 2200),
		mk3(results.Single, 2, 4200), mk3(results.Fork, 2, 900000), mk3(results.Thread, 2, 2100)}
	runs[7].Tasks[0].Error = "killed" // its wall does not count
	cells := Cells(runs, results.Fork, 2)
	if len(cells) != 1 {
		t.Fatalf("cells %+v", cells)
	}
	c := cells[0]
	if c.SingleNS != 4200 || c.MultiNS != 2200 || c.ThreadNS != 2100 || c.Rounds != 2 || c.Parallelism != 2 {
		t.Errorf("cell %+v", c)
	}
	if math.Abs(c.Speedup-4200.0/2200) > 1e-12 || math.Abs(c.Efficiency-4200.0/2200/2) > 1e-12 || c.ThreadUp != 2 {
		t.Errorf("speedups %+v", c)
	}
	_ = mk
}

// Noise warnings do not suggest a --warmup the run had, and tasks that
// wait for a CPU (n_tasks above the CPUs) are said once, not called noise.
func TestNoiseWarningsKnowTheRun(t *testing.T) {
	noisy := []Row{{Group: Group{Key: Key{Method: results.Fork}}, Startup: Summary{N: 20, Outliers: 6},
		Wall: Summary{N: 10, Mean: 100, Stddev: 50}}}
	has := func(ws []string, sub string) bool {
		for _, w := range ws {
			if strings.Contains(w, sub) {
				return true
			}
		}
		return false
	}
	if ws := NoiseWarnings(noisy, 0, 2, 2); !has(ws, "add --warmup 2") || !has(ws, "outliers") {
		t.Errorf("no warmup: %q", ws)
	}
	if ws := NoiseWarnings(noisy, 2, 2, 2); has(ws, "--warmup") || !has(ws, "raise --repeat") {
		t.Errorf("warmup 2 had: %q", ws)
	}
	ws := NoiseWarnings(noisy, 2, 4, 2)
	if has(ws, "outliers") || !has(ws, "more tasks than the 2 CPUs") || len(ws) != 2 {
		t.Errorf("more tasks than CPUs: %q", ws)
	}
}

// Calibrate's figures: medians over the floor's, startup against the
// floor's startup (not its total), goals judged at their limit.
func TestOverheadAndGoals(t *testing.T) {
	floor := results.Floor{Name: "fork+_exit+wait4", StartupNS: results.Ptr(100.0), TotalNS: 300}
	var ts []results.Task
	for i, s := range []int64{110, 120, 130, 400} {
		ts = append(ts, task(i, s, 3*s))
	}
	ts[3].Error = "killed"
	mo := Overhead(results.Fork, floor, ts)
	if mo.N != 3 || mo.Failed != 1 || mo.StartupNS != 120 || mo.TotalNS != 360 || mo.StartupRatio != 1.2 || mo.TotalRatio != 1.2 ||
		mo.StartupOverNS != 20 || mo.TotalOverNS != 60 {
		t.Errorf("overhead %+v", mo)
	}
	gs := Goals([]results.MethodOverhead{mo})
	if len(gs) != 2 || gs[0].Met || gs[0].Limit != GoalForkStartupRatio || gs[0].Ratio != 1.2 {
		t.Errorf("goals %+v", gs)
	}
	mo.StartupRatio, mo.TotalRatio = 1.1, 1.15
	if gs := Goals([]results.MethodOverhead{mo}); !gs[0].Met || gs[1].Met {
		t.Errorf("1.10 is within 1.10, 1.15 is not: %+v", gs)
	}
	mo.StartupRatio = 1.15
	if gs := Goals([]results.MethodOverhead{mo}); gs[0].Met {
		t.Errorf("a startup 1.15x its floor met the 1.10x goal: %+v", gs)
	}
	if got := TasksPerSec(1000, 2e9); got != 500 {
		t.Errorf("1000 tasks in 2 s: %v tasks/s", got)
	}
}
