package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// The sentences under each figure of report.md: what it shows on this
// machine, in plain words, computed from the results (medians only: on a
// noisy machine they are the figures that hold still).

type methodMedian struct {
	m        results.Method
	median   float64 // ns
	p10, p90 float64
}

// startupMedians are the startup medians per method at the smallest
// parent size, in the order the methods were asked for.
func startupMedians(res *results.Result) []methodMedian {
	size := smallestParent(res)
	var out []methodMedian
	for _, m := range res.Spec.Methods {
		keep := func(r *results.RunResult) bool { return r.Method == m && r.ParentRSSBytes == size }
		s := stats.Summarize(stats.Figures(res.Runs, keep, func(t *results.Task) *int64 { return t.StartupNS }))
		if s.N > 0 {
			out = append(out, methodMedian{m, s.Median, s.P10, s.P90})
		}
	}
	return out
}

func startupSentences(res *results.Result) []string {
	meds := startupMedians(res)
	var procs []methodMedian
	var thread *methodMedian
	for i := range meds {
		if meds[i].m.CreatesProcess() {
			procs = append(procs, meds[i])
		} else if meds[i].m == results.Thread {
			thread = &meds[i]
		}
	}
	slices.SortStableFunc(procs, func(a, b methodMedian) int { return cmpFloat(a.median, b.median) })
	var out []string
	if len(procs) > 0 {
		best := procs[0]
		out = append(out, fmt.Sprintf("Of the methods that start a process, **%s** starts fastest on this machine: "+
			"a median %s from the create call to the first instruction of the task (p10 %s, p90 %s).",
			best.m, dur(best.median), dur(best.p10), dur(best.p90)))
		if len(procs) > 1 {
			var others []string
			for _, p := range procs[1:] {
				others = append(others, fmt.Sprintf("%s %.1f× as long (%s)", p.m, p.median/best.median, dur(p.median)))
			}
			out = append(out, "The others take: "+strings.Join(others, ", ")+".")
		}
		if thread != nil && thread.median > 0 {
			if r := best.median / thread.median; r >= 1.5 {
				out = append(out, fmt.Sprintf("A goroutine (thread) is running its task after %s, %s sooner than %s: "+
					"no process is created, only a thread for the cgo call.", dur(thread.median), times(r), best.m))
			} else {
				out = append(out, fmt.Sprintf("A goroutine (thread) is running its task after %s, about as soon as %s: "+
					"here the wait for a free CPU, not the creation, dominates.", dur(thread.median), best.m))
			}
		}
	} else if thread != nil {
		out = append(out, fmt.Sprintf("A goroutine (thread) is running its task after a median %s.", dur(thread.median)))
	}
	if fs := res.Forkserver; fs != nil && fs.StartupNS > 0 {
		out = append(out, fmt.Sprintf("The forkserver's own start is paid once per invocation, before the first task, and is in no task's figure: "+
			"%s from posix_spawn to its READY here (%s resident, %d thread); a program that creates only a few processes pays it on top.",
			dur(float64(fs.StartupNS)), bytesIEC(float64(fs.RSSBytes)), fs.Threads))
	}
	return append(out, execSplitSentences(res)...)
}

func speedupSentences(res *results.Result) []string {
	cells := res.Cells
	if len(cells) == 0 {
		return nil
	}
	m := cells[0].Method
	var out []string
	// Where processes pay off, grouped by the n_iters they pay off from.
	from := map[uint64][]int{}
	var never []int
	var order []uint64
	for _, x := range res.Crossover {
		if x.NIters == nil {
			never = append(never, x.NTasks)
			continue
		}
		if from[*x.NIters] == nil {
			order = append(order, *x.NIters)
		}
		from[*x.NIters] = append(from[*x.NIters], x.NTasks)
	}
	for _, ni := range order {
		out = append(out, fmt.Sprintf("With %s tasks, %s processes start to pay off at **n_iters = %s** (%s per task in one process): "+
			"from there on they beat one process.", andList(from[ni]), m, itersText(ni), dur(perTaskSingle(cells, ni))))
	}
	if len(never) > 0 {
		out = append(out, fmt.Sprintf("With %s %s, processes never beat one process within this grid: "+
			"the work is no larger, and starting processes costs extra.", andList(never), pluralWord(never, "task")))
	}
	if line := estimateSentence(res, m); line != "" {
		out = append(out, line)
	}
	// The largest tasks: how close to the ideal, and threads beside.
	big := cells[0]
	for _, c := range cells {
		if c.NIters > big.NIters || c.NIters == big.NIters && c.NTasks > big.NTasks {
			big = c
		}
	}
	if big.NTasks > 1 {
		out = append(out, fmt.Sprintf("For the largest tasks (n_iters = %s), %d processes finish %.2f× faster than one process: "+
			"%.0f%% of the %d× that min(n_tasks, CPUs) allows; %d threads reach %.2f×.",
			itersText(big.NIters), big.NTasks, big.Speedup, 100*big.Efficiency, big.Parallelism, big.NTasks, big.ThreadUp))
	}
	// The smallest tasks: the cost of starting dominates.
	small := cells[0]
	for _, c := range cells {
		if c.NIters < small.NIters || c.NIters == small.NIters && c.NTasks > small.NTasks {
			small = c
		}
	}
	if small.Speedup > 0 && small.Speedup < 1 {
		out = append(out, fmt.Sprintf("For the smallest tasks (n_iters = %s), starting is everything: %d tasks take %s in one process, "+
			"%s in %d processes and %s in %d threads.",
			itersText(small.NIters), small.NTasks, dur(float64(small.SingleNS)), dur(float64(small.MultiNS)), small.NTasks,
			dur(float64(small.ThreadNS)), small.NTasks))
	}
	return out
}

