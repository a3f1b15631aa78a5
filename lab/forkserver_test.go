package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

func TestForkserverRun(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Forkserver, results.Fork}, NTasks: 4, NIters: 50000, Repeat: 2})
	fs := res.Forkserver
	if fs == nil || fs.PID <= 0 || fs.StartupNS <= 0 {
		t.Fatalf("forkserver figures %+v", fs)
	}
	// The Go runtime never started in the server.
	if fs.Threads != 1 {
		t.Errorf("server had %d threads, want 1", fs.Threads)
	}
	if fs.RSSBytes <= 0 || fs.RSSBytes > 16<<20 {
		t.Errorf("server RSS %d bytes, want a small process", fs.RSSBytes)
	}
	for _, r := range res.Runs {
		if r.Method != results.Forkserver {
			continue
		}
		for i, tk := range r.Tasks {
			checkProcessTask(t, i, tk, fs.PID)
			if tk.ExecDoneNS != nil || tk.RuntimeReadyNS != nil {
				t.Errorf("task %d: a forkserver child runs no new image: %+v", i, tk)
			}
		}
	}
	// The server was shut down and reaped; its children were reaped by it.
	assertNoChildren(t)
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", fs.PID)); err == nil {
		if st, err := readStat(strconv.Itoa(fs.PID)); err == nil && st.ppid == os.Getpid() {
			t.Errorf("server %d is still alive after Run", fs.PID)
		}
	}
}

// procIdentity is a process's start time (field 22 of /proc/PID/stat),
// to tell a process from a later one that reuses its pid.
func procIdentity(pid int) (state string, ppid int, start string, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, "", err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // field 3 onwards
	ppid, _ = strconv.Atoi(f[1])
	return f[0], ppid, f[19], nil
}

// findForkserver waits for this process's forkserver child to appear.
func findForkserver(t *testing.T) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, c := range childrenOf(os.Getpid()) {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c.pid))
			if args := strings.Split(string(cmd), "\x00"); len(args) > 1 && args[1] == csys.ForkserverArg {
				return c.pid
			}
		}
	}
	t.Fatal("no forkserver appeared")
	return 0
}

// The server killed while its children run: the tasks fail with a clear
// error, later rounds are not started, and nothing is left behind: the
// server is reaped by the lab, its children died with it.
func TestForkserverKilledMidRun(t *testing.T) {
	const nTasks = 2
	type outcome struct {
		res *results.Result
		err error
	}
	out := make(chan outcome, 1)
	go func() {
		// Tasks of a few seconds: long enough to be caught running, short
		// enough for the lab's own reference checksum, computed first.
		res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Forkserver}, NTasks: nTasks, NIters: 1 << 30, Repeat: 2})
		out <- outcome{res, err}
	}()
	server := findForkserver(t)
	t.Cleanup(func() { syscall.Kill(server, syscall.SIGKILL) }) // if the test fails early

	// The server is single-threaded while it serves, too.
	if _, threads, err := procStatus(server); err != nil || threads != 1 {
		t.Errorf("server threads %d (%v), want 1", threads, err)
	}
	var kids []procEntry
	for deadline := time.Now().Add(30 * time.Second); len(kids) < nTasks; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("server has %d children, want %d", len(kids), nTasks)
		}
		kids = childrenOf(server)
	}
	starts := map[int]string{}
	for _, k := range kids {
		_, _, start, err := procIdentity(k.pid)
		if err != nil {
			t.Fatal(err)
		}
		starts[k.pid] = start
	}

	if err := syscall.Kill(server, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	o := <-out
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	if len(o.res.Runs) != 2 {
		t.Fatalf("%d runs, want 2", len(o.res.Runs))
	}
	for i, tk := range o.res.Runs[0].Tasks {
		want := fmt.Sprintf("forkserver: server exited (signal killed) while task %d was running", i)
		if tk.Error != want || tk.ChecksumOK != nil {
			t.Errorf("round 0 task %d: error %q, want %q", i, tk.Error, want)
		}
	}
	for i, tk := range o.res.Runs[1].Tasks {
		if !strings.HasPrefix(tk.Error, "not started: forkserver: server exited (signal killed)") {
			t.Errorf("round 1 task %d: error %q, want not started because the server is gone", i, tk.Error)
		}
	}

	assertNoChildren(t) // the lab reaped the server
	if others := childrenOf(server); len(others) != 0 {
		t.Errorf("processes %v still have the dead server as parent", others)
	}
	// The server's children got SIGKILL (PDEATHSIG) and were handed to
	// init, whose job it is to reap them: each must be dead (gone, or a
	// zombie waiting for init), never running.
	for pid, start := range starts {
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			state, ppid, st, err := procIdentity(pid)
			if err != nil || st != start {
				break // gone (or the pid now names another process)
			}
			if state == "Z" && ppid != os.Getpid() {
				t.Logf("child %d is dead, waiting for init (pid %d) to reap it", pid, ppid)
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("child %d of the killed server is still %s (parent %d)", pid, state, ppid)
				break
			}
		}
	}
}

