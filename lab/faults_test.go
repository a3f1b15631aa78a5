package lab

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// Tests for issue 11 (faults found by attacking the lab): no wait may
// hang the lab.

// hangLimit bounds waits for events that must happen; reaching it means
// the code under test hung, not that the machine was slow.
const hangLimit = 2 * time.Minute

// waitFor polls cond until it holds; false if it never did within
// hangLimit.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(hangLimit); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// shortServerWaits makes the lab give up on a silent server quickly.
func shortServerWaits(t *testing.T) {
	answer, grace := fsAnswerTimeout, fsCancelGrace
	fsAnswerTimeout, fsCancelGrace = time.Second, 500*time.Millisecond
	t.Cleanup(func() { fsAnswerTimeout, fsCancelGrace = answer, grace })
}

// stopProcess sends SIGSTOP and waits until the kernel shows pid stopped.
func stopProcess(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if !waitFor(func() bool { s, _, _, _ := procIdentity(pid); return s == "T" }) {
		t.Fatalf("process %d never showed as stopped", pid)
	}
}

// bounded runs f, failing the test if it has not returned within
// hangLimit (the code under test waits forever).
func bounded[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangLimit):
		t.Fatalf("%s: still waiting after %v", what, hangLimit)
		panic("unreachable")
	}
}

// checkServerChildrenDead checks that the children of a server the lab
// gave up on died with it: gone, or zombies left to init, never running.
func checkServerChildrenDead(t *testing.T, starts map[int]string) {
	t.Helper()
	for pid, start := range starts {
		if !waitFor(func() bool {
			state, ppid, st, err := procIdentity(pid)
			return err != nil || st != start || (state == "Z" && ppid != os.Getpid())
		}) {
			state, ppid, _, _ := procIdentity(pid)
			t.Errorf("child %d of the server is still %s (parent %d)", pid, state, ppid)
		}
	}
}

func identities(t *testing.T, kids []procEntry) map[int]string {
	t.Helper()
	m := map[int]string{}
	for _, k := range kids {
		_, _, start, err := procIdentity(k.pid)
		if err != nil {
			t.Fatal(err)
		}
		m[k.pid] = start
	}
	return m
}

