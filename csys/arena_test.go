package csys

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func mapsAndThreads(t *testing.T) (vmas, threads int) {
	t.Helper()
	m, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			threads, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return bytes.Count(m, []byte{'\n'}), threads
}

// New threads that call C's malloc share the lab's one arena (arena.c):
// the mappings grow by each thread's stack and guard page only, not by an
// arena of its own each (a heap mapping and its reserved tail), which
// every fork would copy and fault on.
func TestThreadsShareOneMallocArena(t *testing.T) {
	const n = 6
	vmas0, threads0 := mapsAndThreads(t)
	var called, done sync.WaitGroup
	release := make(chan struct{})
	called.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread()                         // never unlocked: the thread is new to this test, and exits with it
			if _, err := FloorForkRate(1, 1); err != nil { // callocs its ring in C
				t.Error(err)
			}
			called.Done()
			<-release
		}()
	}
	called.Wait()
	vmas1, threads1 := mapsAndThreads(t)
	close(release)
	done.Wait()
	newThreads := max(threads1-threads0, 0)
	if grew := vmas1 - vmas0; grew > 2*newThreads+2 {
		t.Errorf("%d new threads that malloc'd added %d mappings; want at most %d (their stacks and guards)", newThreads, grew, 2*newThreads+2)
	}
}
