package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// child is a process just created for one task.
type child struct {
	pid       int
	parentPID int
	createNS  int64
	wait      func() (csys.Exit, error) // reaps the child (or learns how it ended)
}

// starter creates the process for task t; w is the write end of the task's
// result pipe, which the starter passes on and the caller closes.
type starter func(t csys.Task, w int) (child, error)

func (e *env) starter(m Method) starter {
	switch m {
	// These allocate nothing between the clock stamp and the create call
	// (csys stamps in C right before it) and nothing before it either: the
	// worker's path and environment were copied to C once per run.
	case Fork:
		return e.reaped(csys.ForkRun)
	case Spawn:
		return e.reaped(e.worker.Spawn)
	case ForkExec:
		return e.reaped(e.worker.ForkExec)
	case Exec:
		return e.startOSExec
	case Forkserver:
		return e.fs.start
	}
	return func(csys.Task, int) (child, error) { return child{}, fmt.Errorf("method %s is not available", m) }
}

// reaped turns a csys create function into a starter whose children the
// lab reaps itself with wait4.
func (e *env) reaped(create func(csys.Task, int) (csys.Created, error)) starter {
	return func(t csys.Task, w int) (child, error) {
		c, err := create(t, w)
		if err != nil {
			return child{}, err
		}
		return child{pid: c.PID, parentPID: e.labPID, createNS: c.CreateNS,
			wait: func() (csys.Exit, error) { return csys.Wait4(c.PID) }}, nil
	}
}

// startOSExec starts the worker the way a Go programmer would: os/exec,
// with the result pipe as ExtraFiles[0] (fd 3).
func (e *env) startOSExec(t csys.Task, w int) (child, error) {
	// An *os.File closes its fd when it is garbage collected, and the
	// caller closes w itself: wrapping w would close it twice, the second
	// time maybe as another task's pipe. os/exec gets a duplicate it owns.
	fd, err := unix.FcntlInt(uintptr(w), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return child{}, fmt.Errorf("os/exec: %w", err)
	}
	wf := os.NewFile(uintptr(fd), "result")
	defer wf.Close() // the child has its copy once Start returns
	argv := csys.WorkerArgv(e.exe, e.labPID, t)
	cmd := &exec.Cmd{Path: e.exe, Args: argv, ExtraFiles: []*os.File{wf},
		Stdout: os.Stdout, Stderr: os.Stderr}
	t0 := csys.Now()
	if err := cmd.Start(); err != nil {
		return child{}, fmt.Errorf("os/exec: %w", err)
	}
	return child{pid: cmd.Process.Pid, parentPID: e.labPID, createNS: t0, wait: func() (csys.Exit, error) {
		err := cmd.Wait()
		now := csys.Now()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return csys.Exit{}, err
		}
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		ex := csys.Exit{Status: ws, ReapedNS: now}
		if ru != nil {
			ex.Usage = csys.UsageOf(ru)
		}
		return ex, nil
	}}, nil
}

// resultPipe makes a task's result pipe: a pollable read end for the lab
// and a raw, blocking, close-on-exec write end for the child.
func resultPipe() (*os.File, int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, -1, fmt.Errorf("pipe: %w", err)
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return nil, -1, fmt.Errorf("pipe: %w", err)
	}
	return os.NewFile(uintptr(p[0]), "result"), p[1], nil
}

// liveSet tracks the children that may still be running, so that a
// cancelled run can kill them. A pid leaves the set before it is reaped, so
// a kill never reaches a recycled pid.
type liveSet struct {
	mu   sync.Mutex
	pids map[int]bool
}

func (l *liveSet) add(pid int) {
	l.mu.Lock()
	l.pids[pid] = true
	l.mu.Unlock()
}

func (l *liveSet) remove(pid int) {
	l.mu.Lock()
	delete(l.pids, pid)
	l.mu.Unlock()
}

func (l *liveSet) killAll() {
	l.mu.Lock()
	for pid := range l.pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	l.mu.Unlock()
}

