package csys

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestForkserverLayout(t *testing.T) {
	want := map[string]uintptr{
		"header.size": 8, "header.version": 4, "header.type": 6,
		"ready.size": fsReadySize, "ready.pid": 8, "ready.ready_ns": 16,
		"start.size": fsStartSize, "start.seq": 8, "start.task": 16, "start.hz": 20, "start.n_iters": 24,
		"started.size": fsStartedSize, "started.seq": 8, "started.task": 12, "started.pid": 16,
		"started.err": 20, "started.fork_ns": 24,
		"exited.size": fsExitedSize, "exited.pid": 8, "exited.status": 12, "exited.user_ns": 16,
		"exited.sys_ns": 24, "exited.maxrss": 32, "exited.minflt": 40, "exited.majflt": 48,
		"exited.nvcsw": 56, "exited.nivcsw": 64, "exited.reaped": 72,
		"pid.size": fsPidSize, "pid.pid": 8,
	}
	got := cForkserverLayout()
	if len(got) != len(want) {
		t.Fatalf("layout has %d entries, the test knows %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("C offset of %s = %d, Go uses %d", k, got[k], w)
		}
	}
}

// statusField reads one numeric field ("Threads", "VmRSS") of
// /proc/PID/status.
func statusField(t *testing.T, pid int, name string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			v, err := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no %s in /proc/%d/status", name, pid)
	return 0
}

func startServer(t *testing.T) (*ForkserverConn, ForkserverStarted) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c, st, err := StartForkserver(exe, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

// stopServer shuts the server down cleanly and checks it exited 0.
func stopServer(t *testing.T, c *ForkserverConn) {
	t.Helper()
	if err := c.Shutdown(); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := c.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after shutdown: %v", err)
		}
		t.Logf("after shutdown: %v for pid %d", m.Type, m.PID)
	}
	ex, err := c.Wait()
	if err != nil || !ex.Status.Exited() || ex.Status.ExitStatus() != 0 {
		t.Errorf("server ended with %v (%v), want exit status 0", DescribeStatus(ex.Status), err)
	}
	c.Close()
}

func TestForkserverRunsTasks(t *testing.T) {
	c, st := startServer(t)
	if !(st.PID > 0 && st.CreateNS < st.ReadyNS) {
		t.Fatalf("started %+v", st)
	}
	// The Go runtime never started in the server: one thread, little memory.
	if n := statusField(t, st.PID, "Threads"); n != 1 {
		t.Errorf("server has %d threads, want 1", n)
	}
	if kib := statusField(t, st.PID, "VmRSS"); kib > 16<<10 {
		t.Errorf("server RSS %d KiB, want a small process", kib)
	}

	// Task 1 is profiled: the rate travels in the request, and the child
	// samples itself as any fork child does.
	tasks := []Task{{Index: 0, NIters: 1000}, {Index: 1, NIters: 30_000_000, ProfileHz: 1000}, {Index: 2, NIters: 7}}
	reads := make([]*os.File, len(tasks))
	sent := make([]int64, len(tasks))
	for i, task := range tasks {
		r, w := pipe(t)
		defer r.Close()
		reads[i] = r
		var err error
		sent[i], err = c.Request(uint32(100+i), task, w)
		unix.Close(w)
		if err != nil {
			t.Fatal(err)
		}
	}
	pids := map[int]int{} // child pid -> task
	exits := map[int]Exit{}
	for len(exits) < len(tasks) {
		m, err := c.Recv()
		if err != nil {
			t.Fatal(err)
		}
		switch m.Type {
		case FSStarted:
			i := int(m.Seq) - 100
			if m.Err != nil || i < 0 || i >= len(tasks) || m.Task != tasks[i].Index || m.StampNS < sent[i] {
				t.Fatalf("STARTED %+v", m)
			}
			pids[m.PID] = i
			// The server reaps a child only once the lab is done with it.
			if err := c.ReapChild(m.PID); err != nil {
				t.Fatal(err)
			}
		case FSExited:
			if _, ok := pids[m.PID]; !ok {
				t.Fatalf("EXITED for pid %d before its STARTED", m.PID)
			}
			exits[m.PID] = m.Exit
		default:
			t.Fatalf("unexpected %v", m.Type)
		}
	}
	for pid, i := range pids {
		rec, err := ReadRecord(reads[i])
		if err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		ex := exits[pid]
		if int(rec.PID) != pid || int(rec.PPID) != st.PID || rec.Checksum != refHotLoop(tasks[i].NIters) || rec.Task != tasks[i].Index {
			t.Errorf("task %d: record %+v, want pid %d, server %d as parent", i, rec, pid, st.PID)
		}
		if rec.ProfileHz != tasks[i].ProfileHz || (rec.ProfileHz > 0) != (len(rec.Samples) > 0) {
			t.Errorf("task %d: profiled at %d Hz with %d samples, asked for %d Hz", i, rec.ProfileHz, len(rec.Samples), tasks[i].ProfileHz)
		}
		if !ex.Status.Exited() || ex.Status.ExitStatus() != 0 || ex.Usage.MaxRSSBytes <= 0 || ex.Usage.MinFlt <= 0 {
			t.Errorf("task %d: exit %+v", i, ex)
		}
		if !(sent[i] < rec.TaskStartNS && rec.TaskEndNS <= ex.ReapedNS) {
			t.Errorf("task %d: stamps out of order: sent %d start %d end %d EXITED %d", i, sent[i], rec.TaskStartNS, rec.TaskEndNS, ex.ReapedNS)
		}
	}
	stopServer(t, c)
	assertNoZombies(t)
}

