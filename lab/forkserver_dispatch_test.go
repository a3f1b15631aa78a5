package lab

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// A message the lab's bookkeeping cannot place is a protocol error, as a
// garbled one is: the lab stops trusting the server, kills it (a fake
// peer sees its socket shut), fails every task still waiting, and refuses
// later starts. Each case starts task 3 (pid 4242) and then sends what
// the case names.
func TestForkserverDispatchErrors(t *testing.T) {
	cases := []struct {
		name string
		// misbehave sends the bad message; it may start another task
		// (whose error it returns) to have something to answer.
		misbehave func(f *fakeServer, seq3 uint32) error
		want      string // in every error
	}{
		{"unsolicited STARTED", func(f *fakeServer, _ uint32) error {
			f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: 99, Task: 7, PID: 5000}))
			return nil
		}, "request 99"},
		{"STARTED again for the same request", func(f *fakeServer, seq3 uint32) error {
			f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq3, Task: 3, PID: 4242}))
			return nil
		}, "request 1"},
		{"STARTED again for a running pid", func(f *fakeServer, _ uint32) error {
			f.answer(func(seq uint32, task csys.Task) {
				f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq, Task: task.Index, PID: 4242}))
			})
			done := make(chan error, 1)
			go func() { _, err := startTask(f.t, f.fs, 4); done <- err }()
			select {
			case err := <-done:
				if err == nil {
					return errors.New("task 4 started with task 3's pid")
				}
				return err
			case <-time.After(time.Minute):
				// Once, the request was dropped before the error, and
				// nothing ever answered it.
				f.t.Fatal("start of task 4 still waits a minute after the bad STARTED")
				return nil
			}
		}, "pid 4242"},
		{"EXITED for an unknown pid", func(f *fakeServer, _ uint32) error {
			f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSExited, PID: 777}))
			return nil
		}, "pid 777"},
		{"READY while serving", func(f *fakeServer, _ uint32) error {
			f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSReady, PID: 1}))
			return nil
		}, "READY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t)
			seqs := make(chan uint32, 1)
			f.answer(func(seq uint32, task csys.Task) {
				seqs <- seq
				f.send(csys.EncodeForkserverMsg(csys.ForkserverMsg{Type: csys.FSStarted, Seq: seq, Task: task.Index, PID: 4242}))
			})
			c, err := startTask(t, f.fs, 3)
			if err != nil || c.pid != 4242 {
				t.Fatalf("start: %+v %v", c, err)
			}
			var errs []error
			if err := tc.misbehave(f, <-seqs); err != nil {
				errs = append(errs, err)
			}
			_, werr := c.wait()
			errs = append(errs, werr)
			if werr == nil || !strings.HasSuffix(werr.Error(), "server killed while task 3 was running") {
				t.Errorf("the running task's wait: %v", werr)
			}
			// Later starts fail at once, with the same reason.
			_, serr := startTask(t, f.fs, 5)
			errs = append(errs, serr)
			for _, err := range errs {
				var pe *csys.ForkserverProtocolError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) ||
					!strings.HasPrefix(err.Error(), "forkserver: bad message from the server") {
					t.Errorf("error %v: want a protocol error naming %q", err, tc.want)
				}
			}
			// The lab is done with this server: the fake peer's socket is
			// shut (a real server is killed, and reaped). A REAP the wait
			// sent before the lab gave up may come first.
			buf := make([]byte, 64)
			n, err := unix.Read(f.fd, buf)
			for ; n > 0 && err == nil; n, err = unix.Read(f.fd, buf) {
				if typ, _, perr := csys.DecodeForkserverPid(buf[:n]); perr != nil || typ != csys.FSReap {
					break
				}
			}
			if n != 0 || err != nil {
				t.Errorf("the fake server's socket still open: read %d bytes, %v", n, err)
			}
		})
	}
}
