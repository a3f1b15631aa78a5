package report

import (
	"fmt"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// The sentences under each figure of report.md: what it shows on this
// machine, in plain words. Every figure a sentence quotes is one that
// package stats computed (a row's median, a cell, a crossover, a growth),
// and a sentence states only what its own figures show.

// startupSentences rank the process methods by median startup at the
// smallest parent size, and set threads beside them.
func startupSentences(res *results.Result) []string {
	rows := stats.AtParent(stats.Rows(res), stats.SmallestParent(res))
	rk := stats.RankStartups(rows)
	var out []string
	if len(rk.Procs) > 0 {
		best := rk.Procs[0]
		out = append(out, fmt.Sprintf("Of the methods that start a process, **%s** starts fastest on this machine: "+
			"a median %s from the create call to the first instruction of the task (p10 %s, p90 %s; %s).",
			best.Method, dur(best.Startup.Median), dur(best.Startup.P10), dur(best.Startup.P90), plural(best.Startup.N, "task")))
		if len(rk.Procs) > 1 {
			var others []string
			for _, p := range rk.Procs[1:] {
				if stats.Tie(p.Ratio) {
					others = append(others, fmt.Sprintf("%s about as long (%s, %.2f×)", p.Method, dur(p.Startup.Median), p.Ratio))
					continue
				}
				others = append(others, fmt.Sprintf("%s %s as long (%s)", p.Method, times(p.Ratio), dur(p.Startup.Median)))
			}
			out = append(out, "The others take: "+strings.Join(others, ", ")+".")
		}
		if th := rk.Thread; th != nil && rk.ThreadGain > 0 {
			switch g := rk.ThreadGain; {
			case stats.Tie(g):
				s := fmt.Sprintf("A goroutine (thread) is running its task after a median %s, about as soon as %s (%.2f×)", dur(th.Startup.Median), best.Method, g)
				if res.Host != nil && res.Host.CPUs > 0 && th.NTasks > res.Host.CPUs {
					s += fmt.Sprintf(": with %d tasks on %d CPUs, waiting for a free CPU, not the creation, is most of both", th.NTasks, res.Host.CPUs)
				}
				out = append(out, s+".")
			case g > 1:
				out = append(out, fmt.Sprintf("A goroutine (thread) is running its task after a median %s, %s sooner than %s: "+
					"no process is created, only a thread for the cgo call.", dur(th.Startup.Median), times(g), best.Method))
			default:
				out = append(out, fmt.Sprintf("A goroutine (thread) is running its task after a median %s, later than %s (%s as long).",
					dur(th.Startup.Median), best.Method, times(1/g)))
			}
		}
	} else if th := rk.Thread; th != nil {
		out = append(out, fmt.Sprintf("A goroutine (thread) is running its task after a median %s.", dur(th.Startup.Median)))
	}
	if fs := res.Forkserver; fs != nil && fs.StartupNS > 0 {
		out = append(out, fmt.Sprintf("The forkserver's own start is paid once per invocation, before the first task, and is in no task's figure: "+
			"%s from posix_spawn to its READY here (%s resident, %d thread); a program that creates only a few processes pays it on top.",
			dur(float64(fs.StartupNS)), bytesIEC(float64(fs.RSSBytes)), fs.Threads))
	}
	return append(out, execSplitSentences(rows)...)
}

// suspectNote marks a sentence drawn from a cell whose figures cannot be
// taken as the machine's (results.Cell.Suspect): the lesson is not stated
// as fact.
func suspectNote(c results.Cell) string {
	if c.Suspect == "" {
		return ""
	}
	return fmt.Sprintf(" **Not to be trusted:** n_tasks=%d, n_iters=%s was measured on a busy machine or is impossible (%s).", c.NTasks, itersText(c.NIters), c.Suspect)
}

// speedupWords says how a speedup reads: "1.80× faster than", "about as
// fast as (1.02×)", "take 1.25× as long as".
func speedupWords(s float64) string {
	switch {
	case stats.Tie(s):
		return fmt.Sprintf("finish about as fast as (%.2f×)", s)
	case s > 1:
		return fmt.Sprintf("finish %.2f× faster than", s)
	case s > 0:
		return fmt.Sprintf("take %.2f× as long as", 1/s)
	}
	return "have no speedup over"
}

// speedupSentences say, per n_tasks, where processes pay off, where the
// speedups cross 1, and what the largest and smallest tasks show; each
// quotes its own cell.
func speedupSentences(res *results.Result) []string {
	cells := res.Cells
	if len(cells) == 0 {
		return nil
	}
	m := cells[0].Method
	var out []string
	var never []int
	for _, x := range res.Crossover {
		if x.NIters == nil {
			never = append(never, x.NTasks)
			continue
		}
		c, ok := stats.CellAt(cells, x.NTasks, *x.NIters)
		if !ok {
			continue
		}
		out = append(out, fmt.Sprintf("With %s, %s processes start to pay off at **n_iters = %s** (speedup %.2f× there; one process takes %s per task): "+
			"from there on they beat one process by more than 5%%.", plural(x.NTasks, "task"), m, itersText(c.NIters), c.Speedup, dur(stats.PerTaskSingle(c)))+suspectNote(c))
	}
	if len(never) > 0 {
		var best []string
		for _, nt := range never {
			best = append(best, fmt.Sprintf("%.2f× with %s", stats.BestSpeedup(cells, nt), plural(nt, "task")))
		}
		out = append(out, fmt.Sprintf("With %s, processes never beat one process by more than 5%% within this grid (best speedup %s).",
			tasksList(never), andStrings(best)))
	}
	if line := estimateSentence(res, m); line != "" {
		out = append(out, line)
	}
	var ties []string
	for _, x := range res.Crossover {
		if len(x.Ties) > 0 {
			ties = append(ties, fmt.Sprintf("n_iters %s with %s", itersList(x.Ties), plural(x.NTasks, "task")))
		}
	}
	if len(ties) > 0 {
		out = append(out, fmt.Sprintf("Within 5%% of one process, a tie rather than a win or a loss: %s.", strings.Join(ties, "; ")))
	}
	if big := stats.LargestCell(cells); big.NTasks > 1 {
		out = append(out, fmt.Sprintf("For the largest tasks (n_iters = %s), %d processes %s one process: "+
			"%.0f%% of the %d× that min(n_tasks, CPUs) allows; %d threads reach %.2f×.",
			itersText(big.NIters), big.NTasks, speedupWords(big.Speedup), 100*big.Efficiency, big.Parallelism, big.NTasks, big.ThreadUp)+suspectNote(big))
	}
	if small := stats.SmallestCell(cells); small.Speedup > 0 && small.Speedup < 1/stats.PaysOff {
		out = append(out, fmt.Sprintf("For the smallest tasks (n_iters = %s), starting costs more than the work: %s take %s in one process, "+
			"%s in %d processes and %s in %d threads.",
			itersText(small.NIters), plural(small.NTasks, "task"), dur(float64(small.SingleNS)), dur(float64(small.MultiNS)), small.NTasks,
			dur(float64(small.ThreadNS)), small.NTasks)+suspectNote(small))
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
	out := fmt.Sprintf("Interpolated between grid points (on log n_iters), the speedup of %s processes over one process crosses 1× %s; "+
		"that of threads %s.", m, procs, threads)
	var beyond []string
	for _, x := range res.Crossover {
		if x.NItersEstimate == nil && x.NItersModel != nil {
			beyond = append(beyond, modelText(x)+" ("+plural(x.NTasks, "task")+")")
		}
	}
	if len(beyond) > 0 {
		out += " " + strings.Join(beyond, "; ") + "."
	}
	return out
}

// parentSentences say which methods grow with the parent's memory (the
// growth stats.ParentGrowth measured) and by how much.
func parentSentences(res *results.Result) []string {
	gs := stats.ParentGrowth(res, stats.Rows(res))
	if gs == nil {
		return nil
	}
	var out, flat []string
	for _, g := range gs {
		if !g.Measured {
			continue
		}
		if g.Grows {
			out = append(out, fmt.Sprintf("**%s grows with the parent**: a median %s at %s, %s at %s, about %s more per GiB "+
				"(the kernel copies the page tables that map the parent's memory).",
				g.Method, dur(g.AtLo), sizeText(g.Lo), dur(g.AtHi), sizeText(g.Hi), dur(g.PerGiB)))
			continue
		}
		flat = append(flat, fmt.Sprintf("%s (%s at %s, %s at %s)", g.Method, dur(g.AtLo), sizeText(g.Lo), dur(g.AtHi), sizeText(g.Hi)))
	}
	f, okf := stats.GrowthOf(gs, results.Fork)
	fe, okfe := stats.GrowthOf(gs, results.ForkExec)
	if okf && okfe && f.Grows && fe.Grows {
		switch r := stats.Ratio(fe.PerGiB, f.PerGiB); {
		case r >= 1.5:
			out = append(out, fmt.Sprintf("fork-exec grows %.1f× as fast as fork (%s against %s per GiB): its child first copies the parent's page tables, "+
				"as fork does, and then execve tears that copy down again, unmapping all of it before the new image can start: "+
				"the parent's size is paid for twice.", r, dur(fe.PerGiB), dur(f.PerGiB)))
		case r > 0:
			out = append(out, fmt.Sprintf("fork-exec grows %.1f× as fast as fork (%s against %s per GiB).", r, dur(fe.PerGiB), dur(f.PerGiB)))
		}
	}
	if len(flat) > 0 {
		out = append(out, fmt.Sprintf("Startup grows far less for %s: %s not copy the lab's page tables.", andStrings(flat), theyIt(len(flat))))
	}
	if flatG, growsG, r, ok := stats.SoonerAtLargest(gs); ok && r > 0 {
		out = append(out, fmt.Sprintf("With %s in the parent, %s starts %s sooner than %s (%s against %s).",
			sizeText(flatG.Hi), flatG.Method, times(r), growsG.Method, dur(flatG.AtHi), dur(growsG.AtHi)))
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

// memoryOfChildren is what the memory sentences say for the rows of one
// parent size: each process method's medians per child.
func memoryOfChildren(rows []stats.Row) (parts []string, anyEnd bool) {
	for _, r := range rows {
		mem := r.Memory
		var figs []string
		n := 0
		for _, f := range []struct {
			name string
			s    stats.Summary
		}{{"peak", mem.HWM}, {"RSS", mem.EndRSS}, {"PSS", mem.EndPSS}, {"USS", mem.EndUSS}} {
			if f.s.N > 0 {
				figs = append(figs, fmt.Sprintf("%s %s", f.name, bytesIEC(f.s.Median)))
				n = max(n, f.s.N)
			}
		}
		if len(figs) > 0 {
			anyEnd = true
			parts = append(parts, fmt.Sprintf("%s %s (%s)", r.Method, strings.Join(figs, ", "), plural(n, "task")))
		}
	}
	return parts, anyEnd
}

// rssSentences give each process method's memory per child in words: the
// medians of the figures every process task has (its process's peak, and
// RSS, PSS and USS at task end). Results without them (written before the
// lab read them) fall back to the live sampler's peaks.
func rssSentences(res *results.Result) []string {
	rows := stats.AtParent(stats.Rows(res), stats.SmallestParent(res))
	if parts, ok := memoryOfChildren(rows); ok {
		return []string{
			"Median per child, read at task end for every child: " + strings.Join(parts, "; ") + ".",
			"RSS counts every page a child maps, including those it still shares with the lab after fork (copy-on-write); " +
				"PSS divides shared pages among their sharers, so it is the fair share of memory a child costs; " +
				"USS counts only the pages no other process maps, what ending the child gives back. " +
				"The peak is the high-water mark of the child's process: an exec'd worker's is its own; " +
				"a fork child's starts at the lab's pages it maps, so it is mostly the lab's, and its USS is what it added.",
		}
	}
	var parts []string
	for _, r := range rows {
		if r.Memory.PeakRSS.N == 0 {
			continue
		}
		s := fmt.Sprintf("%s %s RSS", r.Method, bytesIEC(r.Memory.PeakRSS.Median))
		if r.Memory.PeakPSS.N > 0 {
			s += fmt.Sprintf(" / %s PSS", bytesIEC(r.Memory.PeakPSS.Median))
		}
		parts = append(parts, fmt.Sprintf("%s (%d sampled)", s, r.Memory.PeakRSS.N))
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

// tasksList writes n_tasks values as a phrase: "1 task", "2 and 3 tasks".
func tasksList(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	word := "tasks"
	if len(xs) == 1 && xs[0] == 1 {
		word = "task"
	}
	return andStrings(s) + " " + word
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
