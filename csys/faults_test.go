package csys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Tests for issue 11 (faults found by attacking the lab): the child side
// and the create calls.

// hangLimit bounds waits for events that must happen; reaching it means
// the code under test hung, not that the machine was slow.
const hangLimit = 60 * time.Second

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

// sigMask reads one signal mask (SigIgn, SigCgt, SigBlk) of
// /proc/PID/status; ok false once the process is gone.
func sigMask(pid int, name string) (mask uint64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, found := strings.CutPrefix(line, name+":"); found {
			v, err := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
			return v, err == nil
		}
	}
	return 0, false
}

func bit(s syscall.Signal) uint64 { return 1 << (uint(s) - 1) }

// Two threads in the sample handler at once (a worker's process-wide
// ITIMER_PROF could do that) must neither lose counts nor write past the
// buffer. The old handler (if (n < MAX) pcs[n++] = pc) loses increments
// here, and can store at pcs[MAX], which is n itself.
func TestProfRecordConcurrent(t *testing.T) {
	const threads = 4
	count := uint32(1 << 23) // long enough for the threads to overlap
	n, dropped, pcs, guardOK := profHammer(threads, count)
	if n != MaxSamples || uint64(n)+uint64(dropped) != threads*uint64(count) {
		t.Errorf("n %d dropped %d, want %d and %d", n, dropped, MaxSamples, threads*count-MaxSamples)
	}
	if !guardOK {
		t.Error("the words after the buffer were written")
	}
	for i, pc := range pcs {
		if pc < 1 || pc > threads {
			t.Fatalf("slot %d holds %#x, not a PC any thread recorded (a slot given twice, or never)", i, pc)
		}
	}
}

// startLong starts a task that would run for minutes with each way of
// creating a process the lab has, and returns its pid and a function that
// kills and reaps it, returning how it ended.
type longChild struct {
	name string
	goRT bool // an exec'd worker: the Go runtime has handlers of its own
	pid  int
	end  func() syscall.WaitStatus
}

func startLongChildren(t *testing.T) []longChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(exe, os.Getpid())
	t.Cleanup(w.Close)
	long := Task{Index: 1, NIters: 1 << 40}
	var out []longChild
	for _, m := range []struct {
		name   string
		goRT   bool
		create func(Task, int) (Created, error)
	}{{"fork", false, ForkRun}, {"fork-exec", true, w.ForkExec}, {"spawn", true, w.Spawn}} {
		r, fd := pipe(t)
		c, err := m.create(long, fd)
		unix.Close(fd)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		pid := c.PID
		out = append(out, longChild{m.name, m.goRT, pid, func() syscall.WaitStatus {
			defer r.Close()
			syscall.Kill(pid, syscall.SIGKILL)
			ex, err := Wait4(pid)
			if err != nil {
				t.Fatal(err)
			}
			return ex.Status
		}})
	}
	c, _ := startServer(t)
	t.Cleanup(func() { stopServer(t, c) })
	pid, r := requestLong(t, c)
	out = append(out, longChild{"forkserver", false, pid, func() syscall.WaitStatus {
		defer r.Close()
		if err := c.KillChild(pid); err != nil {
			t.Fatal(err)
		}
		if err := c.ReapChild(pid); err != nil {
			t.Fatal(err)
		}
		m, err := c.Recv()
		if err != nil || m.Type != FSExited || m.PID != pid {
			t.Fatalf("want EXITED for %d: %+v %v", pid, m, err)
		}
		return m.Exit.Status
	}})
	return out
}

// Children of every create method: no handler of the lab's left installed
// (a fork child), nothing blocked, and Ctrl-C, Ctrl-\ and SIGPIPE ignored:
// a terminal's SIGINT or SIGQUIT to the process group does not end a task
// (the lab kills it and reports it interrupted). Before: SIGINT killed
// them, SIGQUIT dumped a core, and Go's handlers for SIGURG, SIGUSR1...
// stayed installed in fork children.
func TestChildSignals(t *testing.T) {
	t.Cleanup(func() { assertNoZombies(t) }) // after the server's cleanup
	ignored := bit(syscall.SIGINT) | bit(syscall.SIGQUIT) | bit(syscall.SIGPIPE)
	for _, c := range startLongChildren(t) {
		// A worker ignores them from its constructor on, and again once
		// its runtime has installed its handlers: wait for that.
		if !waitFor(func() bool { ign, _ := sigMask(c.pid, "SigIgn"); return ign&ignored == ignored }) {
			ign, _ := sigMask(c.pid, "SigIgn")
			t.Errorf("%s: SigIgn %#x, want SIGINT, SIGQUIT and SIGPIPE ignored", c.name, ign)
		}
		if !c.goRT {
			if cgt, _ := sigMask(c.pid, "SigCgt"); cgt != 0 {
				t.Errorf("%s: SigCgt %#x: handlers of the lab still installed in the child", c.name, cgt)
			}
		}
		if blk, _ := sigMask(c.pid, "SigBlk"); blk != 0 {
			t.Errorf("%s: SigBlk %#x, want nothing blocked", c.name, blk)
		}
		syscall.Kill(c.pid, syscall.SIGINT)
		syscall.Kill(c.pid, syscall.SIGQUIT)
		if st := c.end(); !st.Signaled() || st.Signal() != syscall.SIGKILL {
			t.Errorf("%s: ended with %v, want killed by the lab's SIGKILL", c.name, DescribeStatus(st))
		}
	}
}

