package csys

import "testing"

// BenchmarkHotLoop reports the hot loop's cost per iteration (ns/iter).
func BenchmarkHotLoop(b *testing.B) {
	const n = 10_000_000
	var sink uint64
	for b.Loop() {
		sink ^= HotLoop(n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/iter")
	_ = sink
}