// The case: a stopped (SIGSTOP) forkserver while its tasks run,
// then Ctrl-C. Before, the lab waited forever (and left two zombies); now
// the server gets fsCancelGrace to wind down, is killed and reaped, and
// Run returns what it has.
func TestForkserverStoppedThenInterrupted(t *testing.T) {
	shortServerWaits(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type outcome struct {
		res *results.Result
		err error
	}
	out := make(chan outcome, 1)
	go func() {
		res, err := Run(ctx, Spec{Methods: []results.Method{results.Forkserver}, NTasks: 2, NIters: 1 << 40, Repeat: 2})
		out <- outcome{res, err}
	}()
	server := findForkserver(t)
	t.Cleanup(func() { syscall.Kill(server, syscall.SIGKILL) }) // if the test fails early
	var kids []procEntry
	if !waitFor(func() bool { kids = childrenOf(server); return len(kids) == 2 }) {
		t.Fatalf("server has %d children, want 2", len(kids))
	}
	starts := identities(t, kids)
	stopProcess(t, server)
	cancel()
	o := bounded(t, "Run with a stopped server, cancelled", func() outcome { return <-out })
	if !errors.Is(o.err, context.Canceled) || o.res == nil || !o.res.Incomplete || len(o.res.Runs) != 1 {
		t.Fatalf("Run: %v, result %+v", o.err, o.res)
	}
	for i, tk := range o.res.Runs[0].Tasks {
		if !strings.Contains(tk.Error, "gave up on the server: the server did not wind down within 500ms of the interrupt; server killed") {
			t.Errorf("task %d: %q", i, tk.Error)
		}
	}
	assertNoChildren(t) // the server was reaped
	checkServerChildrenDead(t, starts)
}

// serverEnv starts a real forkserver for runProcesses; wrap's starter can
// act on the server between a start and its collect.
func serverEnv(t *testing.T, ctx context.Context, s Spec) (*env, int) {
	t.Helper()
	e := testEnv(t, s)
	fs, err := startForkserver(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	e.fs = fs
	t.Cleanup(func() {
		syscall.Kill(fs.info.PID, syscall.SIGKILL) // if the test failed early
		fs.close()
	})
	return e, fs.info.PID
}

// A task past --timeout whose server is stopped: the lab asks the server
// to kill it and waits fsAnswerTimeout for its EXITED, then gives up on
// the server. Before, it waited forever.
func TestForkserverStoppedAtTimeout(t *testing.T) {
	shortServerWaits(t)
	e, server := serverEnv(t, context.Background(), Spec{Methods: []results.Method{results.Forkserver}, NTasks: 1, NIters: 1 << 40, Timeout: 200 * time.Millisecond})
	var starts map[int]string
	start := func(tk csys.Task, w int) (child, error) {
		c, err := e.fs.start(tk, w)
		if err == nil {
			// Stopped before collect reads the record: the timeout
			// always finds the server stopped.
			starts = identities(t, []procEntry{{pid: c.pid}})
			stopProcess(t, server)
		}
		return c, err
	}
	tasks := bounded(t, "tasks with a stopped server past their timeout", func() []results.Task {
		return e.runProcesses(context.Background(), start)
	})
	if want := "forkserver: gave up on the server: no EXITED for task 0 (pid "; !strings.HasPrefix(tasks[0].Error, want) {
		t.Errorf("task: %q, want %q...", tasks[0].Error, want)
	}
	bounded(t, "closing the server", func() bool { <-e.fs.done; return true })
	assertNoChildren(t)
	checkServerChildrenDead(t, starts)
}

// A server stopped before a request: the STARTED it owes does not come;
// after fsAnswerTimeout the task is not started and the server is given up.
func TestForkserverStoppedBeforeStart(t *testing.T) {
	shortServerWaits(t)
	e, server := serverEnv(t, context.Background(), Spec{Methods: []results.Method{results.Forkserver}, NTasks: 2, NIters: 1000})
	stopProcess(t, server)
	tasks := bounded(t, "tasks on a stopped server", func() []results.Task {
		return e.runProcesses(context.Background(), e.fs.start)
	})
	for i, tk := range tasks {
		if !strings.Contains(tk.Error, "gave up on the server: no answer to request 1 (task 0) within 1s; server killed") {
			t.Errorf("task %d: %q", i, tk.Error)
		}
	}
	<-e.fs.done
	assertNoChildren(t)
}

// With a healthy server, a task past --timeout is killed by the server
// (the lab sends KILL, never a signal to the pid) and reported as timed
// out.
func TestForkserverTimeoutKills(t *testing.T) {
	res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Forkserver}, NTasks: 2, NIters: 1 << 40, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range res.Runs[0].Tasks {
		if !tk.TimedOut || tk.Signal == nil || *tk.Signal != int(syscall.SIGKILL) || !strings.HasPrefix(tk.Error, "timed out") {
			t.Errorf("task %d: %+v", tk.Task, tk)
		}
	}
	assertNoChildren(t)
}

// cancelAfter is a context whose Err turns to Canceled after n calls: a
// cancellation at a known point of a fill, whatever the machine's speed.
type cancelAfter struct {
	context.Context
	n, calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

// Filling the parent's ballast gives way to cancellation within one
// chunk (16 MiB, milliseconds): before, a 16 GiB fill ran its 42 s to the
// end after Ctrl-C.
func TestBallastFillCancelled(t *testing.T) {
	const size = 256 << 20 // 16 chunks
	ctx := &cancelAfter{Context: context.Background(), n: 3}
	b, err := holdMemoryContext(ctx, size, false)
	if !errors.Is(err, context.Canceled) || b != nil {
		t.Fatalf("holdMemoryContext: %v %v, want cancelled", b, err)
	}
	if ctx.calls != 4 {
		t.Errorf("looked at the context %d times, want 4: filled 3 chunks and stopped at the next look", ctx.calls)
	}
	// Mapped, not a Go slice: a large touched Go heap (and its race
	// detector shadow) would make every later fork in this test process
	// slower.
	mem, err := unix.Mmap(-1, 0, 5*fillChunk/2, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	got, err := fill(&cancelAfter{Context: context.Background(), n: 2}, mem)
	if got != 2*fillChunk || !errors.Is(err, context.Canceled) {
		t.Errorf("fill: %d bytes, %v; want %d bytes, cancelled", got, err, 2*fillChunk)
	}
	if got, err := fill(context.Background(), mem); got != len(mem) || err != nil || mem[len(mem)-1] != 0 || mem[2*fillChunk] != 1 {
		t.Errorf("uncancelled fill: %d bytes, %v", got, err)
	}
}

// reap retries a wait4 that says EINTR. Before, it went back to waiting
// for the pidfd, whose readiness (the child ended) had already been
// consumed: the netpoller is edge-triggered, so it waited forever.
func TestReapRetriesEINTR(t *testing.T) {
	r, w, err := resultPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := csys.ForkRun(csys.Task{NIters: 1 << 40}, w)
	syscall.Close(w)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	firstDone := make(chan struct{})
	wait4 = func(pid int, ws *syscall.WaitStatus, options int, ru *syscall.Rusage) (int, error) {
		calls++
		switch calls {
		case 1: // the child runs: reap waits for the pidfd
			got, err := syscall.Wait4(pid, ws, options, ru)
			close(firstDone)
			return got, err
		case 2: // the child has ended: say EINTR once
			return 0, syscall.EINTR
		}
		return syscall.Wait4(pid, ws, options, ru)
	}
	defer func() { wait4 = syscall.Wait4 }()
	go func() {
		<-firstDone
		syscall.Kill(c.PID, syscall.SIGKILL)
	}()
	ex := bounded(t, "reap after EINTR", func() csys.Exit {
		ex, err := reap(c.PID)
		if err != nil {
			t.Error(err)
		}
		return ex
	})
	if !ex.Status.Signaled() || ex.Status.Signal() != syscall.SIGKILL || calls < 3 {
		t.Errorf("reaped %v after %d calls", csys.DescribeStatus(ex.Status), calls)
	}
	assertNoChildren(t)
}

// unwatchCheck is an observer that checks, when the lab stops watching a
// child (after which it is reaped), that the pid still names that child.
type unwatchCheck struct {
	t      *testing.T
	server int
	starts sync.Map // pid -> start time, read when watched
}

func (u *unwatchCheck) watch(_, pid int, _ int64) {
	if _, _, start, err := procIdentity(pid); err == nil {
		u.starts.Store(pid, start)
	}
}

func (u *unwatchCheck) ended(int64) {}

func (u *unwatchCheck) unwatch(pid int) []results.Sample {
	want, ok := u.starts.Load(pid)
	state, ppid, start, err := procIdentity(pid)
	if !ok || err != nil || start != want || ppid != u.server {
		u.t.Errorf("pid %d at unwatch: %s, parent %d, start %s (%v); want the server's unreaped child started at %v",
			pid, state, ppid, start, err, want)
	}
	return nil
}

// The sampler reads /proc/PID of a forkserver child until collect
// unwatches it; the server must not have reaped it by then (the pid could
// be another process's). Before, the server reaped each child as soon as
// it ended, so a short task's pid was usually gone (and free) at unwatch.
func TestForkserverChildUnreapedUntilUnwatched(t *testing.T) {
	e, server := serverEnv(t, context.Background(), Spec{Methods: []results.Method{results.Forkserver}, NTasks: 8, NIters: 1000})
	e.obs = &unwatchCheck{t: t, server: server}
	for i, tk := range e.runProcesses(context.Background(), e.fs.start) {
		if tk.Error != "" || tk.ExitCode == nil || *tk.ExitCode != 0 {
			t.Errorf("task %d: %+v", i, tk)
		}
	}
}
