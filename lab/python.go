package lab

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// pyContext is m's multiprocessing start method.
func pyContext(m results.Method) string { return strings.TrimPrefix(string(m), "py-") }

// Python is the command the Python methods run; PROCLAB_PYTHON overrides
// the python3 found on PATH.
func Python() (string, error) {
	if p := os.Getenv("PROCLAB_PYTHON"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("python3 is not on PATH: install it (apt-get install python3) to run the py-* methods")
	}
	return p, nil
}

//go:embed proclab_pydriver.py
var pyDriverSource []byte

// pydriver is the lab's side of the run's Python driver. Like the
// forkserver, it answers each start request with STARTED and each child's
// end with EXITED; one reader goroutine hands them to whoever waits.
type pydriver struct {
	cmd  *exec.Cmd
	sock int // the lab's end of the socketpair (SOCK_SEQPACKET)
	dir  string
	info results.PythonInfo
	done chan struct{} // closed when the reader has ended and the driver is reaped

	mu     sync.Mutex
	seq    uint32
	starts map[uint32]chan pyMsg
	exits  map[int]chan pyMsg
	inproc chan pyMsg
	gone   error
	gaveUp string // why the lab killed the driver, if it gave up on it

	sendMu   sync.Mutex  // one send at a time; guards closed
	closed   bool        // close has closed sock
	stopWait func() bool // unregisters the run's cancellation watch
}

// pyMsg is one message from the driver (see proclab_pydriver.py).
type pyMsg struct {
	Op       string `json:"op"`
	Seq      uint32 `json:"seq"`
	PID      int    `json:"pid"`
	PPID     int    `json:"ppid"`
	Error    string `json:"error"`
	CreateNS int64  `json:"create_ns"`
	Status   int    `json:"status"`
	ReapedNS int64  `json:"reaped_ns"`
	UserNS   int64  `json:"user_ns"`
	SysNS    int64  `json:"sys_ns"`
	MinFlt   int64  `json:"minflt"`
	MajFlt   int64  `json:"majflt"`
	NVCSW    int64  `json:"nvcsw"`
	NIVCSW   int64  `json:"nivcsw"`
	// Usage: the driver reaped the child with wait4 and sent its rusage.
	Usage       bool  `json:"usage"`
	MaxRSSBytes int64 `json:"maxrss_bytes"`

	Python              string `json:"python"`
	Executable          string `json:"executable"`
	ReadyNS             int64  `json:"ready_ns"`
	ForkserverPID       *int   `json:"forkserver_pid"`
	ForkserverStartupNS *int64 `json:"forkserver_startup_ns"`

	Tasks []pyInprocTask `json:"tasks"`
	err   error          // set by the lab: the driver is gone
	exit  chan pyMsg     // started: where the child's exited goes
}

// pyInprocTask is one py-thread or py-single task as the driver ran it.
type pyInprocTask struct {
	Task        int    `json:"task"`
	TID         int    `json:"tid"`
	CreateNS    int64  `json:"create_ns"`
	TaskStartNS int64  `json:"task_start_ns"`
	TaskEndNS   int64  `json:"task_end_ns"`
	DoneNS      int64  `json:"done_ns"`
	Checksum    string `json:"checksum"`
	TaskCPUNS   int64  `json:"task_cpu_ns"`
}

// pyReadyTimeout bounds the driver's start-up (an interpreter, and
// Python's forkserver when asked for).
const pyReadyTimeout = 30 * time.Second

