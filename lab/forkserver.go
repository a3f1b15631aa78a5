package lab

import (
	"context"
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
	"github.com/proclab/proclab/lab/results"
)

// forkserver is the lab's side of the run's forkserver (csys/forkserver.c).
// start sends a request and waits for its STARTED; one reader goroutine
// receives every message and hands STARTED and EXITED to the task waiting
// for it. If the server dies or sends something the lab cannot trust,
// every pending start and wait gets an error that says so, the server is
// reaped, and its children die with it (their PDEATHSIG; the server is
// their parent).
//
// The lab never signals a child of the server by pid: the server may have
// reaped it, and the pid may be someone else's by now. It asks the server
// (KILL), and tells it when it may reap a child (REAP: after the lab has
// stopped sampling it), so a pid the lab still looks at stays the child's.
//
// No wait on the server is open-ended: a server that owes an answer
// (STARTED, READY, or EXITED after REAP) for fsAnswerTimeout, or anything
// at all fsCancelGrace after the run was cancelled, is given up: killed
// with SIGKILL (its children die with it) and reaped, and whatever still
// waits gets an error that says so. A stopped (SIGSTOP) server is the
// case in point.
type forkserver struct {
	conn *csys.ForkserverConn
	info results.ForkserverInfo
	done chan struct{} // closed when the reader has ended and the server is reaped
	ctx  context.Context
	stop func() bool // stops the watch on ctx

	mu      sync.Mutex
	seq     uint32
	starts  map[uint32]*fsStart // requests waiting for STARTED, by seq
	exits   map[int]*fsWait     // children waiting for EXITED, by pid
	gone    error               // why the server is gone; nil while it serves
	closing bool                // close() shut it down on purpose
	gaveUp  string              // why the lab gave up on the server, if it did
	grace   *time.Timer         // after a cancel: gives up on the server when it fires
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

// How long the lab waits for the server. Variables so that a test can
// shorten them.
var (
	// fsAnswerTimeout: for READY, for a STARTED, for an EXITED once the
	// lab has sent REAP (the child has reported or was killed, so it is
	// ending), and for room in the server's queue. A healthy server
	// answers within milliseconds; the slack is for a child with a large
	// inherited memory to tear down on a loaded machine.
	fsAnswerTimeout = 10 * time.Second
	// fsCancelGrace: once the run is cancelled (Ctrl-C, SIGTERM), the
	// server has this long to kill and report its children.
	fsCancelGrace = 2 * time.Second
)

// startForkserver starts the run's server (before the lab holds any large
// memory: that is the point of a forkserver) and measures it once. It
// execs the lab's own image (csys.SelfExe). Waiting for READY gives way to
// ctx and to fsAnswerTimeout; later waits give way to ctx as described at
// forkserver.
func startForkserver(ctx context.Context, e *env) (*forkserver, error) {
	rctx, cancel := context.WithTimeoutCause(ctx, fsAnswerTimeout,
		fmt.Errorf("no READY within %v: server killed", fsAnswerTimeout))
	defer cancel()
	conn, st, err := csys.StartForkserverContext(rctx, csys.SelfExe, e.exe, e.labPID)
	if err != nil {
		if ctx.Err() == nil && rctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", err, context.Cause(rctx))
		}
		return nil, fmt.Errorf("starting the forkserver: %w", err)
	}
	conn.SetSendTimeout(fsAnswerTimeout)
	info := results.ForkserverInfo{PID: st.PID, StartupNS: st.ReadyNS - st.CreateNS}
	info.RSSBytes, info.Threads, _ = procStatus(st.PID) // zeros if /proc cannot tell
	return newForkserverContext(ctx, conn, info), nil
}

// newForkserver serves a connected conn for a run that is never cancelled.
func newForkserver(conn *csys.ForkserverConn, info results.ForkserverInfo) *forkserver {
	return newForkserverContext(context.Background(), conn, info)
}

func newForkserverContext(ctx context.Context, conn *csys.ForkserverConn, info results.ForkserverInfo) *forkserver {
	fs := &forkserver{conn: conn, info: info, done: make(chan struct{}), ctx: ctx,
		starts: map[uint32]*fsStart{}, exits: map[int]*fsWait{}}
	fs.stop = context.AfterFunc(ctx, fs.cancelled)
	go fs.read()
	return fs
}

