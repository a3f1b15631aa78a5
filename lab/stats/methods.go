package stats

import (
	"fmt"
	"github.com/proclab/proclab/lab/results"
	"math"
)

// MethodStat summarises every recorded task of one method (at one parent
// size): what the comparison table shows.
type MethodStat struct {
	Method         results.Method
	ParentRSSBytes int64
	Startup        Summary // per task; N is 0 for methods without a startup (single)
	Total          Summary // per task
	Wall           Summary // per run
	StartupRatio   float64 // median startup over the fastest method's; 0 if n/a
	WallRatio      float64 // mean wall over the fastest method's
	Failed         int     // tasks with an error or a bad checksum
}

// MethodStats summarises res per (parent size, method), in the order the
// sizes and methods were asked for.
func MethodStats(res *results.Result) []MethodStat {
	var out []MethodStat
	for _, size := range res.Spec.ParentRSSBytes {
		first := len(out)
		for _, m := range res.Spec.Methods {
			keep := func(r *results.RunResult) bool { return r.Method == m && r.ParentRSSBytes == size }
			st := MethodStat{Method: m, ParentRSSBytes: size}
			st.Startup = Summarize(Figures(res.Runs, keep, func(t *results.Task) *int64 { return t.StartupNS }))
			st.Total = Summarize(Figures(res.Runs, keep, func(t *results.Task) *int64 { return &t.TotalNS }))
			var walls []float64
			for i := range res.Runs {
				if r := &res.Runs[i]; keep(r) {
					walls = append(walls, float64(r.WallNS))
					for _, t := range r.Tasks {
						if t.Failed() {
							st.Failed++
						}
					}
				}
			}
			st.Wall = Summarize(walls)
			if st.Wall.N > 0 {
				out = append(out, st)
			}
		}
		setRatios(out[first:])
	}
	return out
}

func setRatios(sts []MethodStat) {
	bestStartup, bestWall := math.Inf(1), math.Inf(1)
	for _, s := range sts {
		if s.Startup.N > 0 && s.Startup.Median > 0 {
			bestStartup = math.Min(bestStartup, s.Startup.Median)
		}
		if s.Wall.Mean > 0 {
			bestWall = math.Min(bestWall, s.Wall.Mean)
		}
	}
	for i := range sts {
		if sts[i].Startup.N > 0 && !math.IsInf(bestStartup, 1) {
			sts[i].StartupRatio = sts[i].Startup.Median / bestStartup
		}
		if !math.IsInf(bestWall, 1) {
			sts[i].WallRatio = sts[i].Wall.Mean / bestWall
		}
	}
}

// NoiseWarnings reads the spread of the measurements and says, in plain
// words, where the machine was noisy and what to do about it. Warnings
// are data: they go into the results too.
//
// With more tasks than CPUs, later tasks wait for a CPU that earlier ones
// hold: their startups spread by design, which is said once, not called
// noise. --warmup is suggested only to a run that had fewer than 2.
func NoiseWarnings(sts []MethodStat, warmup, nTasks, cpus int) []string {
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
	for _, s := range sts {
		where := string(s.Method)
		if s.ParentRSSBytes > 0 {
			where = fmt.Sprintf("%s (parent %d MiB)", s.Method, s.ParentRSSBytes>>20)
		}
		if !waits && s.Startup.N >= 10 && s.Startup.Outliers >= 3 && float64(s.Startup.Outliers) > 0.15*float64(s.Startup.N) {
			out = append(out, fmt.Sprintf("%s: %d of %d startup latencies are outliers (more than 3 MADs from the median); the machine was noisy: %s",
				where, s.Startup.Outliers, s.Startup.N, advice))
		}
		if s.Wall.N >= 8 && s.Wall.Mean > 0 && s.Wall.Stddev/s.Wall.Mean > 0.25 {
			out = append(out, fmt.Sprintf("%s: wall time varies by %.0f%% (σ/mean) between runs; %s",
				where, 100*s.Wall.Stddev/s.Wall.Mean, wallAdvice))
		}
	}
	return out
}