// estimateSentence says where, between the grid points, the speedups of
// processes and of threads cross 1, per n_tasks.
func estimateSentence(res *results.Result, m results.Method) string {
	list := func(est func(results.Crossover) *float64) string {
		var parts []string
		for _, x := range res.Crossover {
			if e := est(x); e != nil {
				parts = append(parts, fmt.Sprintf("≈ %s with %s", estText(*e), plural(x.NTasks, "task")))
			}
		}
		if len(parts) == 0 {
			return "never within the grid"
		}
		return "at n_iters " + andStrings(parts)
	}
	procs := list(func(x results.Crossover) *float64 { return x.NItersEstimate })
	threads := list(func(x results.Crossover) *float64 { return x.ThreadNItersEstimate })
	return fmt.Sprintf("Interpolated between grid points (on log n_iters), the speedup of %s processes over one process crosses 1× %s; "+
		"that of threads %s.", m, procs, threads)
}

// perTaskSingle is the single time per task at n_iters ni (from the cell
// with the most tasks, the steadiest figure).
func perTaskSingle(cells []results.Cell, ni uint64) float64 {
	var best results.Cell
	for _, c := range cells {
		if c.NIters == ni && c.NTasks >= best.NTasks {
			best = c
		}
	}
	if best.NTasks == 0 {
		return 0
	}
	return float64(best.SingleNS) / float64(best.NTasks)
}

func parentSentences(res *results.Result) []string {
	var sizes []int64
	for _, s := range res.Spec.ParentRSSBytes {
		if s > 0 {
			sizes = append(sizes, s)
		}
	}
	if len(sizes) < 2 {
		return nil
	}
	slices.Sort(sizes)
	lo, hi := sizes[0], sizes[len(sizes)-1]
	median := func(m results.Method, size int64) float64 {
		keep := func(r *results.RunResult) bool { return r.Method == m && r.ParentRSSBytes == size }
		return stats.Summarize(stats.Figures(res.Runs, keep, func(t *results.Task) *int64 { return t.StartupNS })).Median
	}
	// Growth is judged on the two smallest against the two largest sizes,
	// so that one noisy point does not decide it.
	ends := func(m results.Method) (float64, float64) {
		if len(sizes) < 4 {
			return median(m, lo), median(m, hi)
		}
		a := (median(m, sizes[0]) + median(m, sizes[1])) / 2
		b := (median(m, sizes[len(sizes)-2]) + median(m, sizes[len(sizes)-1])) / 2
		return a, b
	}
	var out, flat []string
	var grows, stays []results.Method
	slope := map[results.Method]float64{}
	for _, m := range res.Spec.Methods {
		a, b := median(m, lo), median(m, hi)
		if a <= 0 || b <= 0 {
			continue
		}
		// Growing means both: clearly more at the large end (1.5×) and by
		// a slope that is the parent's doing (2 ms per GiB: copying the
		// page tables of a GiB takes ~20 ms here, a flat method ~0), so a
		// slow lab (a race-instrumented test binary) does not hide it.
		gib := float64(hi-lo) / (1 << 30)
		if ea, eb := ends(m); eb/ea >= 1.5 && (eb-ea)/gib >= 2e6 {
			perGiB := (b - a) / gib
			out = append(out, fmt.Sprintf("**%s grows with the parent**: a median %s at %s, %s at %s, about %s more per GiB "+
				"(the kernel copies the page tables that map the parent's memory).",
				m, dur(a), sizeText(lo), dur(b), sizeText(hi), dur(perGiB)))
			grows = append(grows, m)
			slope[m] = perGiB
			continue
		}
		flat = append(flat, fmt.Sprintf("%s (%s at %s, %s at %s)", m, dur(a), sizeText(lo), dur(b), sizeText(hi)))
		stays = append(stays, m)
	}
	if f, fe := slope[results.Fork], slope[results.ForkExec]; f > 0 && fe > 0 {
		out = append(out, fmt.Sprintf("fork-exec grows %.1f× as fast as fork (%s against %s per GiB): its child first copies the parent's page tables, "+
			"as fork does, and then execve tears that copy down again, unmapping all of it before the new image can start; "+
			"the parent's size is paid for twice.", fe/f, dur(fe), dur(f)))
	}
	if len(flat) > 0 {
		out = append(out, fmt.Sprintf("Startup grows far less for %s: %s not copy the lab's page tables.", andStrings(flat), theyIt(len(flat))))
	}
	if len(grows) > 0 && len(stays) > 0 {
		best, worst := stays[0], grows[0]
		for _, m := range stays {
			if median(m, hi) < median(best, hi) {
				best = m
			}
		}
		for _, m := range grows {
			if median(m, hi) < median(worst, hi) {
				worst = m
			}
		}
		out = append(out, fmt.Sprintf("With %s in the parent, %s starts %.0f× sooner than %s.",
			sizeText(hi), best, median(worst, hi)/median(best, hi), worst))
	}
	return out
}

