package lab

import (
	"context"
	"fmt"
	"sync"

	"github.com/proclab/proclab/csys"
)

// runThreads runs each task in its own goroutine (and so its own thread for
// the length of the cgo call): parallel work without a process. At most
// MaxProcs run at once. A running thread cannot be stopped: on cancel, the
// tasks not yet started are skipped and the running ones finish.
func (e *env) runThreads(ctx context.Context) []Task {
	tasks := make([]Task, e.spec.NTasks)
	slots := make(chan struct{}, e.spec.alive())
	var wg sync.WaitGroup
	for i := range tasks {
		if !acquire(ctx, slots) {
			tasks[i] = Task{Task: i, Error: "not started: interrupted"}
			continue
		}
		t0 := csys.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			ip := csys.RunInProcess(e.task(i))
			tasks[i] = e.inProcessTask(i, t0, ip, csys.Now(), true)
			<-slots
		}()
	}
	wg.Wait()
	return tasks
}

// runSingle runs the tasks one after another in the calling goroutine: the
// tutorial's single process. On cancel, the tasks not yet started are
// skipped.
func (e *env) runSingle(ctx context.Context) []Task {
	tasks := make([]Task, e.spec.NTasks)
	for i := range tasks {
		if ctx.Err() != nil {
			tasks[i] = Task{Task: i, Error: "not started: interrupted"}
			continue
		}
		t0 := csys.Now()
		ip := csys.RunInProcess(e.task(i))
		tasks[i] = e.inProcessTask(i, t0, ip, csys.Now(), false)
	}
	return tasks
}

func (e *env) inProcessTask(i int, t0 int64, ip csys.InProcess, t1 int64, started bool) Task {
	t := Task{
		Task:     i,
		PID:      e.labPID,
		TID:      ip.TID,
		TotalNS:  t1 - t0,
		RunNS:    ip.TaskEndNS - ip.TaskStartNS,
		Checksum: ip.Checksum,
		createNS: t0,
		verify:   true,
	}
	if started {
		t.StartupNS = ptr(ip.TaskStartNS - t0)
	}
	t.setUsage(ip.Usage)
	t.setInProcessProfile(e.spec.ProfileHz, ip)
	if e.spec.Timeout > 0 && t.TotalNS > int64(e.spec.Timeout) {
		// Reported, not killed: a thread of the lab cannot be.
		t.TimedOut = true
		t.Error = fmt.Sprintf("timed out: ran longer than --timeout %v (an in-process task cannot be killed, so it ran to the end)", e.spec.Timeout)
	}
	return t
}

func (t *Task) setUsage(u csys.Usage) {
	t.UserNS = int64(u.User)
	t.SysNS = int64(u.Sys)
	t.MinFlt, t.MajFlt = u.MinFlt, u.MajFlt
	t.NVCSW, t.NIVCSW = u.NVCSW, u.NIVCSW
}
