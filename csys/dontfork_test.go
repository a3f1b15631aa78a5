package csys

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// After DontForkGoHeap a fork child of this process has none of its Go
// heap: a 64 MiB Go slice the lab touched is resident in a child forked
// before the mark and absent from one forked after it. The child still
// runs its task and reports, and a fork-exec worker still execs (its argv
// and environment are C memory, which the child keeps).
func TestDontForkGoHeap(t *testing.T) {
	heap := make([]byte, 64<<20)
	for i := 0; i < len(heap); i += 4096 {
		heap[i] = 1
	}
	// Two more mappings of 32 MiB each, as the ballast and the runtime's
	// own memory look: anonymous and private. Only the one registered
	// stays in children. Their flags differ, so they never merge.
	anon := func(advice int) []byte {
		b, err := syscall.Mmap(-1, 0, 32<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Munmap(b) })
		if err := syscall.Madvise(b, advice); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		return b
	}
	kept := anon(syscall.MADV_NOHUGEPAGE)
	release := KeepInForkChildren(unsafe.Pointer(&kept[0]))
	defer release()
	dropped := anon(syscall.MADV_HUGEPAGE)
	childRSS := func() int64 {
		task := Task{Index: 1, NIters: 1000}
		c, rec, ex := runChild(t, func(w int) (Created, error) { return ForkRun(task, w) })
		checkChild(t, task, c, rec, ex)
		return rec.EndRSSBytes
	}
	before := childRSS()
	marked, vmas, err := DontForkGoHeap()
	if err != nil {
		t.Fatal(err)
	}
	addr := uint64(uintptr(unsafe.Pointer(&heap[0])))
	if !mappingHasFlag(t, addr, "dc") {
		t.Errorf("the mapping of the Go heap at %#x has no dc (dontcopy) flag after marking %d bytes in %d mappings", addr, marked, vmas)
	}
	after := childRSS()
	t.Logf("fork child's RSS: %d MiB before the mark, %d MiB after (%d MiB in %d mappings marked)", before>>20, after>>20, marked>>20, vmas)
	if before < 128<<20 {
		t.Errorf("before the mark the child's RSS is %d bytes: it should hold the 64 MiB Go slice and both 32 MiB mappings", before)
	}
	if after > before-80<<20 {
		t.Errorf("after the mark the child's RSS is %d bytes, before %d: the Go heap or the unregistered mapping was still inherited", after, before)
	}
	if after < 32<<20 {
		t.Errorf("after the mark the child's RSS is %d bytes: the registered 32 MiB mapping was not inherited", after)
	}
	if mappingHasFlag(t, uint64(uintptr(unsafe.Pointer(&kept[0]))), "dc") || !mappingHasFlag(t, uint64(uintptr(unsafe.Pointer(&dropped[0]))), "dc") {
		t.Errorf("dc flags: registered mapping %v (want false), the other %v (want true)",
			mappingHasFlag(t, uint64(uintptr(unsafe.Pointer(&kept[0]))), "dc"), mappingHasFlag(t, uint64(uintptr(unsafe.Pointer(&dropped[0]))), "dc"))
	}
	// A profiled child takes SIGPROF on a signal stack: not the one the
	// runtime gave the forking thread, which is Go heap.
	prof := Task{Index: 3, NIters: 20_000_000, ProfileHz: 1000}
	c, rec, ex := runChild(t, func(w int) (Created, error) { return ForkRun(prof, w) })
	checkChild(t, prof, c, rec, ex)
	if len(rec.Samples) == 0 {
		t.Errorf("the profiled child took no samples")
	}
	testExecWorker(t, ForkExec)
	w := NewWorker(mustExe(t), os.Getpid())
	defer w.Close()
	c, rec, ex = runChild(t, func(fd int) (Created, error) { return w.ForkExec(Task{Index: 2, NIters: 10}, fd) })
	checkChild(t, Task{Index: 2, NIters: 10}, c, rec, ex)
	// Undone: children inherit all of it again.
	if _, _, err := InheritGoHeap(); err != nil {
		t.Fatal(err)
	}
	if again := childRSS(); again < before-16<<20 {
		t.Errorf("after InheritGoHeap the child's RSS is %d bytes, before any mark %d", again, before)
	}
	runtime.KeepAlive(heap)
}

func mustExe(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// mappingHasFlag says whether the mapping of this process holding addr
// has flag among its VmFlags (/proc/self/smaps).
func mappingHasFlag(t *testing.T, addr uint64, flag string) bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && addr >= l && addr < h
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Contains(" "+strings.TrimPrefix(line, "VmFlags:")+" ", " "+flag+" ")
		}
	}
	return false
}
