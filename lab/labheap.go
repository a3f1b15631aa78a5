package lab

import (
	"fmt"

	"github.com/proclab/proclab/csys"
)

// What a fork child gets of the lab's own Go heap (Spec.InheritLabHeap,
// SpecInfo.ForkLabHeap, --fork-lab-heap).
const (
	// ForkLabHeapDontFork: the Go heap, and the runtime's own memory about
	// it (span records, GC bitmaps, profiling buckets), are marked
	// MADV_DONTFORK before each run (csys.DontForkGoHeap), so fork
	// children, the in-lab floors and calibrate's fork loops start
	// without them; the ballast, the binary, C's heap and thread stacks
	// are inherited as always. The default: that memory is the
	// instrument's (results, buffers, the libraries' caches), no child
	// can use it (fork children run only C), and it grows as the lab
	// runs (0.6 to 1.9 MiB over the first 20 runs of a fork run here),
	// so inheriting it would make a fork's cost depend on how long the
	// lab has been running rather than on the parent asked for.
	ForkLabHeapDontFork = "dontfork"
	// ForkLabHeapInherit: fork children inherit the whole lab, Go heap
	// included, as a plain fork() of any Go program would.
	ForkLabHeapInherit = "inherit"
)

// ParseForkLabHeap reads a --fork-lab-heap value: true means inherit.
func ParseForkLabHeap(s string) (inherit bool, err error) {
	switch s {
	case ForkLabHeapDontFork:
		return false, nil
	case ForkLabHeapInherit:
		return true, nil
	}
	return false, fmt.Errorf("must be %s or %s", ForkLabHeapDontFork, ForkLabHeapInherit)
}

// forkLabHeap is what fork children of this env got of the lab's Go heap.
func (e *env) forkLabHeap() string {
	if e.spec.InheritLabHeap || e.heapMarkErr != nil {
		return ForkLabHeapInherit
	}
	return ForkLabHeapDontFork
}

// markHeap keeps the lab's Go heap out of fork children from now on,
// unless the spec asks for it to be inherited. The runtime maps new heap
// as it grows, unmarked, so it is called before every run and round,
// outside every timed section (it reads /proc/self/maps: ~30 µs). If the
// heap cannot be found, children inherit it, the run says so once, and
// SpecInfo.ForkLabHeap records "inherit".
func (e *env) markHeap() {
	if e.spec.InheritLabHeap {
		// An earlier run of this process may have marked it: undo that
		// (nothing to do, and no maps read, if none did).
		csys.InheritGoHeap()
		return
	}
	if e.heapMarkErr != nil {
		return
	}
	if _, _, err := csys.DontForkGoHeap(); err != nil {
		e.heapMarkErr = err
		e.warnings = append(e.warnings, "fork children inherit the lab's Go heap: "+err.Error())
	}
}