// runProcesses creates one child per task, all before any is joined (as
// the tutorial does), then collects every record and reaps every child.
// A failed create stops creating; the children already started are still
// collected, and the tasks not started carry the error.
func (e *env) runProcesses(ctx context.Context, start starter) []Task {
	n := e.spec.NTasks
	tasks := make([]Task, n)
	live := &liveSet{pids: map[int]bool{}}
	stop := context.AfterFunc(ctx, live.killAll)
	defer stop()

	var wg sync.WaitGroup
	var createErr error
	for i := 0; i < n; i++ {
		tasks[i].Task = i
		if createErr == nil && ctx.Err() != nil {
			createErr = ctx.Err()
		}
		if createErr != nil {
			tasks[i].Error = "not started: " + createErr.Error()
			continue
		}
		r, w, err := resultPipe()
		if err != nil {
			createErr = err
			tasks[i].Error = "not started: " + err.Error()
			continue
		}
		c, err := start(e.task(i), w)
		unix.Close(w)
		if err != nil {
			r.Close()
			createErr = err
			tasks[i].Error = "not started: " + err.Error()
			continue
		}
		live.add(c.pid)
		if e.obs != nil {
			e.obs.watch(i, c.pid, c.createNS)
		}
		if ctx.Err() != nil { // cancelled between the check and the add
			live.killAll()
		}
		if i == n-1 {
			// The last task is collected right here: a go statement wakes
			// an idle thread of the runtime, which runs on the CPU the
			// newborn child is waiting for.
			tasks[i] = e.collect(i, c, r, live)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tasks[i] = e.collect(i, c, r, live)
		}()
	}
	wg.Wait()
	return tasks
}

// collect reads child c's record from r, then reaps it.
func (e *env) collect(i int, c child, r *os.File, live *liveSet) Task {
	rec, rerr := csys.ReadRecord(r)
	r.Close()
	live.remove(c.pid)
	var samples []Sample
	if e.obs != nil {
		samples = e.obs.unwatch(c.pid) // before the reap: a reaped pid is gone
	}
	ex, werr := c.wait()

	t := Task{Task: i, PID: c.pid, ParentPID: ptr(c.parentPID), createNS: c.createNS}
	t.setSamples(samples)
	if werr != nil {
		t.Error = werr.Error()
		return t
	}
	t.TotalNS = ex.ReapedNS - c.createNS
	t.setUsage(ex.Usage)
	t.MaxRSSBytes = ptr(ex.Usage.MaxRSSBytes)
	switch {
	case ex.Status.Signaled():
		t.Signal = ptr(int(ex.Status.Signal()))
	case ex.Status.Exited():
		t.ExitCode = ptr(ex.Status.ExitStatus())
	}
	if rerr != nil {
		t.Error = rerr.Error()
		if t.Signal != nil {
			t.Error = fmt.Sprintf("killed by %v: %v", ex.Status.Signal(), rerr)
		}
		return t
	}
	t.StartupNS = ptr(rec.TaskStartNS - c.createNS)
	t.RunNS = rec.TaskEndNS - rec.TaskStartNS
	if rec.ExecDoneNS != 0 {
		t.ExecDoneNS = ptr(rec.ExecDoneNS - c.createNS)
	}
	if rec.RuntimeReadyNS != 0 {
		t.RuntimeReadyNS = ptr(rec.RuntimeReadyNS - c.createNS)
	}
	t.Checksum = rec.Checksum
	t.ChecksumOK = rec.Checksum == e.expected && rec.Task == uint32(i) &&
		rec.NIters == e.spec.NIters && int(rec.PID) == c.pid
	if rec.ProfileHz > 0 {
		t.Profile = &TaskProfile{PCs: rec.Samples, TextBase: rec.TextBase,
			Hz: int(rec.ProfileHz), Dropped: int(rec.SamplesDropped)}
	}
	return t
}
