package lab

import (
	"fmt"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// ParseForkLabHeap reads a --fork-lab-heap value: true means inherit.
func ParseForkLabHeap(s string) (inherit bool, err error) {
	switch s {
	case results.ForkLabHeapDontFork:
		return false, nil
	case results.ForkLabHeapInherit:
		return true, nil
	}
	return false, fmt.Errorf("must be %s or %s", results.ForkLabHeapDontFork, results.ForkLabHeapInherit)
}

// forkLabHeap is what fork children of this env got of the lab's Go heap.
func (e *env) forkLabHeap() string {
	if e.spec.InheritLabHeap || e.heapMarkErr != nil {
		return results.ForkLabHeapInherit
	}
	return results.ForkLabHeapDontFork
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
