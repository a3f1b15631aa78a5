// Command floorgo is csys/floor.c's fork floor in a minimal Go+cgo program:
// the same C loop (fork, the child stamps and _exits, wait4) forking a Go
// runtime's address space with nothing else in it, to set beside the same
// floor in the lab's process (proclab calibrate) and in a minimal C
// process (floor_main.c). scripts/bench.sh builds it; it is not part of
// proclab. Prints Go benchmark lines:
//
//	floorgo [n]             n forks one after another: median total and startup
//	floorgo rate n loops    n forks over `loops` locked threads, each with one
//	                        child alive: tasks per second, as proclab rate's floor
package main

// #cgo CFLAGS: -O2 -I${SRCDIR}/../../../csys
// #include "../../../csys/floor.c"
// #include "../../../csys/clock.c"
import "C"

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unsafe"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "rate" {
		if len(args) != 3 {
			usage()
		}
		rate(atoi(args[1]), atoi(args[2]))
		return
	}
	n := 200
	if len(args) == 1 {
		n = atoi(args[0])
	} else if len(args) > 1 {
		usage()
	}
	anon, vmas := footprint()
	buf := make([]C.struct_proclab_floor_sample, n)
	if e := C.proclab_floor(C.PROCLAB_FLOOR_FORK, nil, nil, nil, C.int(n), (*C.struct_proclab_floor_sample)(unsafe.Pointer(&buf[0]))); e != 0 {
		fmt.Fprintf(os.Stderr, "floorgo: floor: errno %d\n", int(e))
		os.Exit(1)
	}
	var st, tt []int64
	for _, s := range buf {
		st = append(st, int64(s.startup_ns))
		tt = append(tt, int64(s.total_ns))
	}
	slices.Sort(st)
	slices.Sort(tt)
	fmt.Printf("BenchmarkFloorMinimalGo/kind=fork-%d\t%d\t%d ns/op\t%d startup-ns/op\t%d anon-bytes\t%d vmas\n",
		runtime.NumCPU(), n, tt[n/2], st[n/2], anon, vmas)
}

// rate forks n children over loops threads at once and prints tasks/s.
func rate(n, loops int) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(loops)
	done.Add(loops)
	for l := range loops {
		share := n / loops
		if l < n%loops {
			share++
		}
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			ready.Done()
			<-start
			var wall C.int64_t
			if share > 0 {
				if e := C.proclab_floor_fork_rate(C.int(share), 1, &wall); e != 0 {
					fmt.Fprintf(os.Stderr, "floorgo: rate: errno %d\n", int(e))
					os.Exit(1)
				}
			}
		}()
	}
	ready.Wait()
	t0 := C.proclab_now_ns()
	close(start)
	done.Wait()
	wall := float64(C.proclab_now_ns()-t0) / 1e9
	fmt.Printf("BenchmarkFloorMinimalGoRate/loops=%d-%d\t%d\t%.0f tasks/s\n", loops, runtime.NumCPU(), n, float64(n)/wall)
}

// footprint is this process's anonymous bytes and mappings now.
func footprint() (anon int64, vmas int) {
	if b, err := os.ReadFile("/proc/self/smaps_rollup"); err == nil {
		for _, l := range bytes.Split(b, []byte{'\n'}) {
			if f := bytes.Fields(l); len(f) == 3 && string(f[0]) == "Anonymous:" {
				kb, _ := strconv.ParseInt(string(f[1]), 10, 64)
				anon = kb << 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/self/maps"); err == nil {
		vmas = bytes.Count(b, []byte{'\n'})
	}
	return anon, vmas
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		usage()
	}
	return n
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: floorgo [n] | floorgo rate n loops")
	os.Exit(2)
}
