package lab

import (
	"context"
	"github.com/proclab/proclab/lab/results"
	"os"
	"strings"
	"testing"
)

// The test binary imports csys, so it doubles as the worker that spawn,
// fork-exec and exec start (csys recognises it in its constructor).

func runSpec(t *testing.T, s Spec) *results.Result {
	t.Helper()
	res, err := Run(context.Background(), s)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func TestProcessMethods(t *testing.T) {
	for _, m := range []results.Method{results.Fork, results.Spawn, results.ForkExec, results.Exec, results.Forkserver} {
		t.Run(string(m), func(t *testing.T) {
			res := runSpec(t, Spec{Methods: []results.Method{m}, NTasks: 3, NIters: 20000, Repeat: 2})
			if len(res.Runs) != 2 {
				t.Fatalf("%d runs, want 2", len(res.Runs))
			}
			parent := os.Getpid()
			if (res.Forkserver != nil) != (m == results.Forkserver) {
				t.Fatalf("forkserver figures %+v for method %s", res.Forkserver, m)
			}
			if m == results.Forkserver {
				parent = res.Forkserver.PID // the server forks the children
			}
			pids := map[int]bool{}
			for _, r := range res.Runs {
				if r.Method != m || len(r.Tasks) != 3 || r.WallNS <= 0 {
					t.Fatalf("run %+v", r)
				}
				for i, tk := range r.Tasks {
					checkProcessTask(t, i, tk, parent)
					if pids[tk.PID] {
						t.Errorf("pid %d reported twice", tk.PID)
					}
					pids[tk.PID] = true
					fresh, want := tk.RuntimeReadyNS != nil, m != results.Fork && m != results.Forkserver
					if fresh != want {
						t.Errorf("task %d: own runtime started = %v, want %v for %s", i, fresh, want, m)
					}
				}
			}
			assertNoChildren(t)
		})
	}
}

func checkProcessTask(t *testing.T, i int, tk results.Task, parent int) {
	t.Helper()
	if !tk.Good() || tk.Task != i {
		t.Fatalf("task %d: %+v", i, tk)
	}
	if tk.StartupNS == nil || *tk.StartupNS <= 0 || *tk.StartupNS >= tk.TotalNS {
		t.Errorf("task %d: startup %v not in (0, total %d)", i, tk.StartupNS, tk.TotalNS)
	}
	if tk.RunNS <= 0 || tk.RunNS >= tk.TotalNS {
		t.Errorf("task %d: run %d not in (0, total %d)", i, tk.RunNS, tk.TotalNS)
	}
	if tk.ExitCode == nil || *tk.ExitCode != 0 || tk.Signal != nil {
		t.Errorf("task %d: exit %v signal %v", i, tk.ExitCode, tk.Signal)
	}
	if tk.ParentPID == nil || *tk.ParentPID != parent {
		t.Errorf("task %d: parent %v, want %d", i, tk.ParentPID, parent)
	}
	if tk.RusageMaxRSSBytes == nil || *tk.RusageMaxRSSBytes <= 0 || val(tk.MinFlt) <= 0 {
		t.Errorf("task %d: rusage missing: rss %v minflt %v", i, tk.RusageMaxRSSBytes, val(tk.MinFlt))
	}
}

// The hot loop's CPU shows in the child's own rusage: a task 200 times
// longer costs more CPU by at least half of what the extra iterations
// cost in a thread of the test (CPU time, not wall time: a loaded machine
// does not inflate it, while a child's fixed costs, from fork to exit,
// may be milliseconds under -race).
func TestRusageFollowsWork(t *testing.T) {
	cpu := func(iters uint64) int64 {
		res := runSpec(t, Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: iters})
		tk := res.Runs[0].Tasks[0]
		return val(tk.UserNS) + val(tk.SysNS)
	}
	small, large := cpu(100_000), cpu(20_000_000)
	extra := loopCPU(20_000_000) - loopCPU(100_000)
	if large-small < extra/2 {
		t.Errorf("child CPU %dns for 20M iterations vs %dns for 100k (the extra iterations cost %dns here): rusage does not follow the work",
			large, small, extra)
	}
}

func TestInProcessMethods(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Thread, results.Single}, NTasks: 3, NIters: 100000})
	for _, r := range res.Runs {
		for i, tk := range r.Tasks {
			if !tk.Good() || tk.PID != os.Getpid() || tk.TID == 0 {
				t.Errorf("%s task %d: %+v", r.Method, i, tk)
			}
			if tk.RusageMaxRSSBytes != nil || tk.HWMBytes != nil || tk.ExitCode != nil || tk.ParentPID != nil {
				t.Errorf("%s task %d: process-only figures should be null: %+v", r.Method, i, tk)
			}
			if (tk.StartupNS != nil) != (r.Method == results.Thread) {
				t.Errorf("%s task %d: startup %v", r.Method, i, tk.StartupNS)
			}
		}
	}
}

func TestParseMethods(t *testing.T) {
	ms, err := ParseMethods("all")
	want := len(results.Methods)
	if _, perr := Python(); perr == nil {
		want += len(results.PythonMethods) // py-fork, py-spawn, py-forkserver
	}
	if err != nil || len(ms) != want {
		t.Fatalf("all: %v %v, want %d methods", ms, err, want)
	}
	ms, err = ParseMethods("spawn, fork")
	if err != nil || len(ms) != 2 || ms[0] != results.Spawn || ms[1] != results.Fork {
		t.Fatalf("list: %v %v", ms, err)
	}
	// A method named twice is refused, not merged (issue 11, item 18).
	if _, err := ParseMethods("spawn, fork,spawn"); err == nil || !strings.Contains(err.Error(), "spawn is named twice") {
		t.Fatalf("spawn twice: %v", err)
	}
	if _, err := ParseMethods("vfork"); err == nil || !strings.Contains(err.Error(), `unknown method "vfork"`) {
		t.Fatalf("vfork: %v", err)
	}
}

// assertNoChildren checks /proc for any process whose parent is this test.
func assertNoChildren(t *testing.T) {
	t.Helper()
	for _, c := range childrenOf(os.Getpid()) {
		t.Errorf("process %d (%s) is still a child of the test", c.pid, c.state)
	}
}

type procEntry struct {
	pid   int
	state string
}

func childrenOf(parent int) []procEntry {
	var out []procEntry
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		st, err := readStat(e.Name())
		if err == nil && st.ppid == parent {
			out = append(out, procEntry{st.pid, st.state})
		}
	}
	return out
}

// val is a figure's value, 0 when it is null.
func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
