package csys

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// heapArenaBytes is the unit in which the Go runtime reserves its heap on
// 64-bit Linux (runtime/malloc.go): 64 MiB, aligned to 64 MiB.
const heapArenaBytes = 64 << 20

var dontForkProbe *[64]byte // a heap object, to check where the heap is

// DontForkGoHeap marks the Go runtime's heap arenas MADV_DONTFORK: a fork
// child of the lab then starts without them (no page tables to copy for
// them, and no copy-on-write faults and TLB shootdowns in the lab each
// time it writes its heap while a child lives). Every other mapping (the
// ballast, the binary, C's heap, thread stacks, the runtime's metadata)
// is inherited as before.
//
// It is sound because a fork child of the lab runs only C, on the forking
// thread's system stack (a pthread stack, not the Go heap), and never
// reads Go memory: csys copies what a child needs to that stack or to C
// memory before fork (cargv.go), and the child turns off the signal stack
// the runtime gave the thread (child.c), which is Go memory. posix_spawn
// and Go's os/exec share the lab's memory until their exec (CLONE_VM), so
// the mark does not touch them.
//
// The heap is found where a fresh heap object lies: the run of adjacent
// anonymous mappings around it, which must begin and end on 64 MiB arena
// boundaries (the runtime reserves arenas whole). Mappings the runtime
// adds later (the heap grows by mmap over reserved space) are not marked
// until the next call, so the lab calls it before each run. It returns the
// bytes of address space and the mappings it marked; on error nothing was
// marked, unless the error names madvise.
func DontForkGoHeap() (marked int64, vmas int, err error) { return markGoHeap(syscall.MADV_DONTFORK) }

// InheritGoHeap undoes DontForkGoHeap (MADV_DOFORK): fork children inherit
// the Go heap again, as they do before any mark.
func InheritGoHeap() (marked int64, vmas int, err error) { return markGoHeap(syscall.MADV_DOFORK) }

func markGoHeap(advice int) (marked int64, vmas int, err error) {
	dontForkProbe = new([64]byte)
	probe := uintptr(unsafe.Pointer(dontForkProbe))
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, 0, err
	}
	type span struct{ lo, hi uintptr }
	var vm []span // anonymous mappings, in address order
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) != 5 { // a sixth field is a path: not anonymous
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		l, err1 := strconv.ParseUint(string(lo), 16, 64)
		h, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 == nil && err2 == nil {
			vm = append(vm, span{uintptr(l), uintptr(h)})
		}
	}
	at := -1
	for i, s := range vm {
		if probe >= s.lo && probe < s.hi {
			at = i
		}
	}
	if at < 0 {
		return 0, 0, errors.New("no anonymous mapping holds the Go heap")
	}
	first, last := at, at
	for first > 0 && vm[first-1].hi == vm[first].lo {
		first--
	}
	for last+1 < len(vm) && vm[last+1].lo == vm[last].hi {
		last++
	}
	if vm[first].lo%heapArenaBytes != 0 || vm[last].hi%heapArenaBytes != 0 {
		return 0, 0, fmt.Errorf("the mappings around the Go heap (%#x-%#x) are not whole arenas", vm[first].lo, vm[last].hi)
	}
	spans := vm[first : last+1]
	for _, s := range spans {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, s.lo, s.hi-s.lo, uintptr(advice)); e != 0 {
			return marked, vmas, fmt.Errorf("madvise(%d): %w", advice, e)
		}
		marked += int64(s.hi - s.lo)
		vmas++
	}
	return marked, vmas, nil
}
