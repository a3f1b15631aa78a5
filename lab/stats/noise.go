package stats

import "fmt"

// NoiseWarnings reads the spread of the measurements and says, in plain
// words, where the machine was noisy and what to do about it. Warnings
// are data: they go into the results too.
//
// With more tasks than CPUs, later tasks wait for a CPU that earlier ones
// hold: their startups spread by design, which is said once, not called
// noise. --warmup is suggested only to a run that had fewer than 2.
func NoiseWarnings(rows []Row, warmup, nTasks, cpus int) []string {
	var out []string
	waits := cpus > 0 && nTasks > cpus
	if waits {
		out = append(out, fmt.Sprintf("more tasks than the %d CPUs: later tasks wait for a CPU that earlier ones hold, so their startups spread (expected, not noise)", cpus))
	}
	advice := "close other programs, add --warmup 2 and raise --repeat"
	wallAdvice := "consider --warmup 2 and a larger --repeat"
	if warmup >= 2 {
		advice, wallAdvice = "close other programs and raise --repeat", "consider a larger --repeat"
	}
	for _, s := range rows {
		where := string(s.Method)
		if s.ParentRSSBytes > 0 {
			where = fmt.Sprintf("%s (parent %d MiB)", s.Method, s.ParentRSSBytes>>20)
		}
		if !waits && s.Startup.N >= 10 && s.Startup.Outliers >= 3 && float64(s.Startup.Outliers) > 0.15*float64(s.Startup.N) {
			out = append(out, fmt.Sprintf("%s: %d of %d startup latencies are outliers (more than 3 MADs from the median); the machine was noisy: %s",
				where, s.Startup.Outliers, s.Startup.N, advice))
		}
		if w := ContentionWarning(where, s.Method, s.Contention, s.NTasks, cpus); w != "" {
			out = append(out, w)
		}
		if s.Wall.N >= 8 && s.Wall.Mean > 0 && s.Wall.Stddev/s.Wall.Mean > 0.25 {
			out = append(out, fmt.Sprintf("%s: wall time varies by %.0f%% (σ/mean) between runs; %s",
				where, 100*s.Wall.Stddev/s.Wall.Mean, wallAdvice))
		}
	}
	return out
}
