package csys

import (
	"syscall"
	"unsafe"
)

// The few system calls csys needs that package syscall lacks. csys does
// not import golang.org/x/sys/unix: Go initializes packages in import-path
// order as their imports allow, and a worker's task starts in csys's init,
// so each package csys waits for is start-up time of every exec'd worker
// (x/sys/unix made csys wait for golang.org/x/sys/cpu's CPUID probes and
// golang.org/x/perf too).

// eventfd makes a close-on-exec, non-blocking eventfd.
func eventfd() (int, error) {
	const efdCloexec, efdNonblock = 0x80000, 0x800 // O_CLOEXEC, O_NONBLOCK
	fd, _, e := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, efdCloexec|efdNonblock, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// waitExited waits until child pid has exited without reaping it
// (waitid P_PID, WEXITED|WNOWAIT).
func waitExited(pid int) error {
	const pPID = 1
	var info [128]byte // siginfo_t
	_, _, e := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])),
		syscall.WEXITED|syscall.WNOWAIT, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
