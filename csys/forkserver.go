package csys

// #include "csys.h"
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"
)

// The forkserver's wire protocol (struct proclab_fs_* in csys.h): one
// SOCK_SEQPACKET packet per message, an 8-byte header (magic, version, type)
// and a fixed body per type. TestForkserverLayout checks these sizes and
// the offsets used below against the C compiler's.
const (
	ForkserverArg     = C.PROCLAB_FS_ARG // argv[1] that marks the forkserver
	ForkserverVersion = C.PROCLAB_FS_VERSION
	forkserverMagic   = C.PROCLAB_FS_MAGIC

	fsReadySize   = 24
	fsStartSize   = 32
	fsStartedSize = 32
	fsExitedSize  = 80
	fsPidSize     = 16 // KILL and REAP
)

// ForkserverMsgType is the type of a message from the forkserver.
type ForkserverMsgType uint16

// The message types (the lab sends START, KILL and REAP).
const (
	FSReady   ForkserverMsgType = C.PROCLAB_FS_READY
	FSStart   ForkserverMsgType = C.PROCLAB_FS_START
	FSStarted ForkserverMsgType = C.PROCLAB_FS_STARTED
	FSExited  ForkserverMsgType = C.PROCLAB_FS_EXITED
	FSKill    ForkserverMsgType = C.PROCLAB_FS_KILL
	FSReap    ForkserverMsgType = C.PROCLAB_FS_REAP
)

func (t ForkserverMsgType) String() string {
	switch t {
	case FSReady:
		return "READY"
	case FSStart:
		return "START"
	case FSStarted:
		return "STARTED"
	case FSExited:
		return "EXITED"
	case FSKill:
		return "KILL"
	case FSReap:
		return "REAP"
	}
	return fmt.Sprintf("type %d", uint16(t))
}

// ForkserverMsg is one decoded message from the server. Which fields are
// set depends on Type.
type ForkserverMsg struct {
	Type   ForkserverMsgType
	RecvNS int64 // CLOCK_MONOTONIC just after the message was received

	// READY: the server; STARTED: the child (0 if the fork failed);
	// EXITED: the child reaped.
	PID int
	// StampNS is the server's clock: READY when it became ready, STARTED
	// just before fork(), EXITED when wait4 returned.
	StampNS int64

	Seq  uint32 // STARTED: the request it answers
	Task uint32 // STARTED: the task index of that request
	Err  error  // STARTED: why the fork failed (a syscall.Errno); nil on success

	Exit Exit // EXITED: wait status and rusage; ReapedNS is RecvNS
}

// ForkserverProtocolError is a message the lab cannot trust: short,
// truncated, of another magic, version or type.
type ForkserverProtocolError struct{ Reason string }

func (e *ForkserverProtocolError) Error() string { return "forkserver protocol error: " + e.Reason }

// ForkserverConn is the lab's end of the forkserver's socket, and the
// server process itself. Request and Recv may run concurrently (each is one
// packet); Recv must have a single caller.
type ForkserverConn struct {
	fd  int
	pid int // 0 when there is no process behind the socket (a test's fake peer)

	mu     sync.Mutex   // held while reaping, and by Kill and Close
	sendMu sync.RWMutex // held for reading by every send, for writing by Close
	reaped bool
	closed bool
	exit   Exit
	werr   error
	reaper sync.Once
}

// ForkserverStarted is how a forkserver came up.
type ForkserverStarted struct {
	PID      int
	CreateNS int64 // CLOCK_MONOTONIC just before posix_spawn
	ReadyNS  int64 // CLOCK_MONOTONIC when the server announced READY
}

// ForkserverArgv is the argv of a forkserver for the lab labPID.
func ForkserverArgv(path string, labPID int) []string {
	return []string{path, ForkserverArg, fmt.Sprint(ForkserverVersion), fmt.Sprint(labPID)}
}

// StartForkserver posix_spawns path (a binary that links csys) as the
// forkserver of lab labPID and waits until it is ready. The server dies
// with the spawning thread (PDEATHSIG); Go never ends threads of goroutines
// that do not lock them, and the lab locks none.
func StartForkserver(path string, labPID int) (*ForkserverConn, ForkserverStarted, error) {
	return StartForkserverContext(context.Background(), path, path, labPID)
}

