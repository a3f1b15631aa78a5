package csys

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// refHotLoop is an independent Go rendering of hotloop.c.
func refHotLoop(n uint64) uint64 {
	x := uint64(0x9E3779B97F4A7C15)
	var acc uint64
	for i := uint64(0); i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		acc += x ^ i
	}
	return acc ^ x
}

func TestHotLoopMatchesReference(t *testing.T) {
	seen := map[uint64]bool{}
	for _, n := range []uint64{0, 1, 2, 7, 1000, 123457} {
		got, want := HotLoop(n), refHotLoop(n)
		if got != want {
			t.Errorf("HotLoop(%d) = %#x, want %#x", n, got, want)
		}
		if seen[got] {
			t.Errorf("HotLoop(%d) = %#x repeats an earlier checksum", n, got)
		}
		seen[got] = true
	}
}

func TestRecordLayout(t *testing.T) {
	want := map[string]uintptr{
		"size": RecordHeaderSize, "version": 4, "task": 8, "pid": 16, "n_iters": 24,
		"checksum": 32, "exec_done_ns": 40, "runtime_ready_ns": 48, "task_start_ns": 56,
		"task_end_ns": 64, "text_base": 72, "profile_hz": 80, "n_samples": 84, "samples_dropped": 88,
		"mem_err": 92, "task_cpu_ns": 96, "mem_read_ns": 104, "hwm_bytes": 112, "end_rss_bytes": 120,
		"end_pss_bytes": 128, "end_uss_bytes": 136,
	}
	got := cRecordLayout()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("C offset of %s = %d, Go decoder uses %d", k, got[k], w)
		}
	}
}

// pipe returns a pollable read end and a raw blocking write end.
func pipe(t *testing.T) (*os.File, int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(p[0]), "result"), p[1]
}

// runChild creates one child with create, reads its record and reaps it.
func runChild(t *testing.T, create func(w int) (Created, error)) (Created, Record, Exit) {
	t.Helper()
	r, w := pipe(t)
	defer r.Close()
	c, err := create(w)
	unix.Close(w)
	if err != nil {
		t.Fatal(err)
	}
	rec, rerr := ReadRecord(r)
	ex, err := Wait4(c.PID)
	if err != nil {
		t.Fatal(err)
	}
	if rerr != nil {
		t.Fatalf("record: %v (child status %v)", rerr, ex.Status)
	}
	return c, rec, ex
}

func checkChild(t *testing.T, task Task, c Created, rec Record, ex Exit) {
	t.Helper()
	if !ex.Status.Exited() || ex.Status.ExitStatus() != 0 {
		t.Errorf("child status %v, want exit 0", ex.Status)
	}
	if int(rec.PID) != c.PID || int(rec.PPID) != os.Getpid() {
		t.Errorf("record pid/ppid %d/%d, want %d/%d", rec.PID, rec.PPID, c.PID, os.Getpid())
	}
	if rec.Checksum != refHotLoop(task.NIters) || rec.NIters != task.NIters || rec.Task != task.Index {
		t.Errorf("record %+v does not match task %+v", rec, task)
	}
	if !(c.CreateNS < rec.TaskStartNS && rec.TaskStartNS <= rec.TaskEndNS && rec.TaskEndNS < ex.ReapedNS) {
		t.Errorf("stamps out of order: create %d start %d end %d reaped %d", c.CreateNS, rec.TaskStartNS, rec.TaskEndNS, ex.ReapedNS)
	}
	assertNoZombies(t)
}

// assertNoZombies checks /proc for children of this process that were
// not reaped.
func assertNoZombies(t *testing.T) {
	t.Helper()
	me := os.Getpid()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		rest := s[strings.LastIndexByte(s, ')')+2:] // "S ppid ..."
		var state byte
		var ppid int
		if _, err := fmtSscan(rest, &state, &ppid); err == nil && ppid == me {
			t.Errorf("process %s (state %c) is still a child of the test", e.Name(), state)
		}
	}
}

