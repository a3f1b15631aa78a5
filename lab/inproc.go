package lab

import (
	"sync"

	"github.com/proclab/proclab/csys"
)

// runThreads runs each task in its own goroutine (and so its own thread for
// the length of the cgo call): parallel work without a process.
func (e *env) runThreads() []Task {
	tasks := make([]Task, e.spec.NTasks)
	var wg sync.WaitGroup
	for i := range tasks {
		t0 := csys.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			ip := csys.RunInProcess(e.task(i))
			tasks[i] = e.inProcessTask(i, t0, ip, csys.Now(), true)
		}()
	}
	wg.Wait()
	return tasks
}

// runSingle runs the tasks one after another in the calling goroutine: the
// tutorial's single process.
func (e *env) runSingle() []Task {
	tasks := make([]Task, e.spec.NTasks)
	for i := range tasks {
		t0 := csys.Now()
		ip := csys.RunInProcess(e.task(i))
		tasks[i] = e.inProcessTask(i, t0, ip, csys.Now(), false)
	}
	return tasks
}

func (e *env) inProcessTask(i int, t0 int64, ip csys.InProcess, t1 int64, started bool) Task {
	t := Task{
		Task:       i,
		PID:        e.labPID,
		TID:        ip.TID,
		TotalNS:    t1 - t0,
		RunNS:      ip.TaskEndNS - ip.TaskStartNS,
		Checksum:   ip.Checksum,
		ChecksumOK: ip.Checksum == e.expected,
		createNS:   t0,
	}
	if started {
		t.StartupNS = ptr(ip.TaskStartNS - t0)
	}
	t.setUsage(ip.Usage)
	t.setInProcessProfile(e.spec.ProfileHz, ip)
	return t
}

func (t *Task) setUsage(u csys.Usage) {
	t.UserNS = int64(u.User)
	t.SysNS = int64(u.Sys)
	t.MinFlt, t.MajFlt = u.MinFlt, u.MajFlt
	t.NVCSW, t.NIVCSW = u.NVCSW, u.NIVCSW
}