// StartForkserverContext is StartForkserver that execs image with argv[0]
// argv0 (the lab passes SelfExe and its own path), and gives up waiting
// for READY when ctx is done (cancelled, or past its deadline): the server
// is then killed and reaped, and the error wraps ctx's.
func StartForkserverContext(ctx context.Context, image, argv0 string, labPID int) (*ForkserverConn, ForkserverStarted, error) {
	if err := ctx.Err(); err != nil {
		return nil, ForkserverStarted{}, fmt.Errorf("csys: forkserver: %w", err)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, ForkserverStarted{}, fmt.Errorf("csys: forkserver socketpair: %w", err)
	}
	c, err := Spawn(image, ForkserverArgv(argv0, labPID), fds[1])
	syscall.Close(fds[1]) // only the server holds its end: its exit is our EOF
	if err != nil {
		syscall.Close(fds[0])
		return nil, ForkserverStarted{}, err
	}
	conn := NewForkserverConn(fds[0], c.PID)
	// A server that never says READY (stopped, stuck) must not hold the
	// lab: when ctx is done, kill it; the Recv below then sees EOF.
	stop := context.AfterFunc(ctx, conn.Abort)
	m, err := conn.Recv()
	if !stop() {
		err = ctx.Err() // Abort ran (or is running): the answer is ctx's
		conn.Kill()
	}
	if err == nil && (m.Type != FSReady || m.PID != c.PID) {
		err = &ForkserverProtocolError{fmt.Sprintf("first message %v from pid %d, want READY from %d", m.Type, m.PID, c.PID)}
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			ex, _ := conn.Wait()
			err = fmt.Errorf("the server exited before it was ready (%s)", DescribeStatus(ex.Status))
		} else {
			conn.Kill()
			conn.Wait()
		}
		conn.Close()
		return nil, ForkserverStarted{}, fmt.Errorf("csys: forkserver %s: %w", argv0, err)
	}
	return conn, ForkserverStarted{PID: c.PID, CreateNS: c.CreateNS, ReadyNS: m.StampNS}, nil
}

// NewForkserverConn wraps fd, a connected SOCK_SEQPACKET socket whose peer
// speaks the forkserver protocol; pid is the server process (0: none, as
// for a test's fake peer). The conn owns fd.
func NewForkserverConn(fd, pid int) *ForkserverConn {
	return &ForkserverConn{fd: fd, pid: pid}
}

// PID is the server's pid (0 if none).
func (c *ForkserverConn) PID() int { return c.pid }

// Request asks the server to fork a child for t whose result pipe is
// pipeW (the caller keeps pipeW and closes it). seq is echoed in the
// STARTED answer. It returns CLOCK_MONOTONIC taken just before the send:
// the "create call" of the child's startup latency.
func (c *ForkserverConn) Request(seq uint32, t Task, pipeW int) (int64, error) {
	b := make([]byte, fsStartSize)
	putHeader(b, FSStart)
	le := binary.LittleEndian
	le.PutUint32(b[8:], seq)
	le.PutUint32(b[16:], t.Index)
	le.PutUint32(b[20:], t.ProfileHz)
	le.PutUint64(b[24:], t.NIters)
	oob := syscall.UnixRights(pipeW)
	c.sendMu.RLock()
	defer c.sendMu.RUnlock()
	if c.isClosed() {
		return 0, fmt.Errorf("csys: forkserver request: %w", syscall.EBADF)
	}
	for {
		t0 := Now()
		n, err := syscall.SendmsgN(c.fd, b, oob, nil, syscall.MSG_NOSIGNAL)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("csys: forkserver request: %w", err)
		}
		if n != len(b) {
			return 0, fmt.Errorf("csys: forkserver request: sent %d of %d bytes", n, len(b))
		}
		return t0, nil
	}
}

// KillChild asks the server to SIGKILL its child pid, if it has not reaped
// it yet (the lab never signals the pid itself: once reaped, the number
// may name another process).
func (c *ForkserverConn) KillChild(pid int) error { return c.sendPid(FSKill, pid) }

// ReapChild tells the server that the lab is done with child pid (it reads
// /proc/pid no more): the server reaps it once it has ended and sends its
// EXITED. Until then an ended child stays a zombie, so its pid is not
// reused while the lab may still look at it.
func (c *ForkserverConn) ReapChild(pid int) error { return c.sendPid(FSReap, pid) }

func (c *ForkserverConn) sendPid(t ForkserverMsgType, pid int) error {
	b := make([]byte, fsPidSize)
	putHeader(b, t)
	binary.LittleEndian.PutUint32(b[8:], uint32(int32(pid)))
	// A send may come from a goroutine that outlives the run (a KILL sent
	// asynchronously): after Close the fd number may be another file's.
	c.sendMu.RLock()
	defer c.sendMu.RUnlock()
	if c.isClosed() {
		return fmt.Errorf("csys: forkserver %v %d: %w", t, pid, syscall.EBADF)
	}
	for {
		_, err := syscall.SendmsgN(c.fd, b, nil, nil, syscall.MSG_NOSIGNAL)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("csys: forkserver %v %d: %w", t, pid, err)
		}
		return nil
	}
}

