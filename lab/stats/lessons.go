package stats

import (
	"slices"

	"github.com/proclab/proclab/lab/results"
)

// The figures report.md's sentences quote, beyond the rows and cells: each
// sentence states only what one of these shows.

// Ranked is a row beside the fastest of the rows it is ranked with.
type Ranked struct {
	Row
	Ratio float64 // its median startup over the fastest's (1 for the fastest)
}

// StartupRanking orders the process methods of one table by median
// startup, and sets Go's threads beside the fastest.
type StartupRanking struct {
	Procs      []Ranked // fastest first
	Thread     *Row     // the thread row, if it ran and has a startup
	ThreadGain float64  // the fastest process method's median startup over the thread's; 0 if either is missing
}

// RankStartups ranks rows (the rows of one table: one parent size).
func RankStartups(rows []Row) StartupRanking {
	var out StartupRanking
	for _, r := range rows {
		switch {
		case r.Startup.N == 0:
		case r.Method.CreatesProcess():
			out.Procs = append(out.Procs, Ranked{Row: r})
		case r.Method == results.Thread:
			t := r
			out.Thread = &t
		}
	}
	slices.SortStableFunc(out.Procs, func(a, b Ranked) int { return cmpFloat(a.Startup.Median, b.Startup.Median) })
	for i := range out.Procs {
		out.Procs[i].Ratio = Ratio(out.Procs[i].Startup.Median, out.Procs[0].Startup.Median)
	}
	if len(out.Procs) > 0 && out.Thread != nil {
		out.ThreadGain = Ratio(out.Procs[0].Startup.Median, out.Thread.Startup.Median)
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Growth is how one method's startup grows with the parent's memory over a
// sweep of parent sizes.
type Growth struct {
	Method   results.Method
	Lo, Hi   int64   // the smallest and largest positive parent size
	AtLo     float64 // median startup at Lo
	AtHi     float64 // median startup at Hi
	PerGiB   float64 // (AtHi − AtLo) per GiB from Lo to Hi
	EndsLo   float64 // the ends Grows is judged on: the two smallest and the two largest sizes' medians averaged (the medians at Lo and Hi when fewer than four sizes)
	EndsHi   float64
	Grows    bool // clearly grows with the parent: EndsHi ≥ 1.5 EndsLo and at least GrowsPerGiB between them
	Measured bool // both ends have a median
}

// GrowsPerGiB is the slope from which on a method's startup is the
// parent's doing: copying the page tables of a GiB takes ~20 ms on this
// kind of machine, a flat method ~0, and a slow lab (a race-instrumented
// test binary) does not reach it by its slowness alone.
const GrowsPerGiB = 2e6

// ParentGrowth is the growth of every method of a parent sweep (rows at
// two or more positive parent sizes), in the order the methods ran; nil
// when res is not a sweep.
func ParentGrowth(res *results.Result, rows []Row) []Growth {
	var sizes []int64
	for _, s := range res.Spec.ParentRSSBytes {
		if s > 0 && !slices.Contains(sizes, s) {
			sizes = append(sizes, s)
		}
	}
	if len(sizes) < 2 {
		return nil
	}
	slices.Sort(sizes)
	lo, hi := sizes[0], sizes[len(sizes)-1]
	var methods []results.Method
	for _, r := range rows {
		if !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	median := func(m results.Method, size int64) float64 {
		for _, r := range rows {
			if r.Method == m && r.ParentRSSBytes == size && r.Startup.N > 0 {
				return r.Startup.Median
			}
		}
		return 0
	}
	gib := float64(hi-lo) / (1 << 30)
	var out []Growth
	for _, m := range methods {
		g := Growth{Method: m, Lo: lo, Hi: hi, AtLo: median(m, lo), AtHi: median(m, hi)}
		g.Measured = g.AtLo > 0 && g.AtHi > 0
		if !g.Measured {
			out = append(out, g)
			continue
		}
		g.PerGiB = (g.AtHi - g.AtLo) / gib
		g.EndsLo, g.EndsHi = g.AtLo, g.AtHi
		if len(sizes) >= 4 {
			a0, a1 := median(m, sizes[0]), median(m, sizes[1])
			b0, b1 := median(m, sizes[len(sizes)-2]), median(m, sizes[len(sizes)-1])
			if a0 > 0 && a1 > 0 && b0 > 0 && b1 > 0 {
				g.EndsLo, g.EndsHi = (a0+a1)/2, (b0+b1)/2
			}
		}
		g.Grows = g.EndsHi >= 1.5*g.EndsLo && (g.EndsHi-g.EndsLo)/gib >= GrowsPerGiB
		out = append(out, g)
	}
	return out
}

// GrowthOf is m's growth, if gs has it.
func GrowthOf(gs []Growth, m results.Method) (Growth, bool) {
	for _, g := range gs {
		if g.Method == m {
			return g, true
		}
	}
	return Growth{}, false
}

// SoonerAtLargest compares, at the largest parent, the fastest method that
// stays flat with the fastest one that grows: how many times sooner the
// first starts. ok is false unless both kinds ran.
func SoonerAtLargest(gs []Growth) (flat, grows Growth, ratio float64, ok bool) {
	for _, g := range gs {
		if !g.Measured {
			continue
		}
		if g.Grows {
			if grows.Method == "" || g.AtHi < grows.AtHi {
				grows = g
			}
		} else if flat.Method == "" || g.AtHi < flat.AtHi {
			flat = g
		}
	}
	if flat.Method == "" || grows.Method == "" {
		return flat, grows, 0, false
	}
	return flat, grows, Ratio(grows.AtHi, flat.AtHi), true
}

// PerIter is the median, over the tasks that count, of the loop's time per
// iteration (run_ns / n_iters): of the Python rows, or of the others (the C
// loop).
func PerIter(res *results.Result, python bool) float64 {
	var xs []float64
	for i := range res.Runs {
		r := &res.Runs[i]
		if !Recorded(r) || r.Method.IsPython() != python || r.NIters == 0 {
			continue
		}
		for j := range r.Tasks {
			t := &r.Tasks[j]
			if Counts(t) && t.RunNS > 0 {
				xs = append(xs, float64(t.RunNS)/float64(r.NIters))
			}
		}
	}
	return Median(xs)
}

// PhaseCPUPerTask is a start-profile phase's sampled CPU per task of its
// method and parent size (all of them when Tasks is 0).
func PhaseCPUPerTask(ph results.PhaseSummary) float64 {
	return float64(ph.CPUNS) / float64(max(ph.Tasks, 1))
}
