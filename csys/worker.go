package csys

// #include <stdlib.h>
// #include "csys.h"
import "C"

import (
	"fmt"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Worker is the re-exec'd worker binary, prepared once for many tasks: C
// copies of its path and of the environment are made when it is created,
// and each start formats the task's argv in C on the stack, so starting a
// worker allocates nothing. (Spawn and ForkExec copy path, argv and the
// whole environment into C memory on every call.) A Worker is safe for
// concurrent use; Close frees it once no start is running.
type Worker struct {
	path   string
	c      *cArgv // the image to exec and the environment; argv is built per task
	argv0  *C.char
	labPID int

	// cancel is an eventfd that Cancel makes readable: a fork-exec start
	// waiting for its child's exec gives up then (-1 if none could be
	// made). execTimeout bounds that wait too. mu orders Cancel and Close.
	mu          sync.Mutex
	cancel      int
	execTimeout time.Duration
}

// NewWorker prepares path (this binary) as the worker of the lab labPID,
// with this process's environment as it is now.
func NewWorker(path string, labPID int) *Worker {
	return NewWorkerImage(path, path, labPID)
}

// NewWorkerImage is NewWorker for a worker that execs image but shows
// argv0 as its name: the lab passes SelfExe, so that its workers run the
// very file it runs even if the file at its path is replaced mid-run.
func NewWorkerImage(image, argv0 string, labPID int) *Worker {
	efd, err := eventfd()
	if err != nil {
		efd = -1
	}
	return &Worker{path: image, c: newCArgv(image, nil), argv0: C.CString(argv0), labPID: labPID,
		cancel: efd, execTimeout: DefaultExecTimeout}
}

// DefaultExecTimeout bounds how long a fork-exec start waits for its
// child's execve: an exec that hangs (a binary on a dead network mount, a
// child stopped before its exec) must not hold the lab. A healthy exec
// takes about a millisecond.
const DefaultExecTimeout = 30 * time.Second

// SetExecTimeout sets the bound on a fork-exec start's wait for the exec
// (0: none). Call it before any start.
func (w *Worker) SetExecTimeout(d time.Duration) { w.execTimeout = d }

// Cancel makes every fork-exec start waiting for its child's exec, and
// every later one, give up: the child is killed and reaped, and the start
// fails with ECANCELED. The lab calls it when the run is cancelled.
// posix_spawn's own wait (glibc's child runs until its exec) cannot be
// cut short.
func (w *Worker) Cancel() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel >= 0 {
		var one [8]byte
		one[0] = 1 // native endian: amd64 and arm64 are little-endian
		syscall.Write(w.cancel, one[:])
	}
}

// Close frees the worker's C memory.
func (w *Worker) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.c != nil {
		w.c.free()
		w.c = nil
		C.free(unsafe.Pointer(w.argv0))
		w.argv0 = nil
		if w.cancel >= 0 {
			syscall.Close(w.cancel)
			w.cancel = -1
		}
	}
}

// Spawn starts a worker for t with posix_spawn(), outFD placed at fd 3.
func (w *Worker) Spawn(t Task, outFD int) (Created, error) {
	return w.start(C.PROCLAB_START_SPAWN, "posix_spawn", t, outFD)
}

// ForkExec starts a worker for t with fork() and execve(), outFD placed
// at fd 3. An exec failure comes back as the child's errno; that child has
// already been reaped.
func (w *Worker) ForkExec(t Task, outFD int) (Created, error) {
	return w.start(C.PROCLAB_START_FORK_EXEC, "fork+exec", t, outFD)
}

func (w *Worker) start(how C.int, what string, t Task, outFD int) (Created, error) {
	c := C.proclab_start_worker(how, w.c.path, w.argv0, w.c.envp(), C.int32_t(w.labPID),
		C.uint32_t(t.Index), C.uint64_t(t.NIters), C.uint32_t(t.ProfileHz), C.int(outFD),
		C.int(w.cancel), C.int(w.execTimeout.Milliseconds()))
	if c.err != 0 {
		return Created{}, fmt.Errorf("csys: %s %s: %w", what, w.path, syscall.Errno(c.err))
	}
	return Created{PID: int(c.pid), CreateNS: int64(c.t_create_ns)}, nil
}
