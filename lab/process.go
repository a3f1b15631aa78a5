package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// child is a process just created for one task.
type child struct {
	pid       int
	parentPID int    // the process that created it: its record must name it as ppid
	flags     uint32 // the record flags its method sets (csys.FlagExeced...)
	createNS  int64
	createdNS int64                     // right after the create call returned (start profile only)
	createTID int                       // the lab thread that made the create call (start profile only)
	wait      func() (csys.Exit, error) // reaps the child (or learns how it ended)
	kill      func()                    // SIGKILLs it; nil: by pid (the lab's own child)
}

// workerFlags are the record flags of a re-exec'd worker: a fresh image
// with its own Go runtime. Fork children (the lab's and the forkserver's)
// set none.
const workerFlags = csys.FlagExeced | csys.FlagGoRuntime

// starter creates the process for task t; w is the write end of the task's
// result pipe, which the starter passes on and the caller closes.
type starter func(t csys.Task, w int) (child, error)

func (e *env) starter(m results.Method) starter {
	switch m {
	// These allocate nothing between the clock stamp and the create call
	// (csys stamps in C right before it) and nothing before it either: the
	// worker's path and environment were copied to C once per run.
	case results.Fork:
		return e.reaped(csys.ForkRun, 0)
	case results.Spawn:
		return e.reaped(e.worker.Spawn, workerFlags)
	case results.ForkExec:
		return e.reaped(e.worker.ForkExec, workerFlags)
	case results.Exec:
		return e.startOSExec
	case results.Forkserver:
		return e.fs.start
	case results.PyFork, results.PySpawn, results.PyForkserver:
		return e.py.starter(m)
	}
	return func(csys.Task, int) (child, error) { return child{}, fmt.Errorf("method %s is not available", m) }
}

