package csys

// #include "csys.h"
import "C"

import (
	"fmt"
	"syscall"
	"time"
	"unsafe"
)

// InProcess is what a task run in the calling thread measured.
type InProcess struct {
	TaskStartNS, TaskEndNS int64
	Checksum               uint64
	TID                    int
	Usage                  Usage // the thread's own usage over the task; MaxRSSBytes is 0

	// The task's profile when Task.ProfileHz > 0: program counters sampled
	// in this process, of which SamplesDropped more did not fit.
	Samples        []uint64
	SamplesDropped int
	ProfileErr     error // sampling could not start; the task ran unprofiled
}

// RunInProcess runs t in the calling goroutine's thread (a cgo call keeps
// one thread for its whole length). With t.ProfileHz > 0 the thread samples
// itself with a per-thread CPU timer (inprof.c), which coexists with Go's
// own profiler.
func RunInProcess(t Task) InProcess {
	ct := t.c()
	var r C.struct_proclab_inproc
	var buf []uint64
	var pcs *C.uint64_t
	if t.ProfileHz > 0 {
		// Go memory holding no pointers, written by C only during the call.
		buf = make([]uint64, MaxSamples)
		pcs = (*C.uint64_t)(&buf[0])
	}
	C.proclab_task_inproc(&ct, &r, pcs, C.uint32_t(len(buf)))
	ip := InProcess{
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
	if t.ProfileHz > 0 {
		if r.prof_err != 0 {
			ip.ProfileErr = fmt.Errorf("csys: per-thread profiling timer: %w", syscall.Errno(r.prof_err))
		} else {
			ip.Samples = append([]uint64(nil), buf[:r.n_samples]...)
			ip.SamplesDropped = int(r.samples_dropped)
		}
	}
	return ip
}

// TextBase is the run-time address of this executable's ELF header: its
// load base when built as PIE, its link address otherwise. Samples taken in
// this process are relative to it.
func TextBase() uint64 { return uint64(C.proclab_text_base()) }

// StraySamples counts in-process profiling signals that arrived on a thread
// running no profiled task (dropped, not charged to any task). It should
// stay 0.
func StraySamples() uint64 { return uint64(C.proclab_thread_prof_stray()) }

// HotLoopAddr is the run-time address of the hot loop's first instruction:
// with TextBase, what a test needs to check that symbolization finds it.
func HotLoopAddr() uint64 { return uint64(uintptr(unsafe.Pointer(C.proclab_hot_loop))) }
