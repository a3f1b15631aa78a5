package stats

import (
	"math"
	"testing"

	"golang.org/x/perf/benchmath"

	"github.com/proclab/proclab/lab/results"
)

// runsOf makes one run per startup value, each of tasks tasks: the run's
// tasks start at s, s+1, ..., so its median startup is s + (tasks-1)/2.
func runsOf(m results.Method, tasks int, startups ...int64) []results.RunResult {
	var runs []results.RunResult
	for i, s := range startups {
		r := results.RunResult{Method: m, Round: i, NTasks: tasks, NIters: 1000, WallNS: 2 * s}
		for k := range tasks {
			v := s + int64(k)
			r.Tasks = append(r.Tasks, results.Task{Task: k, StartupNS: &v, TotalNS: 2 * v})
		}
		runs = append(runs, r)
	}
	return runs
}

func doc(runs []results.RunResult) *results.Result {
	return &results.Result{Schema: results.Schema, Runs: runs}
}

func input(name string, runs []results.RunResult) DiffInput {
	return DiffInput{Name: name, Parts: []results.Part{{Name: ".", Res: doc(runs)}}}
}

// A 2x slower B is a significant +100%; a C equal to A is "~"; a figure
// only A has is compared with whoever has it.
func TestDiffSignificance(t *testing.T) {
	a := append(runsOf(results.Fork, 1, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109), runsOf(results.Spawn, 1, 5, 6, 7)...)
	b := runsOf(results.Fork, 1, 200, 202, 204, 206, 208, 210, 212, 214, 216, 218)
	c := runsOf(results.Fork, 1, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109)
	d := Diff([]DiffInput{input("a", a), input("b", b), input("c", c)}, 0.05)
	if len(d.Rows) != 3 { // fork: startup, total, wall; spawn is A's alone
		t.Fatalf("rows %+v", d.Rows)
	}
	for _, row := range d.Rows {
		if row.Method != results.Fork || *row.MedianNS[0]*2 != *row.MedianNS[1] {
			t.Fatalf("row %+v", row)
		}
		up, same := row.Changes[0], row.Changes[1]
		if !up.Significant || math.Abs(up.ChangePct-100) > 1e-9 || up.P >= 0.05 {
			t.Errorf("%s: B's change %+v, want a significant +100%%", row.Metric, up)
		}
		if same.Significant || same.ChangePct != 0 {
			t.Errorf("%s: C's change %+v, want none", row.Metric, same)
		}
	}
	if d.Inputs[0].Parts[0].Rows != 3 || d.Inputs[1].Parts[0].Rows != 3 {
		t.Errorf("parts matched: %+v", d.Inputs)
	}
}

// The unit of a sample is the run: 2 runs of 50 tasks each are 2 values
// (each run's median), not 100, and a difference that 100 per-task values
// would call significant is not, with 2 runs a side.
func TestDiffUnitIsTheRun(t *testing.T) {
	a := runsOf(results.Fork, 50, 1000, 1010)
	b := runsOf(results.Fork, 50, 1100, 1110)
	// A run's value is the median of its tasks, not the mean: one slow
	// task in each of A's runs moves a mean, not a median.
	for i := range a {
		a[i].Tasks[49].StartupNS = p64(1_000_000)
	}
	d := Diff([]DiffInput{input("a", a), input("b", b)}, 0.05)
	var startup *DiffRow
	for i := range d.Rows {
		if d.Rows[i].Metric == "startup" {
			startup = &d.Rows[i]
		}
	}
	if startup == nil {
		t.Fatalf("no startup row: %+v", d.Rows)
	}
	if startup.N[0] != 2 || startup.N[1] != 2 {
		t.Errorf("n = %v, want 2 runs each", startup.N)
	}
	// Run medians: 1024.5 and 1034.5 (tasks s..s+48 and one slow: the
	// mean would be near 21 µs); their median 1029.5.
	if got := *startup.MedianNS[0]; got != 1029.5 {
		t.Errorf("A's median of run medians = %v, want 1029.5", got)
	}
	if c := startup.Changes[0]; c.Significant {
		t.Errorf("2 runs a side called significant: %+v", c)
	}
	if d.Unit != "run" {
		t.Errorf("unit %q", d.Unit)
	}
}

// ci_pct is benchmath's half-width of the median's confidence interval,
// as a percentage of the median (the larger side), exactly.
func TestDiffCIIsBenchmathsHalfWidth(t *testing.T) {
	a := runsOf(results.Fork, 1, 100, 103, 107, 101, 150, 99, 104, 102, 108, 111, 97, 105)
	d := Diff([]DiffInput{input("a", a), input("b", a)}, 0.05)
	var xs []float64
	for _, r := range a {
		xs = append(xs, float64(*r.Tasks[0].StartupNS))
	}
	th := benchmath.DefaultThresholds
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(xs, &th), 0.95)
	want := 100 * math.Max(s.Hi/s.Center-1, 1-s.Lo/s.Center)
	for _, row := range d.Rows {
		if row.Metric != "startup" {
			continue
		}
		if row.CIPct[0] == nil || math.Abs(*row.CIPct[0]-want) > 1e-9 {
			t.Errorf("ci_pct %v, want %v", row.CIPct[0], want)
		}
		if *row.MedianNS[0] != s.Center {
			t.Errorf("median %v, want benchmath's %v", *row.MedianNS[0], s.Center)
		}
	}
}

