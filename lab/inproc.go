package lab

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// inprocTask is one task about to run in a thread of the lab, with what
// stops it: a thread cannot be killed, so --timeout and a cancelled run
// (Ctrl-C, SIGTERM) set its loop's stop flag instead, which the loop reads
// every csys.StopEvery iterations.
type inprocTask struct {
	p       *csys.InProcessTask
	why     atomic.Int32 // the first killReason that stopped it
	unwatch func() bool  // stops watching ctx
	timer   *time.Timer  // the --timeout; nil without one
}

// prepareInProcess allocates everything task i needs to run and to be
// stopped (sample buffer, stop flag, the context watch, the timer) before
// the caller stamps its create call, so that the thread's startup figure
// holds no allocation. The --timeout timer therefore starts a moment
// before that stamp: it can fire early by that moment, never late.
func (e *env) prepareInProcess(ctx context.Context, i int) *inprocTask {
	it := &inprocTask{p: csys.NewInProcessTask(e.task(i))}
	it.unwatch = context.AfterFunc(ctx, func() { it.stop(killInterrupted) })
	if e.spec.Timeout > 0 {
		it.timer = time.AfterFunc(e.spec.Timeout, func() { it.stop(killTimeout) })
	}
	return it
}

func (it *inprocTask) stop(why killReason) {
	it.why.CompareAndSwap(int32(killNone), int32(why))
	it.p.Stop()
}

// run runs the task in the calling goroutine's thread, then releases its
// watches. It returns the task's figures, its end stamp, and why it was
// stopped (killNone if it ran to the end).
func (it *inprocTask) run() (csys.InProcess, int64, killReason) {
	ip := it.p.Run()
	t1 := csys.Now()
	it.unwatch()
	if it.timer != nil {
		it.timer.Stop()
	}
	if !ip.Stopped {
		return ip, t1, killNone
	}
	return ip, t1, killReason(it.why.Load())
}

// runThreads runs each task in its own goroutine (and so its own thread for
// the length of the cgo call): parallel work without a process. At most
// MaxProcs run at once. On cancel, the tasks not yet started are skipped and
// the running ones are stopped; a task past --timeout is stopped.
func (e *env) runThreads(ctx context.Context) []results.Task {
	tasks := make([]results.Task, e.spec.NTasks)
	slots := make(chan struct{}, e.spec.alive())
	var wg sync.WaitGroup
	for i := range tasks {
		if !acquire(ctx, slots) {
			tasks[i] = results.Task{Task: i, Error: "not started: interrupted"}
			continue
		}
		it := e.prepareInProcess(ctx, i) // allocates; before the stamp
		t0 := csys.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			ip, t1, why := it.run()
			tasks[i] = e.inProcessTask(i, t0, ip, t1, why, true)
			<-slots
		}()
	}
	wg.Wait()
	return tasks
}

// runSingle runs the tasks one after another in the calling goroutine: the
// tutorial's single process. On cancel, the running task is stopped and
// the tasks not yet started are skipped.
func (e *env) runSingle(ctx context.Context) []results.Task {
	tasks := make([]results.Task, e.spec.NTasks)
	for i := range tasks {
		if ctx.Err() != nil {
			tasks[i] = results.Task{Task: i, Error: "not started: interrupted"}
			continue
		}
		it := e.prepareInProcess(ctx, i)
		t0 := csys.Now()
		ip, t1, why := it.run()
		tasks[i] = e.inProcessTask(i, t0, ip, t1, why, false)
	}
	return tasks
}

func (e *env) inProcessTask(i int, t0 int64, ip csys.InProcess, t1 int64, why killReason, started bool) results.Task {
	t := results.Task{
		Task:     i,
		PID:      e.labPID,
		TID:      ip.TID,
		TotalNS:  t1 - t0,
		RunNS:    ip.TaskEndNS - ip.TaskStartNS,
		Checksum: ip.Checksum,
		Stamps:   results.Stamps{CreateNS: t0, TaskStartNS: ip.TaskStartNS, TaskEndNS: ip.TaskEndNS, ReapedNS: t1},
	}
	if started {
		t.StartupNS = ptr(ip.TaskStartNS - t0)
	}
	if ip.TaskCPUNS >= 0 {
		t.TaskCPUNS = ptr(ip.TaskCPUNS)
	}
	setUsage(&t, ip.Usage)
	setInProcessProfile(&t, e.spec.ProfileHz, ip)
	switch {
	case !ip.Stopped:
		t.ChecksumPending = true // ran to the end: its checksum is checked
	case why == killTimeout:
		t.TimedOut = true
		t.Error = fmt.Sprintf("timed out: still running after --timeout %v, stopped after %d of %d iterations",
			e.spec.Timeout, ip.ItersDone, e.spec.NIters)
	default:
		t.Error = fmt.Sprintf("interrupted: stopped by the lab after %d of %d iterations", ip.ItersDone, e.spec.NIters)
	}
	return t
}

func setUsage(t *results.Task, u csys.Usage) {
	t.UserNS, t.SysNS = ptr(int64(u.User)), ptr(int64(u.Sys))
	t.MinFlt, t.MajFlt = ptr(u.MinFlt), ptr(u.MajFlt)
	t.NVCSW, t.NIVCSW = ptr(u.NVCSW), ptr(u.NIVCSW)
}