// startPython starts the run's driver for the Python methods in methods.
func startPython(ctx context.Context, labPID int, methods []results.Method) (*pydriver, error) {
	py, err := Python()
	if err != nil {
		return nil, err
	}
	dir, err := makeTempDir("proclab-py-")
	if err != nil {
		return nil, fmt.Errorf("python driver: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "proclab_pydriver.py"), pyDriverSource, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("python driver: %w", err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("python driver: socketpair: %w", err)
	}
	// No send waits long for a driver that does not read (stopped).
	tv := unix.NsecToTimeval(pyAnswerTimeout.Nanoseconds())
	unix.SetsockoptTimeval(fds[0], unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	theirs := os.NewFile(uintptr(fds[1]), "pydriver")
	var contexts []string
	for _, m := range methods {
		if m == results.PyForkserver {
			contexts = append(contexts, pyContext(m))
		}
	}
	boot := "import sys; sys.path.insert(0, " + strconv.Quote(dir) + "); import proclab_pydriver as d; d.main()"
	cmd := exec.Command(py, "-I", "-c", boot, strconv.Itoa(labPID), strings.Join(contexts, ","))
	cmd.ExtraFiles = []*os.File{theirs}
	// multiprocessing makes a pymp-* directory in TMPDIR (for its
	// forkserver's socket) and removes it at the driver's exit, which the
	// driver does not always reach (the lab kills a driver that closed its
	// socket): in dir, it goes with dir.
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// Its own process group: a terminal's Ctrl-C reaches the lab, which
	// stops the tasks itself; and it dies with the lab.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	t0 := csys.Now()
	err = cmd.Start()
	theirs.Close()
	if err != nil {
		unix.Close(fds[0])
		os.RemoveAll(dir)
		return nil, fmt.Errorf("python driver: %w", err)
	}
	pd := &pydriver{cmd: cmd, sock: fds[0], dir: dir, done: make(chan struct{}),
		starts: map[uint32]chan pyMsg{}, exits: map[int]chan pyMsg{}, inproc: make(chan pyMsg, 1)}
	ready := make(chan pyMsg, 1)
	go pd.read(ready)
	select {
	case m := <-ready:
		if m.err != nil {
			pd.close()
			return nil, fmt.Errorf("%s: %w", py, m.err)
		}
		pd.info = results.PythonInfo{PID: m.PID, Version: m.Python, Executable: m.Executable,
			StartupNS: m.ReadyNS - t0, ForkserverPID: m.ForkserverPID, ForkserverStartupNS: m.ForkserverStartupNS}
	case <-ctx.Done():
		pd.close()
		return nil, ctx.Err()
	case <-time.After(pyReadyTimeout):
		pd.close()
		return nil, fmt.Errorf("python driver: not ready after %v", pyReadyTimeout)
	}
	// Interrupted: the lab kills the tasks by pid and the driver reports
	// them; if it does not (stopped, stuck), it is killed, and its
	// children die with it (PR_SET_PDEATHSIG).
	pd.stopWait = context.AfterFunc(ctx, func() {
		time.AfterFunc(2*time.Second, func() {
			pd.mu.Lock()
			pending := len(pd.starts) > 0 || len(pd.exits) > 0
			pd.mu.Unlock()
			if pending {
				pd.giveUp("it did not wind down within 2s of the interrupt")
			}
		})
	})
	return pd, nil
}

// read receives until the driver is gone, then fails whatever still waits.
func (pd *pydriver) read(ready chan<- pyMsg) {
	defer close(pd.done)
	buf := make([]byte, 1<<20)
	first := true
	var cause error
	for {
		n, _, _, _, err := unix.Recvmsg(pd.sock, buf, nil, 0)
		if err == unix.EINTR {
			continue
		}
		if err == nil && n == 0 {
			err = errors.New("the driver closed its socket")
		}
		if err != nil {
			cause = err
			break
		}
		var m pyMsg
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			cause = fmt.Errorf("bad message from the driver: %v", err)
			break
		}
		if first {
			first = false
			if m.Op != "ready" {
				cause = fmt.Errorf("bad message from the driver: %q before ready", m.Op)
				break
			}
			ready <- m
			continue
		}
		if err := pd.dispatch(m); err != nil {
			cause = err
			break
		}
	}
	pd.abort()
	werr := pd.cmd.Wait()
	gone := fmt.Errorf("python driver: %v", cause)
	if werr != nil {
		gone = fmt.Errorf("python driver exited (%v)", werr)
	}
	pd.mu.Lock()
	if pd.gaveUp != "" {
		gone = fmt.Errorf("python driver killed: %s", pd.gaveUp)
	}
	pd.mu.Unlock()
	if first {
		ready <- pyMsg{err: gone}
	}
	pd.mu.Lock()
	defer pd.mu.Unlock()
	pd.gone = gone
	for seq, ch := range pd.starts {
		ch <- pyMsg{err: gone}
		delete(pd.starts, seq)
	}
	for pid, ch := range pd.exits {
		ch <- pyMsg{err: gone}
		delete(pd.exits, pid)
	}
	select {
	case pd.inproc <- pyMsg{err: gone}:
	default:
	}
}

func (pd *pydriver) dispatch(m pyMsg) error {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	switch m.Op {
	case "started":
		ch := pd.starts[m.Seq]
		if ch == nil {
			return fmt.Errorf("bad message from the driver: started for request %d that was not asked for", m.Seq)
		}
		delete(pd.starts, m.Seq)
		if m.Error == "" {
			if pd.exits[m.PID] != nil {
				return fmt.Errorf("bad message from the driver: started twice for pid %d", m.PID)
			}
			// Registered before the starter hears of it: the child may
			// end (and its exited arrive) before the starter looks.
			m.exit = make(chan pyMsg, 1)
			pd.exits[m.PID] = m.exit
		}
		ch <- m
	case "exited":
		ch := pd.exits[m.PID]
		if ch == nil {
			return fmt.Errorf("bad message from the driver: exited for pid %d, not a running task", m.PID)
		}
		delete(pd.exits, m.PID)
		ch <- m
	case "inproc":
		select {
		case pd.inproc <- m:
		default:
			return errors.New("bad message from the driver: inproc results not asked for")
		}
	default:
		return fmt.Errorf("bad message from the driver: %q", m.Op)
	}
	return nil
}

func (pd *pydriver) send(req any, fds ...int) error { return pd.sendFlags(0, req, fds...) }

// sendFlags sends one request; with unix.MSG_DONTWAIT it fails rather
// than wait for a driver that does not read (stopped).
func (pd *pydriver) sendFlags(flags int, req any, fds ...int) error {
	// Not after close: the socket's fd number may be another file's by
	// then (an asynchronous kill can outlive the run). Its own mutex: a
	// send that blocks (a driver that does not read) must not hold up the
	// reader or a kill's check.
	pd.sendMu.Lock()
	defer pd.sendMu.Unlock()
	if pd.closed {
		return errors.New("python driver: closed")
	}
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	return unix.Sendmsg(pd.sock, b, oob, nil, flags)
}

// starter returns the starter of a Python process method: each task is a
// multiprocessing.Process of context pyContext(m), started by the driver.
func (pd *pydriver) starter(m results.Method) starter {
	return func(t csys.Task, w int) (child, error) { return pd.start(m, t, w) }
}

// start asks the driver for a child running t. The child writes one JSON
// object to a pipe of its own; a goroutine of the lab turns it into the
// binary record the lab reads from w (csys.AppendRecord), so the Python
// side keeps no copy of the record's layout.
func (pd *pydriver) start(m results.Method, t csys.Task, w int) (child, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return child{}, fmt.Errorf("pipe: %w", err)
	}
	// The lab's end reads through Go's poller (os.NewFile of a
	// non-blocking fd), so a task's relay holds no thread of the lab while
	// the child runs: each did, which the process limit counts. The
	// child's end stays blocking.
	if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return child{}, fmt.Errorf("pipe: %w", err)
	}
	out, err := unix.FcntlInt(uintptr(w), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return child{}, fmt.Errorf("dup: %w", err)
	}

	pd.mu.Lock()
	if pd.gone != nil {
		pd.mu.Unlock()
		unix.Close(p[0])
		unix.Close(p[1])
		unix.Close(out)
		return child{}, pd.gone
	}
	pd.seq++
	seq := pd.seq
	ch := make(chan pyMsg, 1)
	pd.starts[seq] = ch
	pd.mu.Unlock()

	err = pd.send(map[string]any{"op": "start", "seq": seq, "ctx": pyContext(m),
		"task": t.Index, "n_iters": t.NIters}, p[1])
	unix.Close(p[1])                 // the driver has its copy
	if errors.Is(err, unix.EAGAIN) { // SO_SNDTIMEO: it has not read for pyAnswerTimeout
		pd.giveUp(fmt.Sprintf("the start of task %d not taken within %v", t.Index, pyAnswerTimeout))
	}
	if err != nil {
		pd.mu.Lock()
		delete(pd.starts, seq)
		pd.mu.Unlock()
		unix.Close(p[0])
		unix.Close(out)
		return child{}, fmt.Errorf("python driver: task %d: %w", t.Index, err)
	}
	var r pyMsg
	select {
	case r = <-ch:
	case <-time.After(pyAnswerTimeout):
		// A driver that does not answer (stopped, stuck) is killed: the
		// reader then fails every pending request, this one included.
		pd.giveUp(fmt.Sprintf("no answer to the start of task %d within %v", t.Index, pyAnswerTimeout))
		r = <-ch
	}
	if r.err != nil || r.Error != "" {
		unix.Close(p[0])
		unix.Close(out)
		if r.err != nil {
			return child{}, r.err
		}
		return child{}, fmt.Errorf("%s: task %d: %s", m, t.Index, r.Error)
	}
	go relayPythonRecord(p[0], out)

	exit := r.exit
	// Killed by the driver, its parent, which has not reaped it yet: the
	// pid cannot have been reused (a SIGKILL by pid from the lab could be).
	pid := r.PID
	return child{pid: pid, parentPID: r.PPID, flags: csys.FlagPython, createNS: r.CreateNS,
		kill: func() { pd.kill(pid) }, wait: func() (csys.Exit, error) {
			// The lab waits once the child's result pipe is at EOF (it
			// reported, or died) or it was killed: it is ending, and the
			// driver owes its end within pyExitTimeout.
			var x pyMsg
			select {
			case x = <-exit:
			case <-time.After(pyExitTimeout):
				pd.giveUp(fmt.Sprintf("it did not report the end of task %d (pid %d) within %v", t.Index, pid, pyExitTimeout))
				x = <-exit
			}
			if x.err != nil {
				return csys.Exit{}, x.err
			}
			if x.Error != "" { // the driver knows why, better than the status
				return csys.Exit{ReapedNS: x.ReapedNS}, errors.New(x.Error)
			}
			return csys.Exit{Status: syscall.WaitStatus(x.Status), ReapedNS: x.ReapedNS, NoUsage: !x.Usage, Usage: csys.Usage{
				User: time.Duration(x.UserNS), Sys: time.Duration(x.SysNS), MaxRSSBytes: x.MaxRSSBytes,
				MinFlt: x.MinFlt, MajFlt: x.MajFlt, NVCSW: x.NVCSW, NIVCSW: x.NIVCSW}}, nil
		}}, nil
}

