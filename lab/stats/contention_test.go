package stats

import (
	"math"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// contendedRuns is one run of n process tasks whose loops of 100 ms got
// share of a CPU, with the machine's CPU figures of a 1 s window.
func contendedRuns(m results.Method, n int, share float64, busy, lab int64) []*results.RunResult {
	r := &results.RunResult{Method: m, NTasks: n, NIters: 1e6, WallNS: 1e9,
		HostBusyNS: results.Ptr(busy), LabCPUNS: results.Ptr(lab), HostWindowNS: results.Ptr(int64(1e9)), Load1: results.Ptr(4.5)}
	for i := range n {
		run := int64(100e6)
		cpu := int64(share * float64(run))
		r.Tasks = append(r.Tasks, results.Task{Task: i, PID: 100 + i, ParentPID: results.Ptr(1), RunNS: run, TotalNS: run + 1e6,
			TaskCPUNS: results.Ptr(cpu), UserNS: results.Ptr(cpu + 1e6), SysNS: results.Ptr(int64(1e6))})
	}
	return []*results.RunResult{r}
}

// The loops' share is task CPU over loop time; it is contended below 3/4
// of what the tasks and CPUs allow; the others' CPUs are the machine's
// busy CPU less the lab's and the tasks' own, over the window.
func TestContention(t *testing.T) {
	cases := []struct {
		name      string
		m         results.Method
		n, cpus   int
		share     float64
		expected  float64
		contended bool
	}{
		{"2 tasks on 2 CPUs at half a CPU", results.Fork, 2, 2, 0.5, 1, true},
		{"2 tasks on 2 CPUs at 90%", results.Fork, 2, 2, 0.9, 1, false},
		{"just above three quarters", results.Fork, 2, 2, 0.76, 1, false},
		{"4 tasks on 2 CPUs at half a CPU: all they can have", results.Spawn, 4, 2, 0.5, 0.5, false},
		{"4 tasks on 2 CPUs at 30%", results.Spawn, 4, 2, 0.3, 0.5, true},
		{"Python threads share the GIL", results.PyThread, 2, 2, 0.5, 0.5, false},
		{"one task alone at 60%", results.Single, 1, 2, 0.6, 1, true},
	}
	for _, c := range cases {
		// busy 3 s in a 1 s window: 3 CPUs; the lab 0.2 s; the tasks their user+sys.
		runs := contendedRuns(c.m, c.n, c.share, 3e9, 2e8)
		got := ContentionOf(c.m, runs, c.n, c.cpus)
		if math.Abs(got.Share-c.share) > 1e-9 || got.N != c.n || got.Expected != c.expected || got.Contended != c.contended {
			t.Errorf("%s: %+v, want share %.2f of %d tasks, expected %.2f, contended %v", c.name, got, c.share, c.n, c.expected, c.contended)
		}
		var tasks int64
		for _, tk := range runs[0].Tasks {
			if c.m.CreatesProcess() {
				tasks += *tk.UserNS + *tk.SysNS
			} else if c.m == results.PyThread {
				tasks += *tk.TaskCPUNS
			}
		}
		if want := float64(3e9-2e8-tasks) / 1e9; math.Abs(got.OthersCPUs-want) > 1e-9 || got.Load1 != 4.5 {
			t.Errorf("%s: others %.4f CPUs, load %.1f; want %.4f and 4.5", c.name, got.OthersCPUs, got.Load1, want)
		}
	}
	// Loops shorter than a millisecond say nothing; failed tasks do not count.
	runs := contendedRuns(results.Fork, 2, 0.2, 3e9, 0)
	runs[0].Tasks[0].RunNS, runs[0].Tasks[1].Error = 5e5, "killed"
	if c := ContentionOf(results.Fork, runs, 2, 2); c.N != 0 || c.Contended {
		t.Errorf("short and failed tasks counted: %+v", c)
	}
	// Runs without the machine's figures: no others figure, not a zero.
	runs = contendedRuns(results.Fork, 2, 0.5, 0, 0)
	runs[0].HostBusyNS = nil
	if c := ContentionOf(results.Fork, runs, 2, 2); !math.IsNaN(c.OthersCPUs) || !c.Contended {
		t.Errorf("without host figures: %+v", c)
	}
}

// The warning gives the run's own figures, and a result's rows, summary
// and warnings agree.
func TestContentionWarning(t *testing.T) {
	res := &results.Result{Schema: results.Schema, Host: &results.Host{CPUs: 2}}
	for _, r := range contendedRuns(results.Fork, 2, 0.45, 3e9, 2e8) {
		res.Runs = append(res.Runs, *r)
	}
	rows := Rows(res)
	if len(rows) != 1 || !rows[0].Contention.Contended {
		t.Fatalf("rows %+v", rows)
	}
	ws := NoiseWarnings(rows, 2, 2, 2)
	if len(ws) != 1 {
		t.Fatalf("warnings %q", ws)
	}
	if w := ContentionWarning("single", results.Single, Contention{Share: 0.5, N: 1, Expected: 1, Contended: true, OthersCPUs: math.NaN(), Load1: math.NaN()}, 2, 2); !strings.Contains(w, "(their own CPU over the loop's time, 1 task), where 100% is possible (tasks one after another)") {
		t.Errorf("single's warning: %s", w)
	}
	for _, want := range []string{"fork: contended", "a median 45% of a CPU", "2 tasks", "where 100% is possible (2 tasks on 2 CPUs)",
		"other processes used 2.7 CPUs", "load 4.5"} {
		if !strings.Contains(ws[0], want) {
			t.Errorf("warning lacks %q: %s", want, ws[0])
		}
	}
	e := Entries(rows)[0]
	if !e.Contended || e.LoopCPUShare == nil || math.Abs(*e.LoopCPUShare-0.45) > 1e-9 || e.OthersCPUs == nil || math.Abs(*e.OthersCPUs-2.706) > 1e-9 {
		t.Errorf("summary entry %+v", e)
	}
}

// A cell whose speedup is beyond min(n_tasks, CPUs), or whose loops got
// too little CPU, is suspect; an ordinary one is not.
func TestCellSuspect(t *testing.T) {
	mk := func(nt int, single, multi, thread float64, share float64) []results.RunResult {
		var runs []results.RunResult
		for _, x := range []struct {
			m    results.Method
			wall float64
		}{{results.Single, single}, {results.Fork, multi}, {results.Thread, thread}} {
			r := contendedRuns(x.m, nt, share, 0, 0)[0]
			r.WallNS = int64(x.wall)
			runs = append(runs, *r)
		}
		return runs
	}
	cases := []struct {
		name  string
		runs  []results.RunResult
		wants []string
	}{
		{"1 task at 2.96×", mk(1, 2.96e8, 1e8, 2e8, 1), []string{"processes' speedup 2.96× is more than the 1× that min(n_tasks, CPUs) allows"}},
		{"2 tasks at 1.9×", mk(2, 1.9e8, 1e8, 1e8, 1), nil},
		{"2 tasks at 2.2× (just past 2 × 1.05)", mk(2, 2.2e8, 1e8, 1.5e8, 1), []string{"2.20× is more than the 2×"}},
		{"threads beyond", mk(2, 2.5e8, 2e8, 1e8, 1), []string{"threads' speedup 2.50× is more than the 2×"}},
		{"contended loops", mk(2, 1.5e8, 1e8, 1e8, 0.4), []string{"single's loops got 40% of a CPU (100% possible)", "fork's loops got 40%"}},
	}
	for _, c := range cases {
		cells := Cells(c.runs, results.Fork, 2)
		if len(cells) != 1 {
			t.Fatalf("%s: %d cells", c.name, len(cells))
		}
		s := cells[0].Suspect
		if len(c.wants) == 0 && s != "" {
			t.Errorf("%s: suspect %q", c.name, s)
		}
		for _, w := range c.wants {
			if !strings.Contains(s, w) {
				t.Errorf("%s: suspect %q lacks %q", c.name, s, w)
			}
		}
	}
}