// SetSendTimeout bounds how long a request may wait for room in the
// server's queue (a stopped server stops reading): past it, the send fails
// with EAGAIN.
func (c *ForkserverConn) SetSendTimeout(d time.Duration) error {
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	return syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv)
}

// Recv blocks for the next message. It returns io.EOF once the server has
// closed its end (it exited), and a *ForkserverProtocolError for a message
// it cannot trust.
func (c *ForkserverConn) Recv() (ForkserverMsg, error) {
	var buf [128]byte // larger than any message, so a long one shows as MSG_TRUNC
	for {
		n, _, flags, _, err := syscall.Recvmsg(c.fd, buf[:], nil, 0)
		now := Now()
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return ForkserverMsg{}, fmt.Errorf("csys: forkserver receive: %w", err)
		}
		if n == 0 {
			return ForkserverMsg{}, io.EOF
		}
		if flags&syscall.MSG_TRUNC != 0 {
			return ForkserverMsg{}, &ForkserverProtocolError{fmt.Sprintf("message longer than %d bytes", len(buf))}
		}
		m, err := decodeForkserverMsg(buf[:n])
		m.RecvNS = now
		if m.Type == FSExited {
			m.Exit.ReapedNS = now // when the lab learnt it, as for its own wait4
		}
		return m, err
	}
}

func putHeader(b []byte, t ForkserverMsgType) {
	binary.LittleEndian.PutUint32(b[0:], forkserverMagic)
	binary.LittleEndian.PutUint16(b[4:], ForkserverVersion)
	binary.LittleEndian.PutUint16(b[6:], uint16(t))
}

// EncodeForkserverMsg is the wire form of m as the server would send it;
// tests use it to play a fake server.
func EncodeForkserverMsg(m ForkserverMsg) []byte {
	le := binary.LittleEndian
	var b []byte
	switch m.Type {
	case FSReady:
		b = make([]byte, fsReadySize)
		le.PutUint32(b[8:], uint32(int32(m.PID)))
		le.PutUint64(b[16:], uint64(m.StampNS))
	case FSStarted:
		b = make([]byte, fsStartedSize)
		le.PutUint32(b[8:], m.Seq)
		le.PutUint32(b[12:], m.Task)
		le.PutUint32(b[16:], uint32(int32(m.PID)))
		var errno syscall.Errno
		errors.As(m.Err, &errno)
		le.PutUint32(b[20:], uint32(int32(errno)))
		le.PutUint64(b[24:], uint64(m.StampNS))
	case FSExited:
		b = make([]byte, fsExitedSize)
		u := m.Exit.Usage
		le.PutUint32(b[8:], uint32(int32(m.PID)))
		le.PutUint32(b[12:], uint32(int32(m.Exit.Status)))
		for i, v := range []int64{int64(u.User), int64(u.Sys), u.MaxRSSBytes, u.MinFlt, u.MajFlt, u.NVCSW, u.NIVCSW, m.StampNS} {
			le.PutUint64(b[16+8*i:], uint64(v))
		}
	default:
		b = make([]byte, 8)
	}
	putHeader(b, m.Type)
	return b
}

// DecodeForkserverPid decodes a KILL or REAP request as the server would;
// tests use it to play a fake server.
func DecodeForkserverPid(b []byte) (ForkserverMsgType, int, error) {
	le := binary.LittleEndian
	if len(b) != fsPidSize || le.Uint32(b[0:]) != forkserverMagic || le.Uint16(b[4:]) != ForkserverVersion {
		return 0, 0, &ForkserverProtocolError{fmt.Sprintf("not a KILL or REAP request: % x", b)}
	}
	t := ForkserverMsgType(le.Uint16(b[6:]))
	if t != FSKill && t != FSReap {
		return 0, 0, &ForkserverProtocolError{fmt.Sprintf("%v, want KILL or REAP", t)}
	}
	return t, int(int32(le.Uint32(b[8:]))), nil
}

// DecodeForkserverRequest decodes a START request as the server would;
// tests use it to play a fake server.
func DecodeForkserverRequest(b []byte) (seq uint32, t Task, err error) {
	le := binary.LittleEndian
	if len(b) != fsStartSize || le.Uint32(b[0:]) != forkserverMagic ||
		le.Uint16(b[4:]) != ForkserverVersion || ForkserverMsgType(le.Uint16(b[6:])) != FSStart {
		return 0, Task{}, &ForkserverProtocolError{fmt.Sprintf("not a START request: % x", b)}
	}
	t = Task{Index: le.Uint32(b[16:]), ProfileHz: le.Uint32(b[20:]), NIters: le.Uint64(b[24:])}
	return le.Uint32(b[8:]), t, nil
}

