package lab

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Past maxBlockingReads result pipes fall back to the poller, and closing
// a read end gives its slot back.
func TestResultPipeBudget(t *testing.T) {
	e := &env{}
	var ends []*resultEnd
	for i := 0; i < maxBlockingReads+3; i++ {
		r, w, err := e.resultPipe()
		if err != nil {
			t.Fatal(err)
		}
		unix.Close(w)
		ends = append(ends, r)
		rc, err := r.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var flags int
		rc.Control(func(fd uintptr) { flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0) })
		if err != nil {
			t.Fatal(err)
		}
		if blocking := flags&unix.O_NONBLOCK == 0; blocking != (r.budget != nil) {
			t.Errorf("pipe %d: fd blocking %v, holds a blocking-read slot %v", i, blocking, r.budget != nil)
		}
		if (r.budget != nil) != (i < maxBlockingReads) {
			t.Errorf("pipe %d: blocking read %v", i, r.budget != nil)
		}
	}
	if got := e.reads.n.Load(); got != maxBlockingReads {
		t.Errorf("%d slots taken, want %d", got, maxBlockingReads)
	}
	for _, r := range ends {
		r.Close()
	}
	if got := e.reads.n.Load(); got != 0 {
		t.Errorf("%d slots still taken after closing every end", got)
	}
}

// More tasks than blocking reads: both kinds of read end collect records.
func TestManyForkTasks(t *testing.T) {
	res := runSpec(t, Spec{Methods: []Method{Fork}, NTasks: maxBlockingReads + 20, NIters: 1000})
	for i, tk := range res.Runs[0].Tasks {
		checkProcessTask(t, i, tk)
	}
	assertNoChildren(t)
}