func andStrings(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func theyIt(n int) string {
	if n == 1 {
		return "it does"
	}
	return "they do"
}

// rssSentences give each process method's memory per child in words:
// the medians of the figures every process task has (its own peak, and
// RSS, PSS and USS at task end). Results without them (written before the
// lab read them) fall back to the live sampler's peaks.
func rssSentences(res *results.Result) []string {
	size := smallestParent(res)
	var parts []string
	for _, c := range memColumns(res, size) {
		var figs []string
		for k, vs := range c.values {
			if len(vs) > 0 {
				figs = append(figs, fmt.Sprintf("%s %s", memShort[k], bytesIEC(stats.Summarize(vs).Median*(1<<20))))
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", c.m, strings.Join(figs, ", "), plural(c.tasks, "task")))
	}
	if len(parts) > 0 {
		return []string{
			"Median per child, read at task end for every child: " + strings.Join(parts, "; ") + ".",
			"RSS counts every page a child maps, including those it still shares with the lab after fork (copy-on-write); " +
				"PSS divides shared pages among their sharers, so it is the fair share of memory a child costs; " +
				"USS counts only the pages no other process maps, what ending the child gives back. " +
				"The peak is the child's own high-water mark, never the lab's.",
		}
	}
	return sampledPeakSentences(res, size)
}

// memShort names the memMeasures in a sentence.
var memShort = []string{"peak", "RSS", "PSS", "USS"}

// sampledPeakSentences are the medians of the live sampler's peaks.
func sampledPeakSentences(res *results.Result, size int64) []string {
	var parts []string
	for _, m := range res.Spec.Methods {
		var rss, pss []float64
		for _, r := range res.Runs {
			if r.Method != m || r.ParentRSSBytes != size {
				continue
			}
			for _, t := range r.Tasks {
				if t.PeakRSSBytes != nil {
					rss = append(rss, float64(*t.PeakRSSBytes))
				}
				if t.PeakPSSBytes != nil && *t.PeakPSSBytes > 0 {
					pss = append(pss, float64(*t.PeakPSSBytes))
				}
			}
		}
		if len(rss) == 0 {
			continue
		}
		s := fmt.Sprintf("%s %s RSS", m, bytesIEC(stats.Summarize(rss).Median))
		if len(pss) > 0 {
			s += fmt.Sprintf(" / %s PSS", bytesIEC(stats.Summarize(pss).Median))
		}
		parts = append(parts, fmt.Sprintf("%s (%d sampled)", s, len(rss)))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{
		"Median peak per sampled child (live samples only; these results carry no end-of-task figures): " + strings.Join(parts, "; ") + ".",
		"RSS counts every page a child maps, including those it still shares with the lab after fork (copy-on-write); " +
			"PSS divides shared pages among their sharers, so it is the fair share of memory a child costs.",
	}
}

func andList(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return andStrings(s)
}

func pluralWord(xs []int, word string) string {
	if len(xs) == 1 && xs[0] == 1 {
		return word
	}
	return word + "s"
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

// times writes a ratio: 1.8×, 12×.
func times(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.0f×", r)
}