// pyRecord is what a Python child reports (proclab_pydriver.child_task).
type pyRecord struct {
	Task        uint32 `json:"task"`
	Flags       uint32 `json:"flags"`
	PID         int32  `json:"pid"`
	PPID        int32  `json:"ppid"`
	NIters      uint64 `json:"n_iters"`
	Checksum    string `json:"checksum"` // a string: JSON numbers lose 64-bit precision
	TaskStartNS int64  `json:"task_start_ns"`
	TaskEndNS   int64  `json:"task_end_ns"`
	TaskCPUNS   int64  `json:"task_cpu_ns"`
	MemReadNS   int64  `json:"mem_read_ns"`
	HWMBytes    int64  `json:"hwm_bytes"`
	EndRSSBytes int64  `json:"end_rss_bytes"`
	EndPSSBytes int64  `json:"end_pss_bytes"`
	EndUSSBytes int64  `json:"end_uss_bytes"`
}

// maxPyRecord bounds what a child may write before the lab stops reading.
const maxPyRecord = 1 << 16

// relayPythonRecord reads the child's JSON from r until EOF and writes the
// lab's binary record to w; nothing when the child wrote nothing (or junk):
// the lab then sees no record, as from a C child that died early.
func relayPythonRecord(r, w int) {
	defer unix.Close(w)
	f := os.NewFile(uintptr(r), "python-record")
	defer f.Close()
	b := make([]byte, 0, 1024)
	buf := make([]byte, 4096)
	for len(b) <= maxPyRecord {
		n, err := f.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	var pr pyRecord
	if len(b) == 0 || json.Unmarshal(b, &pr) != nil {
		return
	}
	sum, err := strconv.ParseUint(pr.Checksum, 10, 64)
	if err != nil {
		return
	}
	rec := csys.Record{Version: csys.ProtocolVersion, Task: pr.Task, Flags: pr.Flags,
		PID: pr.PID, PPID: pr.PPID, NIters: pr.NIters, Checksum: sum,
		TaskStartNS: pr.TaskStartNS, TaskEndNS: pr.TaskEndNS}
	setPyRecordExtras(&rec, &pr)
	out := csys.AppendRecord(nil, &rec)
	for len(out) > 0 {
		n, err := unix.Write(w, out)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		out = out[n:]
	}
}

// kill asks the driver to kill task pid, which it has not reaped yet (so
// the pid cannot have been reused).
// A driver that does not answer a kill within pyKillGrace (stopped,
// stuck) is killed itself, and its children with it.
func (pd *pydriver) kill(pid int) {
	if err := pd.sendFlags(unix.MSG_DONTWAIT, map[string]any{"op": "kill", "pid": pid}); err != nil {
		pd.giveUp(fmt.Sprintf("could not ask it to kill pid %d (%v)", pid, err))
		return
	}
	time.AfterFunc(pyKillGrace, func() {
		pd.mu.Lock()
		pending := pd.exits[pid] != nil
		pd.mu.Unlock()
		if pending {
			pd.giveUp(fmt.Sprintf("pid %d not killed within %v", pid, pyKillGrace))
		}
	})
}

const pyKillGrace = 10 * time.Second

// pyExitTimeout bounds the wait for an "exited" once the task's result
// pipe is at EOF: a healthy driver sends it within milliseconds of the
// child's exit (a Python child's teardown takes a few), a stopped one
// never does.
const pyExitTimeout = 10 * time.Second

// pyAnswerTimeout bounds the wait for a STARTED (starting a py-spawn
// child takes ~50 ms here).
const pyAnswerTimeout = 30 * time.Second

// runInProcess runs n tasks as Python threads or one after another in the
// driver's own process, and returns them as the lab's tasks.
func (pd *pydriver) runInProcess(ctx context.Context, m results.Method, n int, nIters uint64, timeout time.Duration) []results.Task {
	tasks := make([]results.Task, n)
	for i := range tasks {
		tasks[i].Task = i
	}
	fail := func(err error) []results.Task {
		for i := range tasks {
			tasks[i].Error = err.Error()
		}
		return tasks
	}
	mode := "thread"
	if m == results.PySingle {
		mode = "single"
	}
	pd.mu.Lock()
	gone := pd.gone
	pd.mu.Unlock()
	if gone != nil {
		return fail(gone)
	}
	if err := pd.send(map[string]any{"op": "inproc", "mode": mode, "n_tasks": n, "n_iters": nIters}); err != nil {
		return fail(fmt.Errorf("python driver: %w", err))
	}
	var deadline <-chan time.Time
	if timeout > 0 {
		deadline = time.After(timeout)
	}
	var r pyMsg
	select {
	case r = <-pd.inproc:
	case <-ctx.Done():
		// Python threads cannot be stopped from outside: the driver goes.
		pd.abort()
		<-pd.done
		for i := range tasks {
			tasks[i].Error = "interrupted: the Python driver was killed"
		}
		return tasks
	case <-deadline:
		pd.abort()
		<-pd.done
		for i := range tasks {
			tasks[i].TimedOut = true
			tasks[i].Error = fmt.Sprintf("timed out: ran longer than --timeout %v (the Python driver was killed)", timeout)
		}
		return tasks
	}
	if r.err != nil {
		return fail(r.err)
	}
	if len(r.Tasks) != n {
		return fail(fmt.Errorf("python driver: %d results for %d tasks", len(r.Tasks), n))
	}
	for i, pt := range r.Tasks {
		// No process is created for the task: no parent, as for the lab's threads.
		t := results.Task{Task: i, PID: r.PID, TID: pt.TID,
			TotalNS: pt.DoneNS - pt.CreateNS, RunNS: pt.TaskEndNS - pt.TaskStartNS,
			TaskCPUNS: ptr(pt.TaskCPUNS),
			Stamps:    results.Stamps{CreateNS: pt.CreateNS, TaskStartNS: pt.TaskStartNS, TaskEndNS: pt.TaskEndNS, ReapedNS: pt.DoneNS}}
		if m == results.PyThread {
			t.StartupNS = ptr(pt.TaskStartNS - pt.CreateNS)
		}
		sum, err := strconv.ParseUint(pt.Checksum, 10, 64)
		if pt.Task != i || err != nil || pt.TaskStartNS <= 0 || pt.TaskEndNS < pt.TaskStartNS {
			t.Error = fmt.Sprintf("bad result from the Python driver for task %d", i)
		} else {
			t.Checksum, t.ChecksumPending = sum, true
		}
		tasks[i] = t
	}
	return tasks
}

// giveUp kills the driver, saying why: whatever still waits on it gets an
// error that gives the reason.
func (pd *pydriver) giveUp(why string) {
	pd.mu.Lock()
	if pd.gaveUp == "" && pd.gone == nil {
		pd.gaveUp = why
	}
	pd.mu.Unlock()
	pd.abort()
}

// abort kills the driver (and, by their PR_SET_PDEATHSIG, its children).
func (pd *pydriver) abort() {
	if pd.cmd.Process != nil {
		pd.cmd.Process.Signal(syscall.SIGKILL)
	}
}

// close shuts the driver down: the lab closes its sending side, the
// driver kills and reaps any child left and exits; killed if it does not.
func (pd *pydriver) close() {
	unix.Shutdown(pd.sock, unix.SHUT_WR)
	select {
	case <-pd.done:
	case <-time.After(closeGrace):
		pd.abort()
		<-pd.done
	}
	if pd.stopWait != nil {
		pd.stopWait()
	}
	pd.sendMu.Lock()
	pd.closed = true
	unix.Close(pd.sock)
	pd.sendMu.Unlock()
	os.RemoveAll(pd.dir)
}

// setPyRecordExtras carries the figures a Python child measured of itself
// (its task CPU and memory) into the record.
func setPyRecordExtras(rec *csys.Record, pr *pyRecord) {
	rec.TaskCPUNS, rec.MemReadNS = pr.TaskCPUNS, pr.MemReadNS
	rec.HWMBytes, rec.EndRSSBytes, rec.EndPSSBytes, rec.EndUSSBytes = pr.HWMBytes, pr.EndRSSBytes, pr.EndPSSBytes, pr.EndUSSBytes
}
