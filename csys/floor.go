package csys

// #include <stdlib.h>
// #include "csys.h"
import "C"

import (
	_ "embed"
	"fmt"
	"syscall"
	"time"
	"unsafe"
)

// FloorKind is a way the floor creates a process (floor.c).
type FloorKind int

// The floor's ways of creating a process.
const (
	FloorFork     FloorKind = C.PROCLAB_FLOOR_FORK      // fork; the child stamps and _exits
	FloorVfork    FloorKind = C.PROCLAB_FLOOR_VFORK     // vfork; the child stamps and _exits
	FloorForkExec FloorKind = C.PROCLAB_FLOOR_FORK_EXEC // fork, dup2 to fd 3, execve
	FloorSpawn    FloorKind = C.PROCLAB_FLOOR_SPAWN     // posix_spawn, fd 3 the stamp pipe
)

func (k FloorKind) String() string {
	switch k {
	case FloorFork:
		return "fork"
	case FloorVfork:
		return "vfork"
	case FloorForkExec:
		return "fork+execve"
	case FloorSpawn:
		return "posix_spawn"
	}
	return fmt.Sprintf("FloorKind(%d)", int(k))
}

// FloorArg, as argv[1] of this binary, makes the C constructor stamp the
// clock to fd 3 and exit before the Go runtime starts: the floor of
// exec'ing proclab's own image.
const FloorArg = C.PROCLAB_FLOOR_ARG

// FloorSample is one creation the floor measured.
type FloorSample struct {
	StartupNS int64 // create call to the child's first stamp; -1 if the program writes none (/bin/true)
	TotalNS   int64 // create call to wait4 returning
	MinFlt    int64 // the child's minor page faults
}

// Floor creates n processes of kind one after another in a C loop with no
// Go in it, each reaped with wait4 before the next. The exec kinds run
// path with argv (and this process's environment, as proclab's workers
// get); a program that writes an 8-byte CLOCK_MONOTONIC stamp to fd 3
// (BuildFloorProgram's, or this binary with FloorArg) gives a startup.
// On error the samples taken so far are returned with it.
func Floor(kind FloorKind, path string, argv []string, n int) ([]FloorSample, error) {
	if n < 1 {
		return nil, fmt.Errorf("csys: floor: n must be at least 1, got %d", n)
	}
	var a *cArgv
	if kind == FloorForkExec || kind == FloorSpawn {
		a = newCArgv(path, argv)
		defer a.free()
	}
	// C memory: C writes the samples, Go copies them out.
	buf := (*C.struct_proclab_floor_sample)(C.calloc(C.size_t(n), C.sizeof_struct_proclab_floor_sample))
	if buf == nil {
		return nil, fmt.Errorf("csys: floor: %w", syscall.ENOMEM)
	}
	defer C.free(unsafe.Pointer(buf))
	var e C.int
	if a != nil {
		e = C.proclab_floor(C.int(kind), a.path, a.argv(), a.envp(), C.int(n), buf)
	} else {
		e = C.proclab_floor(C.int(kind), nil, nil, nil, C.int(n), buf)
	}
	cs := unsafe.Slice(buf, n)
	out := make([]FloorSample, 0, n)
	for _, s := range cs {
		if s.total_ns == 0 {
			break
		}
		out = append(out, FloorSample{StartupNS: int64(s.startup_ns), TotalNS: int64(s.total_ns), MinFlt: int64(s.minflt)})
	}
	if e != 0 {
		return out, fmt.Errorf("csys: floor %s %s: %w", kind, path, syscall.Errno(e))
	}
	return out, nil
}

// FloorForkRate forks n children that exit at once, at most maxProcs alive
// at a time, and returns the time from the first fork to the last reap: the
// floor of tasks per second at that concurrency.
func FloorForkRate(n, maxProcs int) (time.Duration, error) {
	var wall C.int64_t
	if e := C.proclab_floor_fork_rate(C.int(n), C.int(maxProcs), &wall); e != 0 {
		return 0, fmt.Errorf("csys: floor fork rate: %w", syscall.Errno(e))
	}
	return time.Duration(wall), nil
}

//go:embed floorprog/floor_true.c
var floorTrueSource []byte

// FloorProgramSource is floorprog/floor_true.c, the smallest program worth
// exec'ing (static, no libc; it stamps fd 3 and exits), for the lab to
// build with the C compiler (lab/floorprog.go). csys does not build it
// itself: os/exec and path/filepath would join csys's imports, and every
// import that finishes initializing late delays csys's init, which is
// where a spawned worker starts its task (Go initializes the packages
// whose imports are done in import-path order: 87 packages ran before
// csys with them, 69 without, ~0.2 ms of a worker's start).
func FloorProgramSource() []byte { return append([]byte(nil), floorTrueSource...) }
