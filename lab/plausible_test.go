package lab

import (
	"github.com/proclab/proclab/lab/results"
	"testing"
	"time"
)

// loopCPU is the CPU time the hot loop of n iterations takes on this
// machine, measured on one locked thread's CPU clock: the work a task's
// CPU figures must account for. The least of three, so that a slice lost
// to another process does not inflate it.

// Every figure of a real run is plausible: the stamps in their order
// inside the task's lifetime, the CPU of a pure CPU loop summing to the
// loop's own CPU (the user/sys split is tick-sampled, their sum is not),
// the parent size what was asked, and the ballast seen in the fork
// child's and the lab's peak memory.
func TestFiguresPlausible(t *testing.T) {
	const (
		iters   = 40_000_000 // some 60 ms of CPU a task
		ballast = 64 << 20
	)
	methods := []results.Method{results.Fork, results.ForkExec, results.Spawn, results.Forkserver, results.Exec, results.Thread, results.Single}
	res := runSpec(t, Spec{Methods: methods, NTasks: 2, NIters: iters, ParentRSS: []int64{ballast}})
	ref := time.Duration(loopCPU(iters))
	t.Logf("the loop alone: %v of CPU", ref)

	if len(res.Spec.ParentRSSBytes) != 1 || res.Spec.ParentRSSBytes[0] != ballast {
		t.Errorf("spec parent sizes %v, want [%d]", res.Spec.ParentRSSBytes, ballast)
	}
	if res.LabPeakRSSBytes < ballast {
		t.Errorf("the lab's peak RSS %d bytes, below the %d-byte ballast it held", res.LabPeakRSSBytes, ballast)
	}
	if len(res.Runs) != len(methods) {
		t.Fatalf("%d runs, want %d", len(res.Runs), len(methods))
	}
	for _, run := range res.Runs {
		if run.ParentRSSBytes != ballast {
			t.Errorf("%s: parent size %d, want %d", run.Method, run.ParentRSSBytes, ballast)
		}
		execd := run.Method == results.Spawn || run.Method == results.ForkExec || run.Method == results.Exec
		for _, tk := range run.Tasks {
			name := string(run.Method) + " task " + string(rune('0'+tk.Task))
			if !tk.Good() {
				t.Errorf("%s: %+v", name, tk)
				continue
			}
			checkStamps(t, name, tk, execd, run.Method != results.Single)
			// CPU: the process's (or the thread's) user+sys holds the
			// loop's CPU (less a slack for clock differences and the slice
			// RUSAGE_THREAD may leave out) and no more than the task's
			// lifetime allows (a Go worker's runtime threads add a little).
			cpu := time.Duration(val(tk.UserNS) + val(tk.SysNS))
			if cpu < ref*7/10 || cpu > time.Duration(tk.TotalNS)+20*time.Millisecond {
				t.Errorf("%s: user+sys %v (user %v, sys %v) for a loop of %v CPU, task lifetime %v",
					name, cpu, time.Duration(val(tk.UserNS)), time.Duration(val(tk.SysNS)), ref, time.Duration(tk.TotalNS))
			}
			if tk.ParentPID != nil && val(tk.MinFlt) <= 0 {
				t.Errorf("%s: no page faults", name)
			}
			// A fork child maps the lab's ballast: its peak RSS (shared
			// pages count) is at least the ballast, in bytes.
			if run.Method == results.Fork && (tk.RusageMaxRSSBytes == nil || *tk.RusageMaxRSSBytes < ballast ||
				tk.HWMBytes == nil || *tk.HWMBytes < ballast) {
				t.Errorf("%s: max RSS %v, hwm %v bytes, below the %d-byte ballast it shares", name, tk.RusageMaxRSSBytes, tk.HWMBytes, ballast)
			}
		}
	}
	assertNoChildren(t)
}

