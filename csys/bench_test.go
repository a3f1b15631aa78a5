package csys

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkHotLoop reports the hot loop's cost per iteration through cgo:
// ns/iter by the wall clock, and cpu-ns/iter by the thread's CPU clock,
// which leaves out time the thread spent descheduled (and, in a VM with
// steal accounting, stolen by the host): on a shared machine the second is
// the steadier figure. scripts/bench/hotloop_main.c reports the same two
// for a standalone C build of hotloop.c.
func BenchmarkHotLoop(b *testing.B) {
	const n = 10_000_000
	runtime.LockOSThread() // one thread, so its CPU clock covers every call
	defer runtime.UnlockOSThread()
	var sink uint64
	var c0, c1 unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &c0)
	for b.Loop() {
		sink ^= HotLoop(n)
	}
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &c1)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iter")
	b.ReportMetric(float64(c1.Nano()-c0.Nano())/float64(b.N)/n, "cpu-ns/iter")
	_ = sink
}
