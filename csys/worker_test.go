package csys

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// A prepared Worker starts the same worker as Spawn/ForkExec with a
// hand-built argv: the record must match the task.
func TestWorkerStarts(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(exe, os.Getpid())
	defer w.Close()
	for name, start := range map[string]func(Task, int) (Created, error){"spawn": w.Spawn, "fork-exec": w.ForkExec} {
		t.Run(name, func(t *testing.T) {
			task := Task{Index: 7, NIters: 123456789}
			c, rec, ex := runChild(t, func(fd int) (Created, error) { return start(task, fd) })
			checkChild(t, task, c, rec, ex)
			if rec.Flags != FlagExeced|FlagGoRuntime {
				t.Errorf("flags %#x", rec.Flags)
			}
		})
	}
}

func TestWorkerMissingBinary(t *testing.T) {
	w := NewWorker("/nonexistent/proclab", os.Getpid())
	defer w.Close()
	for _, start := range []func(Task, int) (Created, error){w.Spawn, w.ForkExec} {
		r, fd := pipe(t)
		_, err := start(Task{NIters: 1}, fd)
		unix.Close(fd)
		r.Close()
		if !errors.Is(err, syscall.ENOENT) {
			t.Errorf("missing binary: %v, want ENOENT", err)
		}
	}
	assertNoZombies(t)
}

// The create path allocates nothing in Go: no allocation can sit between
// the clock stamp and the create call, and none before it per task.
func TestCreateAllocatesNothing(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(exe, os.Getpid())
	defer w.Close()
	for name, start := range map[string]func(Task, int) (Created, error){"fork": ForkRun, "spawn": w.Spawn, "fork-exec": w.ForkExec} {
		var fds [2]int
		hdr := make([]byte, RecordHeaderSize)
		var c Created
		var cerr error
		allocs := testing.AllocsPerRun(5, func() {
			if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
				t.Fatal(err)
			}
			c, cerr = start(Task{NIters: 1}, fds[1])
			unix.Close(fds[1])
			if cerr == nil {
				unix.Read(fds[0], hdr)
				if _, err := Wait4(c.PID); err != nil {
					cerr = err
				}
			}
			unix.Close(fds[0])
		})
		if cerr != nil {
			t.Fatalf("%s: %v", name, cerr)
		}
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per create and reap, want 0", name, allocs)
		}
	}
	assertNoZombies(t)
}
