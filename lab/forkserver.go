package lab

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/proclab/proclab/csys"
)

// ForkserverInfo is the start-up cost and size of a run's forkserver, apart
// from the per-task figures of the children it forks.
type ForkserverInfo struct {
	PID       int   `json:"pid"`
	StartupNS int64 `json:"startup_ns"` // posix_spawn call to the server's READY message
	RSSBytes  int64 `json:"rss_bytes"`  // its resident size once ready (VmRSS)
	Threads   int   `json:"threads"`    // 1: the Go runtime never starts in it
}

// forkserver is the lab's side of the run's forkserver (csys/forkserver.c).
// start sends a request and waits for its STARTED; one reader goroutine
// receives every message and hands STARTED and EXITED to the task waiting
// for it. If the server dies or sends something the lab cannot trust,
// every pending start and wait gets an error that says so, the server is
// reaped, and its children die with it (their PDEATHSIG; the server is
// their parent).
type forkserver struct {
	conn *csys.ForkserverConn
	info ForkserverInfo
	done chan struct{} // closed when the reader has ended and the server is reaped

	mu      sync.Mutex
	seq     uint32
	starts  map[uint32]*fsStart // requests waiting for STARTED, by seq
	exits   map[int]*fsWait     // children waiting for EXITED, by pid
	gone    error               // why the server is gone; nil while it serves
	closing bool                // close() shut it down on purpose
}

type fsStart struct {
	task uint32
	ch   chan fsStarted // buffered: the reader never blocks
}

type fsStarted struct {
	pid  int
	wait *fsWait
	err  error
}

type fsWait struct {
	task uint32
	ch   chan fsExit // buffered: the reader never blocks
}

type fsExit struct {
	exit csys.Exit
	err  error
}

// closeGrace bounds how long close waits for the server to wind down
// after the lab closed its socket, before killing it.
const closeGrace = 5 * time.Second

// startForkserver starts the run's server (before the lab holds any large
// memory: that is the point of a forkserver) and measures it once.
func startForkserver(e *env) (*forkserver, error) {
	conn, st, err := csys.StartForkserver(e.exe, e.labPID)
	if err != nil {
		return nil, fmt.Errorf("starting the forkserver: %w", err)
	}
	info := ForkserverInfo{PID: st.PID, StartupNS: st.ReadyNS - st.CreateNS}
	info.RSSBytes, info.Threads, _ = procStatus(st.PID) // zeros if /proc cannot tell
	return newForkserver(conn, info), nil
}

func newForkserver(conn *csys.ForkserverConn, info ForkserverInfo) *forkserver {
	fs := &forkserver{conn: conn, info: info, done: make(chan struct{}),
		starts: map[uint32]*fsStart{}, exits: map[int]*fsWait{}}
	go fs.read()
	return fs
}

// start asks the server for a child that runs t with result pipe w. The
// create call of its startup latency is the moment the request is sent.
func (fs *forkserver) start(t csys.Task, w int) (child, error) {
	fs.mu.Lock()
	if fs.gone != nil {
		fs.mu.Unlock()
		return child{}, fs.gone
	}
	fs.seq++
	seq := fs.seq
	req := &fsStart{task: t.Index, ch: make(chan fsStarted, 1)}
	fs.starts[seq] = req
	fs.mu.Unlock()

	sentNS, err := fs.conn.Request(seq, t, w)
	if err != nil {
		fs.mu.Lock()
		delete(fs.starts, seq)
		fs.mu.Unlock()
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			// The server's end is closed: the reader is about to learn
			// how it ended, which says more than EPIPE.
			<-fs.done
			return child{}, fs.gone
		}
		return child{}, fmt.Errorf("forkserver: task %d: %w", t.Index, err)
	}
	r := <-req.ch
	if r.err != nil {
		return child{}, r.err
	}
	return child{pid: r.pid, parentPID: fs.info.PID, createNS: sentNS, wait: func() (csys.Exit, error) {
		x := <-r.wait.ch
		return x.exit, x.err
	}}, nil
}

// read receives until the server is gone, then fails whatever still waits.
func (fs *forkserver) read() {
	defer close(fs.done)
	for {
		m, err := fs.conn.Recv()
		if err == nil {
			err = fs.dispatch(m)
		}
		if err != nil {
			fs.fail(err)
			return
		}
	}
}

