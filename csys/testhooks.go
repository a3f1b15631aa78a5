package csys

// #include <stdlib.h>
// #include "csys.h"
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Hooks for this package's tests (cgo cannot be used in _test.go files).

// setNoCloseRange makes fork children close their fds with the loop that
// kernels without close_range need.
func setNoCloseRange(on bool) {
	v := C.int(0)
	if on {
		v = 1
	}
	C.proclab_test_no_close_range = v
}

// setStallExec makes fork-exec children pause before their execve.
func setStallExec(on bool) {
	v := C.int(0)
	if on {
		v = 1
	}
	C.proclab_test_stall_exec = v
}

// profHammer runs proclab_prof_record count times on each of threads OS
// threads at once, into one fresh buffer (thread i records PC i+1), and
// returns what the buffer holds, and whether the words right after it
// were left alone.
func profHammer(threads int, count uint32) (n, dropped uint32, pcs []uint64, guardOK bool) {
	const guard = 0x5a5a5a5a5a5a5a5a
	size := C.size_t(unsafe.Sizeof(C.struct_proclab_prof{}))
	mem := C.calloc(1, size+64)
	defer C.free(mem)
	after := unsafe.Slice((*uint64)(unsafe.Add(mem, size)), 8)
	for i := range after {
		after[i] = guard
	}
	p := (*C.struct_proclab_prof)(mem)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < threads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			<-start
			C.proclab_prof_hammer(p, C.uint64_t(i+1), C.uint32_t(count))
		}()
	}
	close(start)
	wg.Wait()
	guardOK = true
	for _, w := range after {
		guardOK = guardOK && w == guard
	}
	n, dropped = uint32(p.n), uint32(p.dropped)
	for i := 0; i < int(min(n, MaxSamples)); i++ {
		pcs = append(pcs, uint64(p.pcs[i]))
	}
	return n, dropped, pcs, guardOK
}