// A child whose result pipe has no reader exits 3 (the record could not be
// written), as child.c documents; before, SIGPIPE killed it.
func TestRecordToClosedPipe(t *testing.T) {
	exe, _ := os.Executable()
	w := NewWorker(exe, os.Getpid())
	defer w.Close()
	for name, create := range map[string]func(Task, int) (Created, error){"fork": ForkRun, "spawn": w.Spawn} {
		r, fd := pipe(t)
		r.Close()
		c, err := create(Task{NIters: 1000}, fd)
		unix.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := Wait4(c.PID)
		if err != nil || !ex.Status.Exited() || ex.Status.ExitStatus() != 3 {
			t.Errorf("%s: %s (%v), want exit status 3", name, DescribeStatus(ex.Status), err)
		}
	}
}

// Without close_range (kernels before 5.9), a fork child still closes
// every fd above its result fd: here it holds no copy of a pipe's write
// end, so the reader sees EOF while the child still runs.
func TestCloseRangeFallback(t *testing.T) {
	setNoCloseRange(true)
	defer setNoCloseRange(false)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	r, fd := pipe(t)
	defer r.Close()
	c, err := ForkRun(Task{NIters: 1 << 40}, fd)
	unix.Close(fd)
	pw.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(c.PID, syscall.SIGKILL); Wait4(c.PID) }()
	pr.SetReadDeadline(time.Now().Add(hangLimit))
	if _, err := pr.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read: %v, want EOF: the child kept the pipe open", err)
	}
	if st, _, _ := procState(c.PID); st != "R" && st != "S" {
		t.Errorf("child state %q, want it still running", st)
	}
}

func procState(pid int) (state string, ppid int, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ppid, _ = strconv.Atoi(f[1])
	return f[0], ppid, nil
}

// No create holds Go's ForkLock, so another goroutine may be between
// making an fd and marking it close-on-exec when a child is created: every
// child closes all fds above its result fd itself. Here the lab holds an
// fd that is not close-on-exec (as such a goroutine would), and no child
// of any create keeps it: each ends up with fds 0-3 only. A fork child
// runs C only, so /proc/<pid>/fd shows what it holds. An exec'd worker's
// Go runtime opens fds of its own (epoll, a wakeup pipe) soon after the
// exec, so the worker lists its fds itself in its C constructor, before
// the runtime starts (the PROCLAB_TEST_FDS switch in worker.c), and the
// test checks that list exactly.
func TestChildHoldsNoOtherFD(t *testing.T) {
	leak, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(leak)
	report := filepath.Join(t.TempDir(), "fds")
	t.Setenv("PROCLAB_TEST_FDS", report) // before NewWorker copies the environment
	exe, _ := os.Executable()
	w := NewWorker(exe, os.Getpid())
	defer w.Close()
	long := Task{Index: 1, NIters: 1 << 40} // runs until killed
	for name, create := range map[string]func(Task, int) (Created, error){
		"fork": ForkRun, "spawn": w.Spawn, "fork-exec": w.ForkExec,
		"plain spawn":     func(t Task, fd int) (Created, error) { return Spawn(exe, WorkerArgv(exe, os.Getpid(), t), fd) },
		"plain fork-exec": func(t Task, fd int) (Created, error) { return ForkExec(exe, WorkerArgv(exe, os.Getpid(), t), fd) },
	} {
		os.Remove(report)
		r, fd := pipe(t)
		c, err := create(long, fd)
		unix.Close(fd)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got string
		for deadline := time.Now().Add(hangLimit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if name == "fork" {
				ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", c.PID))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var fds []string
				for _, e := range ents {
					fds = append(fds, e.Name())
				}
				if got = strings.Join(fds, ","); got == "0,1,2,3" {
					break
				}
				continue
			}
			if b, err := os.ReadFile(report); err == nil && strings.HasSuffix(string(b), "\n") {
				got = strings.TrimSuffix(string(b), "\n")
				break
			}
		}
		if got != "0,1,2,3" {
			t.Errorf("%s: the child holds fds %q, want 0,1,2,3 (the lab's fd %d leaked)", name, got, leak)
		}
		syscall.Kill(c.PID, syscall.SIGKILL)
		Wait4(c.PID)
		r.Close()
	}
	assertNoZombies(t)
}

