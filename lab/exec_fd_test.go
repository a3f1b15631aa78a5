package lab

import (
	"runtime"
	"testing"
	"time"

	"github.com/proclab/proclab/lab/results"
	"golang.org/x/sys/unix"
)

// The exec method hands the child's end of the result pipe to os/exec as
// an *os.File. Collecting that File must not close an fd number the lab
// has reused since: fds opened after the run stay open across GCs.
func TestExecLeavesNoStrayFile(t *testing.T) {
	runSpec(t, Spec{Methods: []results.Method{results.Exec}, NTasks: 4, NIters: 1000})
	var fds []int
	for range 8 {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		fds = append(fds, p[0], p[1])
	}
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
	}
	for _, fd := range fds {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			t.Errorf("fd %d opened after the run was closed behind the lab's back: %v", fd, err)
		}
	}
}