// requestLong starts a task that would run for minutes, and returns its
// pid and result pipe.
func requestLong(t *testing.T, c *ForkserverConn) (int, *os.File) {
	t.Helper()
	r, w := pipe(t)
	_, err := c.Request(1, Task{Index: 9, NIters: 1 << 40}, w)
	unix.Close(w)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Recv()
	if err != nil || m.Type != FSStarted || m.Err != nil {
		t.Fatalf("STARTED: %+v %v", m, err)
	}
	return m.PID, r
}

// expectKilledChild reads the EXITED of a child the server killed.
func expectKilledChild(t *testing.T, c *ForkserverConn, pid int, r *os.File) {
	t.Helper()
	m, err := c.Recv()
	if err != nil || m.Type != FSExited || m.PID != pid || !m.Exit.Status.Signaled() || m.Exit.Status.Signal() != syscall.SIGKILL {
		t.Fatalf("want EXITED (killed) for %d, got %+v %v", pid, m, err)
	}
	if _, err := ReadRecord(r); !errors.Is(err, ErrNoRecord) {
		t.Errorf("killed child's pipe: %v, want no record", err)
	}
	r.Close()
}

// On EOF the server kills the children it still has, reports them, and
// exits 0.
func TestForkserverShutdownKillsChildren(t *testing.T) {
	c, _ := startServer(t)
	pid, r := requestLong(t, c)
	if err := c.Shutdown(); err != nil {
		t.Fatal(err)
	}
	expectKilledChild(t, c, pid, r)
	if _, err := c.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last child: %v, want EOF", err)
	}
	ex, err := c.Wait()
	if err != nil || !ex.Status.Exited() || ex.Status.ExitStatus() != 0 {
		t.Errorf("server: %s %v", DescribeStatus(ex.Status), err)
	}
	c.Close()
	assertNoZombies(t)
}

// A malformed request ends the server with exit status 3, children killed.
func TestForkserverMalformedRequest(t *testing.T) {
	c, _ := startServer(t)
	pid, r := requestLong(t, c)
	if _, err := unix.Write(c.fd, []byte("PLFS?")); err != nil {
		t.Fatal(err)
	}
	expectKilledChild(t, c, pid, r)
	if _, err := c.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after a malformed request: %v, want EOF", err)
	}
	ex, _ := c.Wait()
	if got := DescribeStatus(ex.Status); got != "exit status 3" {
		t.Errorf("server ended with %s, want exit status 3", got)
	}
	c.Close()
	assertNoZombies(t)
}

// The server killed: the lab reads EOF and reaps it; the child died with it.
func TestForkserverKilled(t *testing.T) {
	c, st := startServer(t)
	_, r := requestLong(t, c)
	defer r.Close()
	syscall.Kill(st.PID, syscall.SIGKILL)
	if _, err := c.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after SIGKILL: %v, want EOF", err)
	}
	ex, _ := c.Wait()
	if got := DescribeStatus(ex.Status); got != "signal killed" {
		t.Errorf("server ended with %s", got)
	}
	c.Kill() // reaped: must not signal anything now
	if _, err := ReadRecord(r); !errors.Is(err, ErrNoRecord) {
		t.Errorf("orphaned child's pipe: %v, want EOF (the child died with the server)", err)
	}
	c.Close()
	assertNoZombies(t)
}