// The server kills a child only on the lab's KILL, and reaps a child only
// after the lab's REAP: until then the ended child stays a zombie, so its
// pid is not free for reuse while the lab may still sample it. Before,
// the server reaped every child as soon as it ended, and the lab killed
// children by raw pid.
func TestForkserverHoldsPidUntilReap(t *testing.T) {
	c, st := startServer(t)
	defer stopServer(t, c)
	// A child that ends at once.
	r, w := pipe(t)
	if _, err := c.Request(1, Task{Index: 0, NIters: 1}, w); err != nil {
		t.Fatal(err)
	}
	unix.Close(w)
	m, err := c.Recv()
	if err != nil || m.Type != FSStarted || m.Err != nil {
		t.Fatalf("STARTED: %+v %v", m, err)
	}
	short := m.PID
	if _, err := ReadRecord(r); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !waitFor(func() bool { s, _, _ := procState(short); return s == "Z" }) {
		t.Fatalf("child %d never became a zombie", short)
	}
	// A second request and its answer: the server has been through its
	// loop, SIGCHLD of the first child included, since that child ended.
	longPID, lr := requestLong(t, c)
	if s, ppid, err := procState(short); err != nil || s != "Z" || ppid != st.PID {
		t.Fatalf("ended child %d: state %q parent %d (%v), want a zombie of the server until REAP", short, s, ppid, err)
	}
	// KILL goes through the server.
	if err := c.KillChild(longPID); err != nil {
		t.Fatal(err)
	}
	if !waitFor(func() bool { s, _, _ := procState(longPID); return s == "Z" }) {
		t.Fatalf("KILL did not kill %d", longPID)
	}
	for _, pid := range []int{short, longPID} {
		if err := c.ReapChild(pid); err != nil {
			t.Fatal(err)
		}
	}
	for got := 0; got < 2; got++ {
		m, err := c.Recv()
		if err != nil || m.Type != FSExited || (m.PID != short && m.PID != longPID) {
			t.Fatalf("want EXITED: %+v %v", m, err)
		}
		if m.PID == longPID && m.Exit.Status.Signal() != syscall.SIGKILL {
			t.Errorf("killed child: %s", DescribeStatus(m.Exit.Status))
		}
	}
	lr.Close()
	// KILL and REAP of a pid the server no longer has are ignored: it is
	// not its child any more, whoever has the number now.
	if err := c.KillChild(short); err != nil {
		t.Fatal(err)
	}
	if err := c.ReapChild(os.Getpid()); err != nil {
		t.Fatal(err)
	}
}

// A server that never says READY must not hold the lab: the wait gives
// way to the context (Ctrl-C, or a deadline), and the process is killed
// and reaped.
func TestForkserverReadyGivesWay(t *testing.T) {
	script := filepath.Join(t.TempDir(), "mute-server")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 1000\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				// Cancel once the mute server is running (sleeping).
				waitFor(func() bool {
					for _, pid := range childPIDs() {
						if cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); strings.Contains(string(cmd), "sleep") {
							return true
						}
					}
					return false
				})
				cancel()
			}()
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, _, err := StartForkserverContext(ctx, script, "proclab", os.Getpid())
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Errorf("start: %v, want %v", err, tc.want)
				}
			case <-time.After(hangLimit):
				t.Fatal("StartForkserverContext still waits for READY")
			}
			assertNoZombies(t)
		})
	}
}

// childPIDs lists this process's children.
func childPIDs() []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, err := procState(pid); err == nil && ppid == os.Getpid() {
			out = append(out, pid)
		}
	}
	return out
}

// A fork-exec start whose child never reaches its exec (here it pauses
// before execve, as one stopped, or exec'ing from a dead mount, would)
// gives way to Cancel and to the exec timeout: the child is killed and
// reaped. Before, the lab waited on the error pipe forever.
func TestForkExecGivesWay(t *testing.T) {
	setStallExec(true)
	defer setStallExec(false)
	exe, _ := os.Executable()
	for _, tc := range []struct {
		name string
		want syscall.Errno
	}{{"cancel", syscall.ECANCELED}, {"timeout", syscall.ETIMEDOUT}} {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorker(exe, os.Getpid())
			defer w.Close()
			if tc.want == syscall.ETIMEDOUT {
				w.SetExecTimeout(300 * time.Millisecond)
			} else {
				go func() {
					// Cancel once the child is there, stalled.
					waitFor(func() bool { return len(childPIDs()) > 0 })
					w.Cancel()
				}()
			}
			r, fd := pipe(t)
			defer r.Close()
			done := make(chan error, 1)
			go func() {
				_, err := w.ForkExec(Task{NIters: 1}, fd)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Errorf("ForkExec: %v, want %v", err, tc.want)
				}
			case <-time.After(hangLimit):
				t.Fatal("ForkExec still waits for a stalled child's exec")
			}
			unix.Close(fd)
			assertNoZombies(t)
		})
	}
}

