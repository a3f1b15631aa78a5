package csys

// #include "csys.h"
import "C"

import "time"

// InProcess is what a task run in the calling thread measured.
type InProcess struct {
	TaskStartNS, TaskEndNS int64
	Checksum               uint64
	TID                    int
	Usage                  Usage // the thread's own usage over the task; MaxRSSBytes is 0
}

// RunInProcess runs t in the calling goroutine's thread (a cgo call keeps
// one thread for its whole length).
func RunInProcess(t Task) InProcess {
	ct := t.c()
	var r C.struct_proclab_inproc
	C.proclab_task_inproc(&ct, &r)
	return InProcess{
		TaskStartNS: int64(r.task_start_ns),
		TaskEndNS:   int64(r.task_end_ns),
		Checksum:    uint64(r.checksum),
		TID:         int(r.tid),
		Usage: Usage{
			User: time.Duration(r.user_ns), Sys: time.Duration(r.sys_ns),
			MinFlt: int64(r.minflt), MajFlt: int64(r.majflt),
			NVCSW: int64(r.nvcsw), NIVCSW: int64(r.nivcsw),
		},
	}
}