// decodeForkserverMsg checks and decodes one packet from the server.
func decodeForkserverMsg(b []byte) (ForkserverMsg, error) {
	var m ForkserverMsg
	le := binary.LittleEndian
	if len(b) < 8 {
		return m, &ForkserverProtocolError{fmt.Sprintf("short message: %d bytes, a header alone is 8", len(b))}
	}
	if mg := le.Uint32(b[0:]); mg != forkserverMagic {
		return m, &ForkserverProtocolError{fmt.Sprintf("bad magic %#x, want %#x", mg, forkserverMagic)}
	}
	if v := le.Uint16(b[4:]); v != ForkserverVersion {
		return m, &ForkserverProtocolError{fmt.Sprintf("version %d, want %d", v, ForkserverVersion)}
	}
	m.Type = ForkserverMsgType(le.Uint16(b[6:]))
	want := map[ForkserverMsgType]int{FSReady: fsReadySize, FSStarted: fsStartedSize, FSExited: fsExitedSize}[m.Type]
	if want == 0 {
		return m, &ForkserverProtocolError{fmt.Sprintf("unexpected message %v", m.Type)}
	}
	if len(b) != want {
		return m, &ForkserverProtocolError{fmt.Sprintf("%v message of %d bytes, want %d", m.Type, len(b), want)}
	}
	i64 := func(off int) int64 { return int64(le.Uint64(b[off:])) }
	m.PID = int(int32(le.Uint32(b[8:])))
	switch m.Type {
	case FSReady:
		m.StampNS = i64(16)
	case FSStarted:
		m.Seq = le.Uint32(b[8:])
		m.Task = le.Uint32(b[12:])
		m.PID = int(int32(le.Uint32(b[16:])))
		if e := int32(le.Uint32(b[20:])); e != 0 {
			m.Err = syscall.Errno(e)
		}
		m.StampNS = i64(24)
		if (m.Err == nil) == (m.PID <= 0) {
			return m, &ForkserverProtocolError{fmt.Sprintf("STARTED with pid %d and errno %d", m.PID, int32(le.Uint32(b[20:])))}
		}
	case FSExited:
		m.Exit.Status = syscall.WaitStatus(int32(le.Uint32(b[12:])))
		m.Exit.Usage = Usage{
			User: time.Duration(i64(16)), Sys: time.Duration(i64(24)), MaxRSSBytes: i64(32),
			MinFlt: i64(40), MajFlt: i64(48), NVCSW: i64(56), NIVCSW: i64(64),
		}
		m.StampNS = i64(72)
	}
	if m.Type != FSStarted && m.PID <= 0 {
		return m, &ForkserverProtocolError{fmt.Sprintf("%v with pid %d", m.Type, m.PID)}
	}
	return m, nil
}

// Shutdown closes the lab's sending side: the server reads EOF, kills and
// reaps the children it still has (reporting them), and exits; Recv then
// returns io.EOF.
func (c *ForkserverConn) Shutdown() error {
	return c.shutdown(syscall.SHUT_WR)
}

func (c *ForkserverConn) shutdown(how int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return syscall.EBADF
	}
	return syscall.Shutdown(c.fd, how)
}

// Abort kills the server and shuts the socket both ways, so that a Recv
// blocked on a peer that will not answer returns io.EOF.
func (c *ForkserverConn) Abort() {
	c.Kill()
	c.shutdown(syscall.SHUT_RDWR)
}

// Kill sends SIGKILL to the server unless it has been reaped already (a
// reaped pid may belong to someone else by now). Its children die with it.
func (c *ForkserverConn) Kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pid > 0 && !c.reaped {
		syscall.Kill(c.pid, syscall.SIGKILL)
	}
}

// Wait reaps the server (once; later calls return the same answer). With
// no process behind the conn it returns an error at once.
func (c *ForkserverConn) Wait() (Exit, error) {
	if c.pid <= 0 {
		return Exit{}, errors.New("csys: forkserver: no server process")
	}
	c.reaper.Do(func() {
		// Wait without reaping, then reap under the lock that Kill takes:
		// Kill never signals a pid that was reaped (and maybe reused).
		for waitExited(c.pid) == syscall.EINTR {
		}
		c.mu.Lock()
		c.exit, c.werr = Wait4(c.pid)
		c.reaped = true
		c.mu.Unlock()
	})
	return c.exit, c.werr
}

// Close closes the lab's end of the socket, once: a second close of a raw
// fd could close someone else's. Call it when nothing uses the conn any
// more (Recv has returned).
func (c *ForkserverConn) Close() error {
	c.sendMu.Lock() // no send in flight (each is bounded by SetSendTimeout)
	defer c.sendMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return syscall.Close(c.fd)
}

func (c *ForkserverConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// DescribeStatus says how a process ended, briefly: "exit status 3",
// "signal killed".
func DescribeStatus(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		return "signal " + ws.Signal().String()
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}
