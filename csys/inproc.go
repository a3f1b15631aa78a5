package csys

// #include "csys.h"
import "C"

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// InProcess is what a task run in the calling thread measured.
type InProcess struct {
	TaskStartNS, TaskEndNS int64
	Checksum               uint64
	TID                    int
	// TaskCPUNS is the task's CPU time from its thread's CPU clock around
	// the loop: exact and current, where Usage's user/sys (RUSAGE_THREAD)
	// are tick-sampled. -1 if the clock could not be read.
	TaskCPUNS int64
	Usage     Usage // the thread's own usage over the task; MaxRSSBytes is 0
	// Stopped is true when Stop ended the loop before NIters iterations
	// (ItersDone of them ran): Checksum is then not the hot loop's.
	Stopped   bool
	ItersDone uint64

	// The task's profile when Task.ProfileHz > 0: program counters sampled
	// in this process, of which SamplesDropped more did not fit.
	Samples        []uint64
	SamplesDropped int
	ProfileErr     error // sampling could not start; the task ran unprofiled
}

// InProcessTask is a task prepared to run in a thread of the lab. Everything
// Run needs (its sample buffer, its result, its stop flag) is allocated by
// NewInProcessTask, so a caller that stamps its create call after
// preparing, as the thread method does, measures no allocation between that
// stamp and the task's own start stamp.
type InProcessTask struct {
	t    Task
	ct   *C.struct_proclab_task
	out  *C.struct_proclab_inproc
	buf  []uint64    // profile samples, written by C during Run only
	stop *C.uint32_t // read by the loop every PROCLAB_STOP_EVERY iterations
}

// NewInProcessTask prepares t to run in a thread of the lab.
func NewInProcessTask(t Task) *InProcessTask {
	ct := t.c()
	p := &InProcessTask{t: t, ct: &ct, out: new(C.struct_proclab_inproc), stop: new(C.uint32_t)}
	if t.ProfileHz > 0 {
		// Go memory holding no pointers, written by C only during the call.
		p.buf = make([]uint64, MaxSamples)
	}
	return p
}

// Stop asks the running (or not yet started) task to end: the loop reads
// the flag every StopEvery iterations. Safe from any goroutine, any number
// of times.
func (p *InProcessTask) Stop() {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(p.stop)), 1)
}

// StopEvery is how many iterations the in-process loop runs between reads
// of its stop flag.
const StopEvery = C.PROCLAB_STOP_EVERY

// Run runs the task in the calling goroutine's thread (a cgo call keeps
// one thread for its whole length), until it is done or stopped. With
// ProfileHz > 0 the thread samples itself with a per-thread CPU timer
// (inprof.c), which coexists with Go's own profiler. Run once.
func (p *InProcessTask) Run() InProcess {
	var pcs *C.uint64_t
	if len(p.buf) > 0 {
		pcs = (*C.uint64_t)(&p.buf[0])
	}
	C.proclab_task_inproc(p.ct, p.out, pcs, C.uint32_t(len(p.buf)), p.stop)
	r := p.out
	ip := InProcess{
		TaskStartNS: int64(r.task_start_ns),
		TaskEndNS:   int64(r.task_end_ns),
		Checksum:    uint64(r.checksum),
		TID:         int(r.tid),
		TaskCPUNS:   int64(r.task_cpu_ns),
		ItersDone:   uint64(r.iters_done),
		Stopped:     uint64(r.iters_done) < p.t.NIters,
		Usage: Usage{
			User: time.Duration(r.user_ns), Sys: time.Duration(r.sys_ns),
			MinFlt: int64(r.minflt), MajFlt: int64(r.majflt),
			NVCSW: int64(r.nvcsw), NIVCSW: int64(r.nivcsw),
		},
	}
	if p.t.ProfileHz > 0 {
		if r.prof_err != 0 {
			ip.ProfileErr = fmt.Errorf("csys: per-thread profiling timer: %w", syscall.Errno(r.prof_err))
		} else {
			ip.Samples = append([]uint64(nil), p.buf[:r.n_samples]...)
			ip.SamplesDropped = int(r.samples_dropped)
		}
	}
	return ip
}

// RunInProcess prepares t and runs it in the calling goroutine's thread, to
// the end.
func RunInProcess(t Task) InProcess { return NewInProcessTask(t).Run() }

// HotLoopStoppable runs the hot loop in the calling thread until it is done
// or stop is set to nonzero (read every StopEvery iterations); done reports
// whether it ran all nIters, and only then is the checksum the hot loop's.
// stop must stay reachable until the call returns.
func HotLoopStoppable(nIters uint64, stop *atomic.Uint32) (sum uint64, done bool) {
	var n C.uint64_t
	s := C.proclab_hot_loop_stoppable(C.uint64_t(nIters), (*C.uint32_t)(unsafe.Pointer(stop)), &n)
	return uint64(s), uint64(n) == nIters
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