func TestForkRun(t *testing.T) {
	task := Task{Index: 3, NIters: 100000}
	c, rec, ex := runChild(t, func(w int) (Created, error) { return ForkRun(task, w) })
	checkChild(t, task, c, rec, ex)
	if rec.Flags != 0 || rec.ExecDoneNS != 0 || rec.RuntimeReadyNS != 0 {
		t.Errorf("fork child claims a fresh image: flags %#x exec %d runtime %d", rec.Flags, rec.ExecDoneNS, rec.RuntimeReadyNS)
	}
}

func testExecWorker(t *testing.T, create func(path string, argv []string, w int) (Created, error)) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	task := Task{Index: 1, NIters: 50000}
	c, rec, ex := runChild(t, func(w int) (Created, error) {
		return create(exe, WorkerArgv(exe, os.Getpid(), task), w)
	})
	checkChild(t, task, c, rec, ex)
	if rec.Flags != FlagExeced|FlagGoRuntime {
		t.Errorf("worker flags %#x, want exec'd with its own runtime", rec.Flags)
	}
	if !(c.CreateNS < rec.ExecDoneNS && rec.ExecDoneNS < rec.RuntimeReadyNS && rec.RuntimeReadyNS <= rec.TaskStartNS) {
		t.Errorf("worker stamps out of order: create %d exec %d runtime %d start %d", c.CreateNS, rec.ExecDoneNS, rec.RuntimeReadyNS, rec.TaskStartNS)
	}
}

func TestSpawnWorker(t *testing.T)    { testExecWorker(t, Spawn) }
func TestForkExecWorker(t *testing.T) { testExecWorker(t, ForkExec) }

func TestForkExecMissingBinary(t *testing.T) {
	r, w := pipe(t)
	defer r.Close()
	_, err := ForkExec("/nonexistent/proclab", []string{"x"}, w)
	unix.Close(w)
	if !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("ForkExec of a missing binary: %v, want ENOENT", err)
	}
	assertNoZombies(t)
}

func TestSpawnMissingBinary(t *testing.T) {
	r, w := pipe(t)
	defer r.Close()
	_, err := Spawn("/nonexistent/proclab", []string{"x"}, w)
	unix.Close(w)
	if !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("Spawn of a missing binary: %v, want ENOENT", err)
	}
}

// A worker started by hand (no pipe, bad arguments) fails at once with
// exit status 2 and a one-line reason, before any CLI code.
func TestWorkerStartedWrongly(t *testing.T) {
	exe, _ := os.Executable()
	v := strconv.Itoa(ProtocolVersion)
	cases := []struct {
		name   string
		args   []string
		pipe   bool
		reason string
	}{
		{"no pipe", []string{v, "1", "0", "10", "0"}, false, "no result pipe on fd 3"},
		{"bad n_iters", []string{v, "1", "0", "ten", "0"}, true, "bad n_iters: ten"},
		{"zero n_iters", []string{v, "1", "0", "0", "0"}, true, "bad n_iters: 0"},
		{"missing args", []string{"1"}, true, "want 5 arguments"},
		{"wrong protocol", []string{"9", "1", "0", "10", "0"}, true, "unsupported protocol version: 9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(exe, append([]string{WorkerArg}, tc.args...)...)
			if tc.pipe {
				r, w, _ := os.Pipe()
				defer r.Close()
				defer w.Close()
				cmd.ExtraFiles = []*os.File{w}
			}
			checkStartedByHand(t, cmd, tc.reason)
		})
	}
}

// checkStartedByHand runs cmd, a worker or forkserver started wrongly, and
// checks that it fails at once with exit status 2 and a one-line reason.
func checkStartedByHand(t *testing.T, cmd *exec.Cmd, reason string) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2; output %q", err, out)
	}
	msg := strings.TrimSpace(string(out))
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, reason) {
		t.Errorf("message %q, want one line containing %q", msg, reason)
	}
}