// Experiments stay apart: a lab tree's start-profile part (its timings
// carry the profiler's cost) does not pool with a plain run of the same
// method, parent size, n_tasks and n_iters; the part matched is named.
func TestDiffKeepsExperimentsApart(t *testing.T) {
	plain := doc(runsOf(results.Fork, 1, 100, 101, 102, 103, 104, 105))
	profiled := doc(runsOf(results.Fork, 1, 300, 301, 302, 303, 304, 305))
	profiled.StartProfile = &results.StartProfileInfo{PeriodNS: 250000}
	other := doc(runsOf(results.Fork, 1, 100, 101, 102, 103, 104, 105))
	a := DiffInput{Name: "runA", Parts: []results.Part{{Name: ".", Res: plain}}}
	b := DiffInput{Name: "tree", Parts: []results.Part{{Name: "methods", Res: other}, {Name: "start-profile", Res: profiled}}}
	d := Diff([]DiffInput{a, b}, 0.05)
	for _, row := range d.Rows {
		if row.Experiment != Experiment(plain) {
			t.Errorf("row of experiment %q", row.Experiment)
		}
		if *row.MedianNS[1] != *row.MedianNS[0] && row.Metric != "wall" {
			t.Errorf("%s: B's median %v pooled the start profile's", row.Metric, *row.MedianNS[1])
		}
		if c := row.Changes[0]; c == nil || c.ChangePct != 0 {
			t.Errorf("%s: change %+v, want 0", row.Metric, c)
		}
	}
	parts := d.Inputs[1].Parts
	if len(parts) != 2 || parts[0].Rows != 3 || parts[1].Rows != 0 {
		t.Errorf("B's parts %+v: want methods matched in 3 rows, start-profile in none", parts)
	}
	if Experiment(plain) == Experiment(profiled) {
		t.Errorf("a start-profile run's experiment is the plain run's: %q", Experiment(plain))
	}
}

// Failed, timed-out and warmup runs never enter diff's samples.
func TestDiffFollowsTheRule(t *testing.T) {
	runs := runsOf(results.Fork, 1, 100, 101, 102, 103, 104, 105)
	bad := runsOf(results.Fork, 1, 999999)
	bad[0].Tasks[0].Error = "killed by SIGKILL"
	warm := runsOf(results.Fork, 1, 888888)
	warm[0].Round = -1
	a := append(append(runs, bad...), warm...)
	d := Diff([]DiffInput{input("a", a), input("b", runs)}, 0.05)
	for _, row := range d.Rows {
		if row.N[0] != 6 {
			t.Errorf("%s: n = %d, want the 6 good runs", row.Metric, row.N[0])
		}
	}
	if d.Inputs[0].NumFailed != 1 || d.Inputs[0].NumTasks != 7 || d.Inputs[0].NumRuns != 7 {
		t.Errorf("input A: %+v", d.Inputs[0])
	}
}

// Significance is p < alpha, exactly: a change with p between alpha and
// twice alpha is "~".
func TestDiffSignificanceIsPBelowAlpha(t *testing.T) {
	// B is A shifted by 5: Mann-Whitney's p is 0.083.
	a := runsOf(results.Fork, 1, 200, 202, 204, 206, 208, 210, 212, 214)
	b := runsOf(results.Fork, 1, 205, 207, 209, 211, 213, 215, 217, 219)
	d := Diff([]DiffInput{input("a", a), input("b", b)}, 0.05)
	var seen bool
	for _, row := range d.Rows {
		c := row.Changes[0]
		if c.Significant != (c.P < 0.05) {
			t.Errorf("%s: p %v significant %v", row.Metric, c.P, c.Significant)
		}
		seen = seen || c.P >= 0.05 && c.P < 0.1
	}
	if !seen {
		t.Fatalf("no p between 0.05 and 0.1 in %+v: pick other samples", d.Rows)
	}
}

// benchstat's geomean row: the geometric mean of the rows' medians per
// input, and its change, per metric; rows an input lacks are left out.
func TestDiffGeomean(t *testing.T) {
	// A: fork 100, spawn 400 (one run each, median = value); B: fork 200, spawn 800.
	a := append(runsOf(results.Fork, 1, 100, 100, 100), runsOf(results.Spawn, 1, 400, 400, 400)...)
	b := append(runsOf(results.Fork, 1, 200, 200, 200), runsOf(results.Spawn, 1, 800, 800, 800)...)
	b = append(b, runsOf(results.Forkserver, 1, 50, 50, 50)...) // B's alone: in no geomean
	d := Diff([]DiffInput{input("a", a), input("b", b)}, 0.05)
	var startup *DiffGeomean
	for i := range d.Geomeans {
		if d.Geomeans[i].Metric == "startup" {
			startup = &d.Geomeans[i]
		}
	}
	if startup == nil || startup.Rows != 2 {
		t.Fatalf("geomeans %+v", d.Geomeans)
	}
	// sqrt(100*400) = 200, sqrt(200*800) = 400: +100%.
	if math.Abs(startup.GeomeanNS[0]-200) > 1e-9 || math.Abs(startup.GeomeanNS[1]-400) > 1e-9 || math.Abs(startup.ChangePct[0]-100) > 1e-9 {
		t.Errorf("startup geomean %+v, want 200 → 400, +100%%", startup)
	}
	// One row only: no geomean.
	if g := Diff([]DiffInput{input("a", runsOf(results.Fork, 1, 1, 2, 3)), input("b", runsOf(results.Fork, 1, 1, 2, 3))}, 0.05).Geomeans; len(g) != 0 {
		t.Errorf("geomean of one row: %+v", g)
	}
}