// checkStamps checks a task's time figures against each other: startup
// and the loop inside the task's lifetime, and for an exec'd worker its
// image's constructor, then its Go runtime, then the task.
func checkStamps(t *testing.T, name string, tk results.Task, execd, hasStartup bool) {
	t.Helper()
	if tk.RunNS <= 0 || tk.RunNS > tk.TotalNS {
		t.Errorf("%s: run %d not in (0, total %d]", name, tk.RunNS, tk.TotalNS)
	}
	if (tk.StartupNS != nil) != hasStartup {
		t.Errorf("%s: startup %v", name, tk.StartupNS)
	}
	if tk.StartupNS != nil {
		st := *tk.StartupNS
		if st <= 0 || st >= tk.TotalNS || st+tk.RunNS > tk.TotalNS {
			t.Errorf("%s: startup %d + run %d not within total %d", name, st, tk.RunNS, tk.TotalNS)
		}
	}
	if (tk.ExecDoneNS != nil) != execd || (tk.RuntimeReadyNS != nil) != execd {
		t.Errorf("%s: exec_done %v, runtime_ready %v", name, tk.ExecDoneNS, tk.RuntimeReadyNS)
	}
	if execd && tk.ExecDoneNS != nil && tk.RuntimeReadyNS != nil && tk.StartupNS != nil {
		if !(0 < *tk.ExecDoneNS && *tk.ExecDoneNS < *tk.RuntimeReadyNS && *tk.RuntimeReadyNS <= *tk.StartupNS) {
			t.Errorf("%s: exec_done %d, runtime_ready %d, startup %d: want 0 < exec_done < runtime_ready <= startup",
				name, *tk.ExecDoneNS, *tk.RuntimeReadyNS, *tk.StartupNS)
		}
	}
}

// The live sampler keeps to its budget: its CPU stays within the budget's
// share of the children's lifetimes (what it budgets against), plus what
// a budget cannot stop: the looks it makes with no credit (the
// first-sample pass of the children registered in advance, the last
// wake-up; a run beside it with a budget too small for any reading
// measures them, and the limit allows twice that), and a reading costing
// more than predicted (10 ms: gopsutil's costliest, under -race).
// Without the budget the same run samples all along: 85 ms of CPU here,
// 170 ms under -race, against limits of some 30-55 and 80 ms. Its overhead
// is its CPU over the children's, exactly.
func TestSamplerWithinBudget(t *testing.T) {
	const budget = 0.01
	spec := Spec{Methods: []results.Method{results.Fork}, NTasks: 2, NIters: 250_000_000, SampleInterval: 5 * time.Millisecond}
	spec.SampleBudget = 1e-9
	ticks := runSpec(t, spec).Sampler
	spec.SampleBudget = budget
	res := runSpec(t, spec)
	s := res.Sampler
	if s == nil || ticks == nil || s.Samples < 1 || s.CPUNS <= 0 || s.Budget != budget || ticks.Samples > 1 {
		t.Fatalf("sampler %+v; with no budget to speak of %+v", s, ticks)
	}
	var lifetimes, cpu int64
	for _, tk := range res.Runs[0].Tasks {
		lifetimes += tk.TotalNS
		cpu += val(tk.UserNS) + val(tk.SysNS)
	}
	if s.ChildCPUNS != cpu || s.Overhead != float64(s.CPUNS)/float64(cpu) {
		t.Errorf("sampler %+v: child CPU %d, overhead %v; want %d and cpu_ns/child_cpu_ns", s, s.ChildCPUNS, s.Overhead, cpu)
	}
	slack := 2*ticks.CPUNS + int64(10*time.Millisecond)
	if limit := int64(budget*float64(lifetimes)) + slack; s.CPUNS > limit {
		t.Errorf("sampler used %v of CPU, more than %v (%.1f%% of the children's %v lifetimes, plus %v: twice the %v its ticks alone cost, and 10 ms)",
			time.Duration(s.CPUNS), time.Duration(limit), 100*budget, time.Duration(lifetimes), time.Duration(slack), time.Duration(ticks.CPUNS))
	}
	t.Logf("sampler: %d samples, %d skipped, %v CPU (ticks alone: %v), overhead %.2f%% of the children's %v",
		s.Samples, s.Skipped, time.Duration(s.CPUNS), time.Duration(ticks.CPUNS), 100*s.Overhead, time.Duration(cpu))
}
