package lab

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// wait4 is syscall.Wait4; a test swaps it to inject EINTR.
var wait4 = syscall.Wait4

// reap waits for child pid to end and reaps it with wait4, without holding
// an OS thread while it waits: a pidfd turns readable when the child ends,
// and Go's netpoller waits on it. A blocking wait4 per child would need a
// thread per child being waited for, and every thread counts against the
// same process limits (RLIMIT_NPROC, threads-max) the children do: when
// they run out, the Go runtime cannot start a thread and aborts. Without
// pidfds (Linux < 5.10) it falls back to a blocking wait4.
func reap(pid int) (csys.Exit, error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return csys.Wait4(pid)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return csys.Wait4(pid)
	}
	var ex csys.Exit
	var werr error
	err = rc.Read(func(uintptr) bool {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		got, err := wait4(pid, &ws, syscall.WNOHANG, &ru)
		for err == syscall.EINTR {
			// Retry now: the netpoller is edge-triggered, and the edge
			// that woke us (the child ended) will not come again, so
			// waiting for the pidfd here would wait forever.
			got, err = wait4(pid, &ws, syscall.WNOHANG, &ru)
		}
		switch {
		case err == nil && got == 0:
			return false // still running: wait for the pidfd
		case err != nil:
			werr = fmt.Errorf("wait4 %d: %w", pid, err)
		default:
			ex = csys.Exit{Status: ws, Usage: csys.UsageOf(&ru), ReapedNS: csys.Now()}
		}
		return true
	})
	if err != nil {
		return csys.Wait4(pid)
	}
	return ex, werr
}