// reaped turns a csys create function into a starter whose children the
// lab reaps itself with wait4; flags are the record flags its children set.
func (e *env) reaped(create func(csys.Task, int) (csys.Created, error), flags uint32) starter {
	return func(t csys.Task, w int) (child, error) {
		c, err := create(t, w)
		if err != nil {
			return child{}, err
		}
		return child{pid: c.PID, parentPID: e.labPID, flags: flags, createNS: c.CreateNS,
			wait: func() (csys.Exit, error) { return reap(c.PID) }}, nil
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
	cmd := &exec.Cmd{Path: csys.SelfExe, Args: argv, ExtraFiles: []*os.File{wf},
		Stdout: os.Stdout, Stderr: os.Stderr}
	t0 := csys.Now()
	if err := cmd.Start(); err != nil {
		return child{}, fmt.Errorf("os/exec: %w", err)
	}
	return child{pid: cmd.Process.Pid, parentPID: e.labPID, flags: workerFlags, createNS: t0, wait: func() (csys.Exit, error) {
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

// runProcesses creates one child per task and collects every record and
// reaps every child. Without a cap (MaxProcs 0) all children are created
// before any is joined, as the tutorial does; with one, at most MaxProcs
// are alive (created and not yet reaped) at once, and a new child is
// created as soon as one is reaped, so any number of tasks runs in waves.
// A failed create stops creating: the children already started are still
// collected, and the tasks not started say why.
func (e *env) runProcesses(ctx context.Context, start starter) []results.Task {
	n := e.spec.NTasks
	tasks := make([]results.Task, n)
	live := newLiveSet()
	stop := context.AfterFunc(ctx, func() {
		live.killAll(killInterrupted)
		e.worker.Cancel() // a fork-exec start waiting for its exec gives up
	})
	defer stop()
	slots := make(chan struct{}, e.spec.alive())

	var wg sync.WaitGroup
	notStarted := ""
	for i := 0; i < n; i++ {
		tasks[i].Task = i
		if notStarted == "" && !acquire(ctx, slots) {
			notStarted = "not started: interrupted"
		}
		if notStarted != "" {
			tasks[i].Error = notStarted
			continue
		}
		r, w, err := resultPipe()
		var c child
		if err == nil {
			c, err = e.createStamped(start, e.task(i), w)
			unix.Close(w)
			if err != nil {
				r.Close()
			}
		}
		if err != nil {
			<-slots
			notStarted = "not started: " + e.creationStopped(i, live.len(), err)
			tasks[i].Error = notStarted
			continue
		}
		live.add(c.pid, c.kill)
		if e.obs != nil {
			e.obs.watch(i, c.pid, c.createNS)
		}
		if i == n-1 {
			// The last task is collected right here: a go statement wakes
			// an idle thread of the runtime, which runs on the CPU the
			// newborn child is waiting for.
			tasks[i] = e.collect(i, c, r, live)
			e.ended(c, &tasks[i])
			<-slots
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tasks[i] = e.collect(i, c, r, live)
			e.ended(c, &tasks[i])
			<-slots // only once reaped: a zombie still holds its pid
		}()
	}
	wg.Wait()
	return tasks
}

// ended tells the sampler the CPU of a child another process reaped.
func (e *env) ended(c child, t *results.Task) {
	if e.obs != nil && c.parentPID != e.labPID {
		e.obs.ended(taskProcessCPU(t))
	}
}

// acquire takes a slot for one more live task, waiting for one to free
// up; false if ctx is cancelled first.
func acquire(ctx context.Context, slots chan struct{}) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// collect reads child c's record from r, then reaps it. With a timeout, a
// child that has not reported by its deadline is killed.
func (e *env) collect(i int, c child, r *os.File, live *liveSet) results.Task {
	if e.spec.Timeout > 0 {
		// The deadline counts from the create stamp, taken in C.
		r.SetReadDeadline(time.Now().Add(time.Duration(c.createNS + int64(e.spec.Timeout) - csys.Now())))
	}
	rec, rerr := csys.ReadRecord(lateReader{r})
	if errors.Is(rerr, os.ErrDeadlineExceeded) {
		live.kill(c.pid, killTimeout)
	}
	r.Close()
	killed := live.remove(c.pid)
	var samples []results.Sample
	if e.obs != nil {
		samples = e.obs.unwatch(c.pid) // before the reap: a reaped pid is gone
	}
	waitNS := csys.Now()
	ex, werr := c.wait()

	t := results.Task{Task: i, PID: c.pid, ParentPID: ptr(c.parentPID), Stamps: results.Stamps{CreateNS: c.createNS, CreatedNS: c.createdNS, CreateTID: c.createTID, WaitNS: waitNS,
		ReapedNS: ex.ReapedNS, TaskStartNS: rec.TaskStartNS, TaskEndNS: rec.TaskEndNS, MemReadNS: rec.MemReadNS}}
	setSamples(&t, samples)
	if werr != nil {
		t.Error = werr.Error()
		return t
	}
	t.TotalNS = ex.ReapedNS - c.createNS
	if !ex.NoUsage { // else the figures stay 0 and rusage_maxrss_bytes null: not measured
		setUsage(&t, ex.Usage)
		t.RusageMaxRSSBytes = ptr(ex.Usage.MaxRSSBytes)
	}
	switch {
	case ex.Status.Signaled():
		t.Signal = ptr(int(ex.Status.Signal()))
	case ex.Status.Exited():
		t.ExitCode = ptr(ex.Status.ExitStatus())
	}
	if rerr != nil {
		t.TimedOut = killed == killTimeout
		t.Error = e.failure(killed, ex, rerr)
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
	t.Error = e.recordMismatch(&rec, i, c.pid)
	if t.Error == "" {
		t.Error = checkRecord(&rec, c)
	}
	t.ChecksumPending = t.Error == "" // the record answers this task: check its checksum
	if t.ChecksumPending {
		setRecordFigures(&t, &rec)
	}
	if t.Error == "" {
		t.Error = endedBadly(killed, ex)
	}
	if rec.ProfileHz > 0 {
		t.Profile = &results.TaskProfile{PCs: rec.Samples, TextBase: rec.TextBase,
			Hz: int(rec.ProfileHz), Dropped: int(rec.SamplesDropped)}
	}
	return t
}

// setRecordFigures copies the figures the child measured itself: its task
// CPU, and its own memory (a 0 is a figure the child could not read).
func setRecordFigures(t *results.Task, rec *csys.Record) {
	if rec.TaskCPUNS >= 0 {
		t.TaskCPUNS = ptr(rec.TaskCPUNS)
	}
	pos := func(v int64) *int64 {
		if v > 0 {
			return ptr(v)
		}
		return nil
	}
	t.HWMBytes = pos(rec.HWMBytes)
	t.MaxRSSBytes = t.HWMBytes
	t.EndRSSBytes = pos(rec.EndRSSBytes)
	t.EndPSSBytes = pos(rec.EndPSSBytes)
	t.EndUSSBytes = pos(rec.EndUSSBytes)
	if rec.MemReadNS >= rec.TaskEndNS {
		t.MemReadNS = ptr(rec.MemReadNS - rec.TaskEndNS)
		// The read is the lab's instrument, not the task's work: total_ns
		// (and so the run's wall) leaves it out, as startup_ns and run_ns do.
		t.TotalNS -= *t.MemReadNS
	}
}
