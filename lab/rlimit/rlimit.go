// Package rlimit checks the per-process resource limits a proclab process
// needs to start at all: address space (ulimit -v) and open files
// (ulimit -n). Past them the Go runtime aborts with hundreds of lines of
// trace (pthread_create failed, netpollinit failed) instead of a sentence.
//
// It depends on nothing but syscall and the standard library, so that the
// package that runs CheckStart from its init (cmd/proclab/internal/
// startcheck) is initialized before gopsutil's packages, whose init
// already opens /proc/stat.
//
// What is not reachable from Go: below about 600 MB of address space the
// runtime fails while reserving its heap ("failed to reserve page summary
// memory"), before any package init; with 3 or 4 open files it fails at
// its first poller use. Nothing in proclab runs early enough to say more.
package rlimit

import (
	"fmt"
	"math"
	"strconv"
	"syscall"
)

// Measured on linux/amd64, Go 1.26, glibc (a 2-vCPU VM), from
// /proc/PID/maps of a running lab (VmSize 2.4 GB with 22 threads):
const (
	// goReserve is the address space the Go runtime reserves up front
	// (heap arena index and page summaries: 512 + 372 + 187 MiB).
	goReserve = 1100 << 20
	// imageAndHeap covers the binary, libc, the Go heap a run grows to
	// and the C heap's main arena.
	imageAndHeap = 128 << 20
	// LabThreads is how many threads a lab process reaches (22 measured;
	// lab/threads.go reserves 16 up front).
	LabThreads = 24
	// MinOpenFiles is what any proclab command needs to start: stdio, the
	// runtime's epoll and eventfd, two cgroup files the runtime keeps
	// open for GOMAXPROCS, /proc reads of package inits, and a margin.
	MinOpenFiles = 16
)

// AddressSpaceNeed is the address space a lab process needs with threads
// OS threads and ballast bytes of --parent-rss: the runtime's reservation,
// a stack per thread (RLIMIT_STACK; glibc takes it as the default thread
// stack size) and the ballast.
func AddressSpaceNeed(threads int, ballast int64) uint64 {
	stack := uint64(8 << 20)
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_STACK, &rl) == nil {
		if rl.Cur == math.MaxUint64 || rl.Cur == 0 {
			stack = 32 << 20 // glibc's ARCH_STACK_DEFAULT_SIZE when unlimited
		} else {
			stack = rl.Cur
		}
	}
	// No per-thread malloc arenas (64 MiB each): csys/arena.c sets
	// M_ARENA_MAX to 1 in a C constructor, before any thread starts, so
	// the main arena (in imageAndHeap) is the only one.
	return goReserve + imageAndHeap + uint64(threads)*(stack+4096) + uint64(max(ballast, 0))
}

// CheckAddressSpace says, as one sentence with what to do, when
// RLIMIT_AS is below AddressSpaceNeed(threads, ballast); nil when not.
func CheckAddressSpace(threads int, ballast int64) error {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) != nil || rl.Cur == math.MaxUint64 {
		return nil
	}
	need := AddressSpaceNeed(threads, ballast)
	if rl.Cur >= need {
		return nil
	}
	hint := ""
	what := "its threads' stacks"
	if ballast > 0 {
		what += " and --parent-rss"
	}
	return fmt.Errorf("the address space limit (ulimit -v %d) is less than the %s proclab needs (the Go runtime's %s reservation, %s); raise it to ulimit -v %d or more%s",
		rl.Cur>>10, gib(need), gib(goReserve), what, (need>>10)+1, hint)
}

// CheckOpenFiles says when RLIMIT_NOFILE is below MinOpenFiles.
func CheckOpenFiles() error {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil || rl.Cur >= MinOpenFiles {
		return nil
	}
	return fmt.Errorf("the open files limit (ulimit -n %d) is less than the %d proclab needs to start; raise it (ulimit -n 1024)", rl.Cur, MinOpenFiles)
}

// CheckStart is what every proclab process needs before it does
// anything: the open files to start and the address space of a lab with
// its usual threads.
func CheckStart() error {
	if err := CheckOpenFiles(); err != nil {
		return err
	}
	return CheckAddressSpace(LabThreads, 0)
}

func gib(b uint64) string { return strconv.FormatFloat(float64(b)/(1<<30), 'f', 1, 64) + " GiB" }
