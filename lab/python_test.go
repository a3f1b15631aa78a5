package lab

import (
	"context"
	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Python's start methods run real python3 processes (CI's machine has
// python3); the driver is the file embedded in the binary.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
}

func TestPythonMethods(t *testing.T) {
	needPython(t)
	res := runSpec(t, Spec{Methods: []results.Method{results.PyFork, results.PySpawn, results.PyForkserver}, NTasks: 2, NIters: 3000, Repeat: 2})
	py := res.Python
	if py == nil || py.PID <= 0 || py.StartupNS <= 0 || !strings.HasPrefix(py.Version, "3.") {
		t.Fatalf("python driver figures: %+v", py)
	}
	if py.ForkserverPID == nil || *py.ForkserverPID <= 0 || py.ForkserverStartupNS == nil || *py.ForkserverStartupNS <= 0 {
		t.Fatalf("python forkserver figures: %+v", py)
	}
	if len(res.Runs) != 6 {
		t.Fatalf("%d runs, want 6", len(res.Runs))
	}
	pids := map[int]bool{}
	for _, r := range res.Runs {
		parent := py.PID // multiprocessing's fork and spawn: the driver's children
		if r.Method == results.PyForkserver {
			parent = *py.ForkserverPID
		}
		for i, tk := range r.Tasks {
			// The checksum is the C loop's, computed by the lab: the
			// Python loop is the same algorithm.
			if !tk.Good() || tk.Task != i {
				t.Fatalf("%s task %d: %+v", r.Method, i, tk)
			}
			// The child's own CPU and memory, read by the Python child.
			if tk.TaskCPUNS == nil || *tk.TaskCPUNS <= 0 || *tk.TaskCPUNS > tk.RunNS+2_000_000 {
				t.Errorf("%s task %d: task cpu %v, run %d", r.Method, i, tk.TaskCPUNS, tk.RunNS)
			}
			if tk.EndRSSBytes == nil || *tk.EndRSSBytes < 1<<20 || tk.HWMBytes == nil || *tk.HWMBytes < *tk.EndRSSBytes ||
				tk.EndUSSBytes == nil || tk.EndPSSBytes == nil || *tk.EndUSSBytes > *tk.EndPSSBytes || *tk.EndPSSBytes > *tk.EndRSSBytes {
				t.Errorf("%s task %d: memory hwm %v rss %v pss %v uss %v", r.Method, i, tk.HWMBytes, tk.EndRSSBytes, tk.EndPSSBytes, tk.EndUSSBytes)
			}
			if tk.ParentPID == nil || *tk.ParentPID != parent {
				t.Errorf("%s task %d: parent %v, want %d", r.Method, i, tk.ParentPID, parent)
			}
			if tk.StartupNS == nil || *tk.StartupNS <= 0 || *tk.StartupNS >= tk.TotalNS {
				t.Errorf("%s task %d: startup %v not in (0, total %d)", r.Method, i, tk.StartupNS, tk.TotalNS)
			}
			if tk.RunNS <= 0 || tk.RunNS >= tk.TotalNS {
				t.Errorf("%s task %d: run %d not in (0, total %d)", r.Method, i, tk.RunNS, tk.TotalNS)
			}
			if tk.ExitCode == nil || *tk.ExitCode != 0 {
				t.Errorf("%s task %d: exit %v signal %v", r.Method, i, tk.ExitCode, tk.Signal)
			}
			// rusage from the driver's wait4 (fork, spawn); Python's
			// forkserver passes on none: null, not 0.
			if hasUsage := tk.RusageMaxRSSBytes != nil; hasUsage != (r.Method != results.PyForkserver) ||
				hasUsage && *tk.RusageMaxRSSBytes < 1<<20 {
				t.Errorf("%s task %d: rusage_maxrss %v", r.Method, i, tk.RusageMaxRSSBytes)
			}
			if pids[tk.PID] || tk.PID == py.PID {
				t.Errorf("%s task %d: pid %d seen before", r.Method, i, tk.PID)
			}
			pids[tk.PID] = true
		}
	}
	assertNoChildren(t)
	assertGone(t, append(keys(pids), py.PID, *py.ForkserverPID))
}

