package csys

import (
	"runtime"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkHotLoopStoppable is BenchmarkHotLoop for the stoppable entry
// (thread and single tasks, with a stop flag the loop reads every
// StopEvery iterations): the same ns/iter and cpu-ns/iter, so that reading
// the flag costs the loop nothing measurable. Compare the two with
// benchstat, run alternately.
func BenchmarkHotLoopStoppable(b *testing.B) {
	const n = 10_000_000
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var stop atomic.Uint32
	var sink uint64
	var c0, c1 unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &c0)
	for b.Loop() {
		s, _ := HotLoopStoppable(n, &stop)
		sink ^= s
	}
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &c1)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iter")
	b.ReportMetric(float64(c1.Nano()-c0.Nano())/float64(b.N)/n, "cpu-ns/iter")
	_ = sink
}
