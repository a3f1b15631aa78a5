package csys

// #include "csys.h"
import "C"

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// heapArenaBytes is the unit in which the Go runtime reserves its heap on
// 64-bit Linux (runtime/malloc.go): 64 MiB, aligned to 64 MiB.
const heapArenaBytes = 64 << 20

var dontForkProbe *[64]byte // a heap object, to check where the heap is

// DontForkGoHeap keeps the Go runtime's memory out of fork children: it
// marks MADV_DONTFORK the heap's arenas and every other private anonymous
// writable mapping of the lab that a fork child cannot need, which is the
// runtime's own memory about its heap (span records, GC bitmaps,
// profiling buckets: it grows as the lab runs). A fork child then starts
// without them: no page tables to copy for them, and no copy-on-write
// fault and TLB shootdown in the lab each time it writes them while a
// child lives. It keeps, and a child inherits as before:
//
//   - every file-backed or named mapping (the binary, libraries, [heap]
//     where C's malloc lives, [stack], the vDSO) and every shared one;
//   - an anonymous mapping right after a file-backed one: an ELF's bss;
//   - an anonymous mapping right after an inaccessible one: a thread's
//     stack above its guard page, where its TLS lives too (the runtime's
//     reserved-then-committed memory looks the same and is kept with it);
//   - the mapping of the main thread's TLS block (arena.c), and of every
//     address registered with KeepInForkChildren: the ballast, the C
//     copies of argv and environment a fork-exec child reads.
//
// It is sound because a fork child of the lab runs only C, on the forking
// thread's stack, and reads only those: its stack and TLS, static data,
// C's heap, and what csys copied to C memory before fork (cargv.go); the
// child turns off the signal stack the runtime gave the thread (child.c),
// which is Go heap. posix_spawn and Go's os/exec share the lab's memory
// until their exec (CLONE_VM), so the mark does not touch them.
//
// The heap is found where a fresh heap object lies: the run of adjacent
// anonymous mappings around it, which must begin and end on 64 MiB arena
// boundaries (the runtime reserves arenas whole). Mappings the runtime
// adds later are not marked until the next call, so the lab calls it
// before each run. It returns the bytes of address space and the
// mappings it marked; on error nothing was marked, unless the error names
// madvise.
func DontForkGoHeap() (marked int64, vmas int, err error) { return markGoHeap(syscall.MADV_DONTFORK) }

// InheritGoHeap undoes DontForkGoHeap (MADV_DOFORK on every private
// anonymous mapping): fork children inherit all of the lab again. Where
// DontForkGoHeap never marked anything it does nothing.
func InheritGoHeap() (marked int64, vmas int, err error) {
	if !everMarked.Load() {
		return 0, 0, nil
	}
	return markGoHeap(syscall.MADV_DOFORK)
}

// everMarked says whether DontForkGoHeap has marked anything in this
// process.
var everMarked atomic.Bool

// keep holds the addresses whose mappings fork children must inherit.
var keep struct {
	mu    sync.Mutex
	addrs map[uintptr]int
}

// KeepInForkChildren registers p as memory fork children need (the
// ballast; C memory a child reads): its mapping is never marked. The
// returned func unregisters it.
func KeepInForkChildren(p unsafe.Pointer) (release func()) {
	a := uintptr(p)
	keep.mu.Lock()
	defer keep.mu.Unlock()
	if keep.addrs == nil {
		keep.addrs = map[uintptr]int{}
	}
	keep.addrs[a]++
	var once sync.Once
	return func() {
		once.Do(func() {
			keep.mu.Lock()
			defer keep.mu.Unlock()
			if keep.addrs[a]--; keep.addrs[a] <= 0 {
				delete(keep.addrs, a)
			}
		})
	}
}

// mapping is one line of /proc/self/maps.
type mapping struct {
	lo, hi uintptr
	perms  string
	anon   bool // no path: not a file, not [heap] or [stack]
}

func readMappings() ([]mapping, error) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		l, err1 := strconv.ParseUint(string(lo), 16, 64)
		h, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, mapping{lo: uintptr(l), hi: uintptr(h), perms: string(f[1]), anon: len(f) == 5})
	}
	return out, sc.Err()
}

func (m mapping) holds(a uintptr) bool { return a >= m.lo && a < m.hi }

func markGoHeap(advice int) (marked int64, vmas int, err error) {
	dontForkProbe = new([64]byte)
	probe := uintptr(unsafe.Pointer(dontForkProbe))
	vm, err := readMappings()
	if err != nil {
		return 0, 0, err
	}
	madvise := func(m mapping) error {
		if advice == syscall.MADV_DONTFORK {
			everMarked.Store(true) // before: a failed call may have marked part
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, m.lo, m.hi-m.lo, uintptr(advice)); e != 0 {
			return fmt.Errorf("madvise(%d): %w", advice, e)
		}
		marked += int64(m.hi - m.lo)
		vmas++
		return nil
	}
	if advice == syscall.MADV_DOFORK {
		for _, m := range vm {
			if m.anon && m.perms[3] == 'p' {
				if err := madvise(m); err != nil {
					return marked, vmas, err
				}
			}
		}
		return marked, vmas, nil
	}

	// The heap: the run of adjacent anonymous mappings around the probe.
	at := -1
	for i, m := range vm {
		if m.anon && m.holds(probe) {
			at = i
		}
	}
	if at < 0 {
		return 0, 0, errors.New("no anonymous mapping holds the Go heap")
	}
	first, last := at, at
	for first > 0 && vm[first-1].anon && vm[first-1].hi == vm[first].lo {
		first--
	}
	for last+1 < len(vm) && vm[last+1].anon && vm[last+1].lo == vm[last].hi {
		last++
	}
	if vm[first].lo%heapArenaBytes != 0 || vm[last].hi%heapArenaBytes != 0 {
		return 0, 0, fmt.Errorf("the mappings around the Go heap (%#x-%#x) are not whole arenas", vm[first].lo, vm[last].hi)
	}
	heap := make([]bool, len(vm))
	for i := first; i <= last; i++ {
		heap[i] = true
	}

	keep.mu.Lock()
	kept := make([]uintptr, 0, len(keep.addrs)+1)
	for a := range keep.addrs {
		kept = append(kept, a)
	}
	keep.mu.Unlock()
	kept = append(kept, uintptr(C.proclab_main_tls))
	for i, m := range vm {
		if !heap[i] && !runtimeMemory(vm, i, kept) {
			continue
		}
		if err := madvise(m); err != nil {
			return marked, vmas, err
		}
	}
	return marked, vmas, nil
}

// runtimeMemory says whether vm[i] is private anonymous writable memory
// that no fork child needs (DontForkGoHeap's list of what is kept).
func runtimeMemory(vm []mapping, i int, kept []uintptr) bool {
	m := vm[i]
	if !m.anon || m.perms != "rw-p" {
		return false
	}
	if i > 0 && vm[i-1].hi == m.lo && (!vm[i-1].anon || vm[i-1].perms == "---p") {
		return false // an ELF's bss, or a thread stack above its guard
	}
	for _, a := range kept {
		if m.holds(a) {
			return false
		}
	}
	return true
}