func (fs *forkserver) dispatch(m csys.ForkserverMsg) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	switch m.Type {
	case csys.FSStarted:
		req := fs.starts[m.Seq]
		if req == nil || req.task != m.Task {
			return &csys.ForkserverProtocolError{Reason: fmt.Sprintf("STARTED for request %d (task %d) that was not asked for", m.Seq, m.Task)}
		}
		if m.Err == nil && fs.exits[m.PID] != nil {
			// The request stays pending, so that fail answers it.
			return &csys.ForkserverProtocolError{Reason: fmt.Sprintf("STARTED twice for pid %d", m.PID)}
		}
		delete(fs.starts, m.Seq)
		if m.Err != nil {
			req.ch <- fsStarted{err: fmt.Errorf("forkserver: fork for task %d: %w", m.Task, m.Err)}
			return nil
		}
		// Registered before the starter hears of it: the server sends a
		// child's EXITED only after its STARTED, and this goroutine reads
		// them in order.
		wt := &fsWait{task: m.Task, ch: make(chan fsExit, 1)}
		fs.exits[m.PID] = wt
		req.ch <- fsStarted{pid: m.PID, wait: wt}
	case csys.FSExited:
		wt := fs.exits[m.PID]
		if wt == nil {
			return &csys.ForkserverProtocolError{Reason: fmt.Sprintf("EXITED for pid %d, not a running task", m.PID)}
		}
		delete(fs.exits, m.PID)
		wt.ch <- fsExit{exit: m.Exit}
	default:
		return &csys.ForkserverProtocolError{Reason: fmt.Sprintf("unexpected %v", m.Type)}
	}
	return nil
}

// forkserverGone is why the server stopped serving.
type forkserverGone struct {
	what  string
	cause error
}

func (e *forkserverGone) Error() string { return "forkserver: " + e.what }
func (e *forkserverGone) Unwrap() error { return e.cause }

// fail records why the server is gone, makes sure it is (killing it if it
// misbehaved) and reaped, and answers everything still pending.
func (fs *forkserver) fail(cause error) {
	gone := &forkserverGone{cause: cause}
	var pe *csys.ForkserverProtocolError
	switch {
	case errors.Is(cause, io.EOF): // the server closed its end: it exited
		if ex, err := fs.conn.Wait(); err != nil {
			gone.what = "the server closed its socket"
		} else {
			gone.what = "server exited (" + csys.DescribeStatus(ex.Status) + ")"
		}
	case errors.As(cause, &pe):
		fs.conn.Abort()
		fs.conn.Wait()
		gone.what = "bad message from the server (" + pe.Reason + "); server killed"
	default:
		fs.conn.Abort()
		fs.conn.Wait()
		gone.what = cause.Error() + "; server killed"
	}

	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closing && len(fs.starts) == 0 && len(fs.exits) == 0 {
		gone.what = "closed"
	}
	fs.gone = gone
	for seq, req := range fs.starts {
		req.ch <- fsStarted{err: gone}
		delete(fs.starts, seq)
	}
	for pid, wt := range fs.exits {
		wt.ch <- fsExit{err: fmt.Errorf("%w while task %d was running", gone, wt.task)}
		delete(fs.exits, pid)
	}
}

// close shuts the server down at the end of a run: the lab closes its
// sending side, the server kills and reaps any child left, exits, and the
// reader reaps it.
func (fs *forkserver) close() {
	fs.mu.Lock()
	fs.closing = true
	fs.mu.Unlock()
	fs.conn.Shutdown()
	select {
	case <-fs.done:
	case <-time.After(closeGrace):
		fs.conn.Abort()
		<-fs.done
	}
	fs.conn.Close()
}

// procStatus reads a process's resident size and thread count from
// /proc/PID/status.
func procStatus(pid int) (rssBytes int64, threads int, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS": // "1234 kB"
			kib, _ := strconv.ParseInt(f[0], 10, 64)
			rssBytes = kib * 1024
		case "Threads":
			threads, _ = strconv.Atoi(f[0])
		}
	}
	return rssBytes, threads, nil
}