// With the fd table full, the creates report what went wrong: posix_spawn's
// move of the result fd says EMFILE (before: EBADF), and a fork-exec child
// that cannot move its error pipe out of the way says so on the pipe
// (before: it exited 127 unheard, and the start passed for a successful
// exec). The test fills the fd table in a child process of its own (the
// test binary again), with the result pipe on fd 3.
func TestFdTableFull(t *testing.T) {
	if os.Getenv("PROCLAB_TEST_FD_TABLE_FULL") == "" {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cmd := exec.Command(os.Args[0], "-test.run=^TestFdTableFull$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "PROCLAB_TEST_FD_TABLE_FULL=1")
		cmd.ExtraFiles = []*os.File{w}
		out, err := cmd.Output()
		w.Close()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFdTableFull") {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		return
	}
	// The helper: fd 3 is the result pipe.
	exe, _ := os.Executable()
	wk := NewWorker(exe, os.Getpid())
	defer wk.Close()
	argv := WorkerArgv(exe, os.Getpid(), Task{NIters: 1})
	ents, _ := os.ReadDir("/proc/self/fd")
	top := 0
	for _, e := range ents {
		n, _ := strconv.Atoi(e.Name())
		top = max(top, n)
	}
	lim := &unix.Rlimit{Cur: uint64(top + 8), Max: uint64(top + 8)}
	var old unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &old)
	lim.Max = old.Max
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, lim); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
			break // EMFILE: every fd below the limit is taken
		}
	}
	if _, err := Spawn(exe, argv, 3); !errors.Is(err, syscall.EMFILE) {
		t.Errorf("spawn with a full fd table: %v, want EMFILE", err)
	}
	// Free two fds below 3: the error pipe gets them, and the child
	// cannot move it above fd 3.
	unix.Close(0)
	unix.Close(2)
	c, err := wk.ForkExec(Task{NIters: 1}, 3)
	if !errors.Is(err, syscall.EMFILE) {
		t.Errorf("fork-exec whose child cannot move its error pipe: %v (pid %d), want EMFILE", err, c.PID)
		if err == nil {
			Wait4(c.PID)
		}
	}
}

// A profiled task samples with a CPU-time timer of its own thread, in a
// worker (where the Go runtime has other threads) as in a fork child:
// /proc/PID/timers shows a thread CPU-clock timer (ClockID 3) aimed at one
// thread of the process. Before, ITIMER_PROF (process-wide, not listed
// there) could interrupt any thread, two at once.
func TestProfilerTimerIsPerThread(t *testing.T) {
	exe, _ := os.Executable()
	w := NewWorker(exe, os.Getpid())
	defer w.Close()
	for name, create := range map[string]func(Task, int) (Created, error){"fork": ForkRun, "spawn": w.Spawn} {
		r, fd := pipe(t)
		c, err := create(Task{NIters: 1 << 40, ProfileHz: 100}, fd)
		unix.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		var timers string
		waitFor(func() bool {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(c.PID) + "/timers")
			timers = string(b)
			return timers != ""
		})
		tid := ""
		for _, line := range strings.Split(timers, "\n") {
			if rest, ok := strings.CutPrefix(line, "notify: signal/tid."); ok {
				tid = rest
			}
		}
		if !strings.Contains(timers, "ClockID: -2\n") || tid == "" {
			t.Errorf("%s: timers %q, want a thread CPU-time timer aimed at a thread", name, timers)
		} else if _, err := os.Stat("/proc/" + strconv.Itoa(c.PID) + "/task/" + tid); err != nil {
			t.Errorf("%s: the timer's thread %s is not one of the child's: %v", name, tid, err)
		}
		syscall.Kill(c.PID, syscall.SIGKILL)
		Wait4(c.PID)
		r.Close()
	}

	// A worker's samples land in the hot loop.
	task := Task{Index: 1, NIters: 100_000_000, ProfileHz: 250}
	_, rec, ex := runChild(t, func(fd int) (Created, error) { return w.Spawn(task, fd) })
	checkSamples(t, "spawned worker", rec.Samples, rec.TextBase, 250, int64(ex.Usage.User+ex.Usage.Sys))
}