// py-spawn starts a fresh interpreter: its startup is many times py-fork's
// (the tutorial's lesson). Compared in one run, interleaved.
func TestPythonSpawnStartsAnInterpreter(t *testing.T) {
	needPython(t)
	res := runSpec(t, Spec{Methods: []results.Method{results.PyFork, results.PySpawn}, NTasks: 1, NIters: 1000, Repeat: 5})
	med := map[results.Method]float64{}
	for _, s := range stats.Rows(res) {
		med[s.Method] = s.Startup.Median
	}
	if med[results.PySpawn] < 3*med[results.PyFork] {
		t.Errorf("py-spawn startup %.0fns is not clearly above py-fork's %.0fns", med[results.PySpawn], med[results.PyFork])
	}
}

func TestPythonInProcess(t *testing.T) {
	needPython(t)
	res := runSpec(t, Spec{Methods: []results.Method{results.PyThread, results.PySingle}, NTasks: 3, NIters: 2000})
	for _, r := range res.Runs {
		tids := map[int]bool{}
		for i, tk := range r.Tasks {
			if !tk.Good() || tk.PID != res.Python.PID || tk.TID == 0 {
				t.Fatalf("%s task %d: %+v", r.Method, i, tk)
			}
			if (tk.StartupNS != nil) != (r.Method == results.PyThread) {
				t.Errorf("%s task %d: startup %v", r.Method, i, tk.StartupNS)
			}
			if tk.TaskCPUNS == nil || *tk.TaskCPUNS <= 0 {
				t.Errorf("%s task %d: task cpu %v", r.Method, i, tk.TaskCPUNS)
			}
			tids[tk.TID] = true
		}
		// Threads are threads; single runs all in the driver's thread.
		if want := map[results.Method]int{results.PyThread: 3, results.PySingle: 1}[r.Method]; len(tids) != want {
			t.Errorf("%s: %d distinct threads, want %d", r.Method, len(tids), want)
		}
	}
}

// The tutorial's experiment 1 with Python processes: single, processes and
// threads are Python's own.
func TestComparePython(t *testing.T) {
	needPython(t)
	res, err := Compare(context.Background(), CompareSpec{NIters: []uint64{100, 1000}, NTasks: []int{2}, Method: results.PyFork})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cells) != 2 {
		t.Fatalf("cells %+v", res.Cells)
	}
	seen := map[results.Method]bool{}
	for _, r := range res.Runs {
		seen[r.Method] = true
	}
	if !seen[results.PySingle] || !seen[results.PyFork] || !seen[results.PyThread] || seen[results.Single] || seen[results.Thread] {
		t.Fatalf("methods run: %v", seen)
	}
}

// A Python task past --timeout is killed like any child.
func TestPythonTimeout(t *testing.T) {
	needPython(t)
	res, err := Run(context.Background(), Spec{Methods: []results.Method{results.PyFork, results.PyForkserver}, NTasks: 2, NIters: 1 << 40,
		Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			if !tk.TimedOut || !strings.HasPrefix(tk.Error, "timed out") {
				t.Errorf("%s task %d: %+v", r.Method, tk.Task, tk)
			}
		}
	}
	assertNoChildren(t)
}