// fakePeer returns a conn to a peer that the test plays.
func fakePeer(t *testing.T) (*ForkserverConn, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[1]) })
	c := NewForkserverConn(fds[0], 0)
	t.Cleanup(func() { c.Close() })
	return c, fds[1]
}

func TestForkserverGarbledMessages(t *testing.T) {
	good := EncodeForkserverMsg(ForkserverMsg{Type: FSStarted, Seq: 1, PID: 42, StampNS: 5})
	badMagic := append([]byte{}, good...)
	badMagic[0] ^= 0xff
	badVersion := append([]byte{}, good...)
	badVersion[4] = 9
	cases := []struct {
		name, msg string
		b         []byte
	}{
		{"short", "short message: 5 bytes", good[:5]},
		{"truncated body", "STARTED message of 20 bytes, want 32", good[:20]},
		{"too long", "message longer than", make([]byte, 200)},
		{"bad magic", "bad magic", badMagic},
		{"bad version", "version 9, want " + strconv.Itoa(ForkserverVersion), badVersion},
		{"pid and errno", "STARTED with pid 0 and errno 0", EncodeForkserverMsg(ForkserverMsg{Type: FSStarted})},
		{"request type", "unexpected message START", EncodeForkserverMsg(ForkserverMsg{Type: FSStart})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, peer := fakePeer(t)
			if _, err := unix.Write(peer, tc.b); err != nil {
				t.Fatal(err)
			}
			_, err := c.Recv()
			var pe *ForkserverProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Recv: %v, want a protocol error saying %q", err, tc.msg)
			}
		})
	}
	c, peer := fakePeer(t)
	unix.Write(peer, good)
	if m, err := c.Recv(); err != nil || m.PID != 42 || m.Seq != 1 || m.Err != nil {
		t.Errorf("good STARTED: %+v %v", m, err)
	}
	unix.Shutdown(peer, unix.SHUT_WR)
	if _, err := c.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("peer gone: %v, want EOF", err)
	}
	if _, err := c.Wait(); err == nil {
		t.Error("Wait with no server process should fail")
	}
}

// A forkserver started by hand fails at once with exit status 2 and one
// line, before any CLI code.
func TestForkserverStartedWrongly(t *testing.T) {
	exe, _ := os.Executable()
	sock := func() *os.File {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		unix.Close(fds[1])
		return os.NewFile(uintptr(fds[0]), "sock")
	}
	stream := func() *os.File {
		fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		unix.Close(fds[1])
		return os.NewFile(uintptr(fds[0]), "stream")
	}
	pipeEnd := func() *os.File {
		r, w, _ := os.Pipe()
		r.Close()
		return w
	}
	me := strconv.Itoa(os.Getpid())
	v := strconv.Itoa(ForkserverVersion)
	cases := []struct {
		name   string
		args   []string
		fd3    func() *os.File
		reason string
	}{
		{"nothing on fd 3", []string{v, me}, nil, "no socket on fd 3"},
		{"pipe on fd 3", []string{v, me}, pipeEnd, "no socket on fd 3"},
		{"stream socket", []string{v, me}, stream, "not a SOCK_SEQPACKET socket"},
		{"missing args", []string{v}, sock, "want 2 arguments"},
		{"wrong version", []string{"7", me}, sock, "unsupported protocol version: 7"},
		{"bad lab pid", []string{v, "x"}, sock, "bad lab pid: x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(exe, append([]string{ForkserverArg}, tc.args...)...)
			if tc.fd3 != nil {
				f := tc.fd3()
				defer f.Close()
				cmd.ExtraFiles = []*os.File{f}
			}
			checkStartedByHand(t, cmd, tc.reason)
		})
	}
}

// A server whose lab is not its parent (PDEATHSIG could not protect it)
// refuses to serve.
func TestForkserverWrongLab(t *testing.T) {
	exe, _ := os.Executable()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	c, err := Spawn(exe, ForkserverArgv(exe, 1), fds[1])
	unix.Close(fds[1])
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Wait4(c.PID)
	if err != nil || DescribeStatus(ex.Status) != "exit status 126" {
		t.Errorf("server for another lab: %s %v, want exit status 126", DescribeStatus(ex.Status), err)
	}
}