// cancelled runs once the run's context is done: the server gets
// fsCancelGrace to answer what the lab still waits for (the lab kills the
// tasks, then closes the server), and is given up after that.
func (fs *forkserver) cancelled() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.gone == nil {
		fs.grace = time.AfterFunc(fsCancelGrace, func() {
			fs.giveUp(fmt.Sprintf("the server did not wind down within %v of the interrupt", fsCancelGrace))
		})
	}
}

// giveUp kills the server (its children die with it: PDEATHSIG) and shuts
// the socket, so that the reader sees EOF, reaps the server and answers
// everything pending with an error that gives why.
func (fs *forkserver) giveUp(why string) {
	fs.mu.Lock()
	if fs.gaveUp == "" && fs.gone == nil {
		fs.gaveUp = why
	}
	fs.mu.Unlock()
	fs.conn.Abort()
}

// await waits for an answer the server owes on ch (the reader, or fail,
// sends exactly one). Past fsAnswerTimeout the server is given up, and
// fail's answer follows at once.
func await[T any](fs *forkserver, ch <-chan T, what string) T {
	select {
	case v := <-ch:
		return v
	default:
	}
	t := time.NewTimer(fsAnswerTimeout)
	defer t.Stop()
	select {
	case v := <-ch:
		return v
	case <-t.C:
		fs.giveUp(fmt.Sprintf("no %s within %v", what, fsAnswerTimeout))
		return <-ch
	}
}

// killChild asks the server to kill its child pid. It never blocks: the
// caller holds the live set's lock, and a stopped server stops reading.
// A request the server cannot take is a server given up.
func (fs *forkserver) killChild(pid int) {
	go func() {
		if err := fs.conn.KillChild(pid); err != nil && !serverClosed(err) {
			fs.giveUp(fmt.Sprintf("could not ask it to kill pid %d (%v)", pid, err))
		}
	}()
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
		if errors.Is(err, syscall.EAGAIN) {
			// SO_SNDTIMEO: the server has not read its queue for
			// fsAnswerTimeout.
			fs.giveUp(fmt.Sprintf("request %d (task %d) not taken within %v", seq, t.Index, fsAnswerTimeout))
		}
		if serverClosed(err) || errors.Is(err, syscall.EAGAIN) {
			// The server's end is closed: the reader is about to learn
			// how it ended, which says more than EPIPE.
			<-fs.done
			return child{}, fs.goneErr()
		}
		return child{}, fmt.Errorf("forkserver: task %d: %w", t.Index, err)
	}
	r := await(fs, req.ch, fmt.Sprintf("answer to request %d (task %d)", seq, t.Index))
	if r.err != nil {
		return child{}, r.err
	}
	pid := r.pid
	return child{pid: pid, parentPID: fs.info.PID, createNS: sentNS,
		kill: func() { fs.killChild(pid) },
		wait: func() (csys.Exit, error) {
			// The lab is done reading /proc for pid (collect unwatches
			// first): the server may reap it now.
			if err := fs.conn.ReapChild(pid); err != nil && !serverClosed(err) {
				fs.giveUp(fmt.Sprintf("could not ask it to reap pid %d (%v)", pid, err))
			}
			x := await(fs, r.wait.ch, fmt.Sprintf("EXITED for task %d (pid %d)", t.Index, pid))
			return x.exit, x.err
		}}, nil
}

// serverClosed says a send failed because the server's end is closed (it
// exited, or the lab shut the socket): the reader learns how it ended and
// answers every wait, with a better reason than the send's error.
func serverClosed(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EBADF) || errors.Is(err, syscall.ENOTCONN)
}

func (fs *forkserver) goneErr() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.gone
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
	fs.mu.Lock()
	gaveUp := fs.gaveUp
	fs.mu.Unlock()
	var pe *csys.ForkserverProtocolError
	switch {
	case gaveUp != "": // the lab killed it (the socket may say EOF or worse)
		fs.conn.Abort()
		fs.conn.Wait()
		gone.what = "gave up on the server: " + gaveUp + "; server killed"
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
	if fs.grace != nil {
		fs.grace.Stop()
	}
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
	grace := closeGrace
	if fs.ctx.Err() != nil {
		grace = fsCancelGrace
	}
	select {
	case <-fs.done:
	case <-time.After(grace):
		fs.giveUp(fmt.Sprintf("the server did not exit within %v of the run's end", grace))
		<-fs.done
	}
	fs.stop()
	fs.conn.Close()
}

// procStatus reads a process's resident size and thread count from
// /proc/PID/status.
func procStatus(pid int) (rssBytes int64, threads int, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	rssBytes, _ = kBField(b, "VmRSS") // 0 if /proc cannot tell
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			threads, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return rssBytes, threads, nil
}