// Killing the driver mid-run fails its tasks with a reason, and takes its
// children with it: no Python process outlives the lab's run.
func TestPythonDriverKilled(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	killed := make(chan []int, 1) // the driver and its children, once killed
	go func() {
		// Wait for the driver's children (the tasks) to exist.
		for ctx.Err() == nil {
			for _, d := range childrenOf(os.Getpid()) {
				if kids := childrenOf(d.pid); len(kids) >= 2 {
					victims := []int{d.pid}
					for _, k := range kids {
						victims = append(victims, k.pid)
					}
					syscall.Kill(d.pid, syscall.SIGKILL)
					killed <- victims
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		killed <- nil
	}()
	res, err := Run(ctx, Spec{Methods: []results.Method{results.PyFork}, NTasks: 2, NIters: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range res.Runs[0].Tasks {
		if tk.Error == "" || !strings.Contains(tk.Error, "python driver") {
			t.Errorf("task %d: %+v", tk.Task, tk)
		}
	}
	assertNoChildren(t)
	victims := <-killed
	if len(victims) < 3 {
		t.Fatalf("the driver was not killed while its tasks ran: %v", victims)
	}
	assertGone(t, victims)
}

// Without python3 on PATH, naming a Python method is bad input that says
// what to install, and `all` leaves the Python methods out.
func TestPythonMissing(t *testing.T) {
	t.Setenv("PATH", "")
	t.Setenv("PROCLAB_PYTHON", "")
	s := Spec{Methods: []results.Method{results.PyFork}, NTasks: 1, NIters: 1}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "install it") {
		t.Fatalf("validate without python3: %v", err)
	}
	ms, err := ParseMethods("all")
	if err != nil || len(ms) != len(results.Methods) {
		t.Fatalf("all without python3: %v %v", ms, err)
	}
}

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	return out
}

// assertGone waits (bounded) for every pid to be gone: processes killed
// by PR_SET_PDEATHSIG are reaped by init, an instant later.
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("process %d outlived the run: %s", pid, b)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// A stopped driver (SIGSTOP) does not hang the lab: a task past --timeout
// is killed through the driver, which does not answer, so the driver is
// killed, and its children with it.
func TestPythonDriverStopped(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			for _, d := range childrenOf(os.Getpid()) {
				if len(childrenOf(d.pid)) >= 2 {
					syscall.Kill(d.pid, syscall.SIGSTOP)
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	res, err := Run(ctx, Spec{Methods: []results.Method{results.PyFork}, NTasks: 2, NIters: 1 << 40, Timeout: time.Second})
	if err != nil || ctx.Err() != nil {
		t.Fatalf("run: %v (context %v)", err, ctx.Err())
	}
	for _, tk := range res.Runs[0].Tasks {
		if tk.Error == "" {
			t.Errorf("task %d: no error: %+v", tk.Task, tk)
		}
	}
	assertNoChildren(t)
}

// A child that exits while the driver's loop is busy (here with an
// in-process task, the longest thing it does) is stamped reaped when it
// exits, not when the loop is next free: its reaped_ns is the driver's
// reaper thread's, so totals and walls carry no queueing.
func TestPythonReapedWhenTheChildExits(t *testing.T) {
	needPython(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pd, err := startPython(ctx, os.Getpid(), []results.Method{results.PyFork, results.PySingle})
	if err != nil {
		t.Fatal(err)
	}
	defer pd.close()
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	go func() { // drain the record
		buf := make([]byte, 4096)
		for {
			if n, err := syscall.Read(p[0], buf); n <= 0 || err != nil {
				return
			}
		}
	}()
	c, err := pd.start(results.PyFork, csys.Task{NIters: 20_000}, p[1])
	syscall.Close(p[1])
	if err != nil {
		t.Fatal(err)
	}
	// The loop runs 100x the child's work while the child runs and exits.
	in := pd.runInProcess(ctx, results.PySingle, 1, 2_000_000, time.Minute)
	x, err := c.wait()
	if err != nil {
		t.Fatal(err)
	}
	if in[0].Error != "" {
		t.Fatalf("in-process task: %s", in[0].Error)
	}
	st := in[0].Stamps
	if x.ReapedNS <= c.createNS {
		t.Fatalf("reaped at %d, created at %d", x.ReapedNS, c.createNS)
	}
	// The child's 20k iterations take a small part of the in-process
	// task's 2M on any machine; reaped by the loop, its stamp would come
	// after the in-process task ended.
	if x.ReapedNS >= st.TaskEndNS {
		t.Errorf("child reaped at +%v, after the driver's in-process task ended at +%v (started +%v): stamped by a busy loop",
			time.Duration(x.ReapedNS-c.createNS), time.Duration(st.TaskEndNS-c.createNS), time.Duration(st.TaskStartNS-c.createNS))
	}
	if !x.Status.Exited() || x.Status.ExitStatus() != 0 || x.NoUsage {
		t.Errorf("exit %v, no usage %v", x.Status, x.NoUsage)
	}
}