// fakeServer plays the server's end of the socket for the lab's client.
type fakeServer struct {
	t  *testing.T
	fd int
	fs *forkserver
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{t: t, fd: fds[1]}
	f.fs = newForkserver(csys.NewForkserverConn(fds[0], 0), results.ForkserverInfo{PID: 1})
	t.Cleanup(func() {
		unix.Close(f.fd) // the client sees EOF
		f.fs.close()
	})
	return f
}

// request reads one START request; it must carry exactly one fd.
func (f *fakeServer) request() (uint32, csys.Task) {
	buf, oob := make([]byte, 64), make([]byte, 64)
	n, oobn, _, _, err := unix.Recvmsg(f.fd, buf, oob, 0)
	if err != nil {
		f.t.Errorf("fake server: %v", err)
		return 0, csys.Task{}
	}
	var fds []int
	cms, _ := unix.ParseSocketControlMessage(oob[:oobn])
	for _, cm := range cms {
		got, _ := unix.ParseUnixRights(&cm)
		fds = append(fds, got...)
	}
	for _, fd := range fds {
		unix.Close(fd)
	}
	if len(fds) != 1 {
		f.t.Errorf("request carried %d fds, want the result pipe", len(fds))
	}
	seq, task, err := csys.DecodeForkserverRequest(buf[:n])
	if err != nil {
		f.t.Error(err)
	}
	return seq, task
}

func (f *fakeServer) send(b []byte) {
	if _, err := unix.Write(f.fd, b); err != nil {
		f.t.Errorf("fake server: %v", err)
	}
}

// answer serves the next request in the background with reply(seq, task).
func (f *fakeServer) answer(reply func(seq uint32, task csys.Task)) {
	go func() { reply(f.request()) }()
}

func startTask(t *testing.T, fs *forkserver, i uint32) (child, error) {
	t.Helper()
	r, w, err := resultPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer unix.Close(w)
	return fs.start(csys.Task{Index: i, NIters: 10}, w)
}

func TestForkserverShortAnswer(t *testing.T) {
	f := newFakeServer(t)
	f.answer(func(seq uint32, task csys.Task) {
		f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq, Task: task.Index, PID: 4242})[:6])
	})
	_, err := startTask(t, f.fs, 0)
	want := "forkserver: bad message from the server (short message: 6 bytes, a header alone is 8); server killed"
	if err == nil || err.Error() != want {
		t.Fatalf("start: %v, want %q", err, want)
	}
	var pe *csys.ForkserverProtocolError
	if !errors.As(err, &pe) {
		t.Errorf("%v does not unwrap to a protocol error", err)
	}
	// The client is done with this server: later starts fail at once.
	if _, err := startTask(t, f.fs, 1); err == nil || err.Error() != want {
		t.Errorf("second start: %v", err)
	}
}

func TestForkserverGarbageWhileRunning(t *testing.T) {
	f := newFakeServer(t)
	f.answer(func(seq uint32, task csys.Task) {
		f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq, Task: task.Index, PID: 4242}))
	})
	c, err := startTask(t, f.fs, 3)
	if err != nil || c.pid != 4242 || c.parentPID != 1 || c.createNS <= 0 {
		t.Fatalf("start: %+v %v", c, err)
	}
	bad := csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSExited, PID: 4242})
	bad[0] ^= 0xff
	f.send(bad)
	_, err = c.wait()
	if err == nil || !strings.HasPrefix(err.Error(), "forkserver: bad message from the server (bad magic") ||
		!strings.HasSuffix(err.Error(), "server killed while task 3 was running") {
		t.Fatalf("wait: %v", err)
	}
}

// A failed fork (EAGAIN) is an answer for one task, not the end of the
// server: the next task starts and its exit comes back.
func TestForkserverForkFailure(t *testing.T) {
	f := newFakeServer(t)
	f.answer(func(seq uint32, task csys.Task) {
		f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq, Task: task.Index, Err: syscall.EAGAIN}))
	})
	_, err := startTask(t, f.fs, 0)
	if !errors.Is(err, syscall.EAGAIN) || !strings.HasPrefix(err.Error(), "forkserver: fork for task 0:") {
		t.Fatalf("start: %v, want EAGAIN", err)
	}
	f.answer(func(seq uint32, task csys.Task) {
		f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq, Task: task.Index, PID: 4243}))
		f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSExited, PID: 4243,
			Exit: csys.Exit{Usage: csys.Usage{MinFlt: 7, MaxRSSBytes: 1 << 20}}}))
	})
	c, err := startTask(t, f.fs, 1)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.wait()
	if err != nil || !ex.Status.Exited() || ex.Status.ExitStatus() != 0 || ex.Usage.MinFlt != 7 || ex.ReapedNS < c.createNS {
		t.Fatalf("wait: %+v %v", ex, err)
	}
}

// The server going away while a request waits for its answer.
func TestForkserverGoneBeforeStarted(t *testing.T) {
	f := newFakeServer(t)
	f.answer(func(uint32, csys.Task) { unix.Shutdown(f.fd, unix.SHUT_RDWR) })
	_, err := startTask(t, f.fs, 0)
	if err == nil || err.Error() != "forkserver: the server closed its socket" {
		t.Fatalf("start: %v", err)
	}
}
