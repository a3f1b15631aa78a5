// Package csys is proclab's system layer: the only place C lives. It runs
// the CPU hot loop, creates processes with fork(), fork()+execve() and
// posix_spawn(), reaps them with wait4, runs the re-exec'd worker side, and
// holds the forkserver (a C server that forks children on request).
// Its API speaks Go types only; errors are wrapped syscall.Errno values, so
// errors.Is(err, syscall.EAGAIN) works.
package csys

// #cgo CFLAGS: -O2 -g -Wall -Wextra -Wno-unused-parameter
// #cgo LDFLAGS: -Wl,-z,now
// #include "csys.h"
import "C"

import (
	"fmt"
	"syscall"
	"time"
	_ "unsafe" // go:linkname
)

// WorkerArg is the argv[1] that marks a re-exec'd worker.
const WorkerArg = C.PROCLAB_WORKER_ARG

// WorkerFD is the fd a worker finds its result pipe on.
const WorkerFD = C.PROCLAB_WORKER_FD

// ProtocolVersion is the record version, also passed to workers on argv.
const ProtocolVersion = C.PROCLAB_RECORD_VERSION

// MaxSamples is the size of a child's profile sample buffer.
const MaxSamples = C.PROCLAB_MAX_SAMPLES

func init() { workerMain() }

// workerMain runs a re-exec'd worker's task, which the C constructor
// recognised before the runtime started, now that the runtime is ready. It
// never returns in a worker, so no CLI code runs there; elsewhere it
// returns at once. Package workerinit calls it first of all inits.
//
//go:linkname workerMain
func workerMain() {
	if C.proclab_worker_mode != 0 {
		C.proclab_worker_main(C.proclab_now_ns())
	}
}

// Task is what a child runs: the hot loop for NIters iterations, sampled at
// ProfileHz (0: not profiled).
type Task struct {
	Index     uint32
	NIters    uint64
	ProfileHz uint32
	// SkipSelfMem (fork children only) leaves out the child's read of its
	// own memory after the task: the record's memory figures are then 0
	// and MemErr is ENODATA. proclab rate sets it: the read walks the
	// child's page tables (~0.2 ms for a child of the lab), which is the
	// lab's instrument, not the task.
	SkipSelfMem bool
}

func (t Task) c() C.struct_proclab_task {
	return C.struct_proclab_task{task: C.uint32_t(t.Index), n_iters: C.uint64_t(t.NIters), profile_hz: C.uint32_t(t.ProfileHz)}
}

// Now reads CLOCK_MONOTONIC, the clock every proclab stamp uses, in
// nanoseconds. It compares directly with stamps taken in children.
func Now() int64 { return int64(C.proclab_now_ns()) }

// HotLoop runs the hot loop in the calling thread and returns its checksum.
func HotLoop(nIters uint64) uint64 { return uint64(C.proclab_hot_loop(C.uint64_t(nIters))) }

// Created describes a child just created.
type Created struct {
	PID      int
	CreateNS int64 // CLOCK_MONOTONIC just before the create call
}

// ForkRun forks a child that runs t without exec and writes its record to
// outFD (moved to fd 3 in the child). The caller keeps outFD and must close
// it.
// It allocates nothing.
func ForkRun(t Task, outFD int) (Created, error) {
	c := C.proclab_fork_task(C.uint32_t(t.Index), C.uint64_t(t.NIters), C.uint32_t(t.ProfileHz), cBool(t.SkipSelfMem), C.int(outFD))
	if c.err != 0 {
		return Created{}, fmt.Errorf("csys: fork: %w", syscall.Errno(c.err))
	}
	return Created{PID: int(c.pid), CreateNS: int64(c.t_create_ns)}, nil
}

// WorkerArgv is the argv of a worker that runs t for the lab whose pid is
// labPID. argv[0] is path.
func WorkerArgv(path string, labPID int, t Task) []string {
	return []string{path, WorkerArg, fmt.Sprint(ProtocolVersion), fmt.Sprint(labPID),
		fmt.Sprint(t.Index), fmt.Sprint(t.NIters), fmt.Sprint(t.ProfileHz)}
}

// Spawn starts path with argv through posix_spawn(), outFD placed at fd 3.
func Spawn(path string, argv []string, outFD int) (Created, error) {
	a := newCArgv(path, argv)
	defer a.free()
	var pid C.int
	var t0 C.int64_t
	if e := C.proclab_posix_spawn(a.path, a.argv(), a.envp(), C.int(outFD), &pid, &t0); e != 0 {
		return Created{}, fmt.Errorf("csys: posix_spawn %s: %w", path, syscall.Errno(e))
	}
	return Created{PID: int(pid), CreateNS: int64(t0)}, nil
}

// ForkExec starts path with argv by fork() and execve(), outFD placed at
// fd 3. An exec failure comes back as the child's errno; that child has
// already been reaped.
func ForkExec(path string, argv []string, outFD int) (Created, error) {
	a := newCArgv(path, argv)
	defer a.free()
	var pid C.int
	var t0 C.int64_t
	if e := C.proclab_fork_exec(a.path, a.argv(), a.envp(), C.int(outFD), -1, 0, &pid, &t0); e != 0 {
		return Created{}, fmt.Errorf("csys: fork+exec %s: %w", path, syscall.Errno(e))
	}
	return Created{PID: int(pid), CreateNS: int64(t0)}, nil
}

// Creates do not hold syscall.ForkLock, as Go's own fork+exec does (code
// that makes an fd and only then marks it close-on-exec holds it for
// reading): every child closes all fds above its result fd itself instead
// (child.c; posix_spawn's addclosefrom), so no half-made fd of the lab's
// reaches a child, and creates from several goroutines do not serialize on
// the lock (a fork-exec held it across its child's whole exec).

// SelfExe names the running lab's own image: exec'ing it starts the very
// file the lab runs, even after the file at the lab's path was replaced
// (a new build moved over it) or removed.
const SelfExe = "/proc/self/exe"

// Usage is a reaped child's resource usage (from wait4's rusage).
type Usage struct {
	User, Sys      time.Duration
	MaxRSSBytes    int64
	MinFlt, MajFlt int64
	NVCSW, NIVCSW  int64
}

// UsageOf converts a kernel rusage.
func UsageOf(ru *syscall.Rusage) Usage {
	return Usage{
		User:        time.Duration(ru.Utime.Nano()),
		Sys:         time.Duration(ru.Stime.Nano()),
		MaxRSSBytes: ru.Maxrss * 1024, // KiB on Linux
		MinFlt:      ru.Minflt,
		MajFlt:      ru.Majflt,
		NVCSW:       ru.Nvcsw,
		NIVCSW:      ru.Nivcsw,
	}
}

// Exit is how a reaped child ended.
type Exit struct {
	Status   syscall.WaitStatus
	Usage    Usage
	ReapedNS int64 // CLOCK_MONOTONIC when wait4 returned
	// NoUsage: whoever reaped the child passed on no rusage (Python's
	// forkserver reaps its own children); Usage is then zero, not measured.
	NoUsage bool
}

// Wait4 blocks until child pid ends and reaps it, retrying EINTR.
func Wait4(pid int) (Exit, error) {
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	for {
		_, err := syscall.Wait4(pid, &ws, 0, &ru)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return Exit{}, fmt.Errorf("csys: wait4 %d: %w", pid, err)
		}
		return Exit{Status: ws, Usage: UsageOf(&ru), ReapedNS: Now()}, nil
	}
}

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
