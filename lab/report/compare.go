package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// Compare writes the grid of `proclab compare` with no width limit.
func Compare(w io.Writer, res *results.Result) error { return CompareText(w, res, TermOptions{}) }

// CompareText writes the grid of `proclab compare` fitted to opt's width:
// per cell the median wall time of single, processes and threads (each
// column in one unit), the speedup of processes over single and their
// parallel efficiency; then the crossover per n_tasks, and where the grid
// does not show it, where this machine's figures put it.
func CompareText(w io.Writer, res *results.Result, opt TermOptions) error {
	if len(res.Cells) == 0 {
		_, err := fmt.Fprintln(w, "no complete cell: nothing to compare")
		return err
	}
	m := res.Cells[0].Method
	tt := &termTable{}
	nt := tt.col("n-tasks", "n_tasks", kindCount, 0)
	ni := tt.col("n-iters", "n_iters", kindCount, 0)
	single := tt.col("single", "single", kindDur, 0)
	multi := tt.col("multi", string(m), kindDur, 0)
	thread := tt.col("thread", "thread", kindDur, 1)
	speedup := tt.col("speedup", "speedup", kindRatio, 0)
	eff := tt.col("efficiency", "efficiency", kindText, 2)
	eff.left = false
	threadUp := tt.col("thread-speedup", "thread speedup", kindRatio, 1)
	var mark *tcol
	if slices.ContainsFunc(res.Cells, func(c results.Cell) bool { return c.Suspect != "" }) {
		mark = tt.col("suspect", "!", kindText, 0)
	}
	for _, c := range res.Cells {
		if mark != nil {
			mark.addText(map[bool]string{true: "!", false: ""}[c.Suspect != ""])
		}
		nt.add(float64(c.NTasks))
		ni.add(float64(c.NIters))
		single.add(float64(c.SingleNS))
		multi.add(float64(c.MultiNS))
		thread.add(float64(c.ThreadNS))
		speedup.add(c.Speedup)
		eff.addText(fmt.Sprintf("%.0f%%", 100*c.Efficiency))
		threadUp.add(c.ThreadUp)
	}
	if _, err := tt.write(w, opt); err != nil {
		return err
	}
	say := func(s string) { fmt.Fprintln(w, wrap(s, opt.Width)) }
	fmt.Fprintln(w)
	say(fmt.Sprintf("Times are the median wall time per run of n_tasks tasks over %d round(s); speedup is single over %s; "+
		"efficiency is the speedup over min(n_tasks, CPUs), the most it could be.", res.Cells[0].Rounds, m))
	fmt.Fprintln(w)
	say(fmt.Sprintf("Crossover: the smallest n_iters of the grid from which on processes (%s) beat one process by more than 5%% (less is a tie), "+
		"and where the speedups of processes and of threads cross 1×, interpolated between grid points:", m))
	for _, line := range crossoverLines(res) {
		fmt.Fprintln(w, indent(wrap(line, max(opt.Width-4, 0)), "  ", "    "))
	}
	var suspects []string
	for _, c := range res.Cells {
		if c.Suspect != "" {
			suspects = append(suspects, fmt.Sprintf("n_tasks=%d n_iters=%s: %s", c.NTasks, itersText(c.NIters), c.Suspect))
		}
	}
	if len(suspects) > 0 {
		fmt.Fprintln(w)
		say(fmt.Sprintf("Not to be trusted (marked ! above): %s; a busy machine or an impossible figure. Rerun on a quieter machine.", plural(len(suspects), "cell")))
		for _, l := range suspects {
			fmt.Fprintln(w, indent(wrap(l, max(opt.Width-4, 0)), "  ", "    "))
		}
	}
	for _, p := range problems(res) {
		say(p)
	}
	return nil
}

// crossoverLines say, per n_tasks, from which n_iters processes pay off
// on the grid, where the speedups of processes and of threads cross 1,
// interpolated between grid points, and where they tie.
func crossoverLines(res *results.Result) []string {
	var out []string
	for _, x := range res.Crossover {
		tasks := plural(x.NTasks, "task")
		var line string
		if x.NIters == nil {
			line = fmt.Sprintf("%s: never by more than 5%% within the grid (best speedup %.2f×); %s", tasks, stats.BestSpeedup(res.Cells, x.NTasks),
				estimateText("processes", x.NItersEstimate, res.Spec.NItersGrid))
		} else {
			line = fmt.Sprintf("%s: from n_iters = %s on (speedup %.2f× there); %s", tasks, itersText(*x.NIters), *x.Speedup,
				estimateText("processes", x.NItersEstimate, res.Spec.NItersGrid))
		}
		line += "; " + estimateText("threads", x.ThreadNItersEstimate, res.Spec.NItersGrid)
		if len(x.Ties) > 0 {
			line += "; a tie (within 5%) at n_iters " + itersList(x.Ties)
		}
		if x.NItersEstimate == nil {
			line += ". " + modelText(x)
		}
		out = append(out, line)
	}
	return out
}

// modelText says, for an n_tasks whose processes do not pay off within
// the grid, where the grid's own figures put the crossing (the model of
// results.Crossover) and which n_iters to try, or why they cannot pay off.
func modelText(x results.Crossover) string {
	switch {
	case x.NTasks == 1:
		return "One task cannot be split: its own process only adds the cost of starting it"
	case x.NItersModel == nil && x.PerIterNS != nil && x.StartNS != nil && *x.StartNS <= 0:
		return "The processes' start cost is lost in the noise here: a larger grid will tell"
	case x.NItersModel == nil:
		return "With one CPU the tasks cannot run at once: processes cannot pay off"
	}
	lo := math.Pow(10, math.Floor(math.Log10(*x.NItersModel)))
	s := fmt.Sprintf("From this grid's figures (%s per iteration and task, %s to start and wait for the processes), "+
		"processes would pay off from n_iters ≈ %s", dur(*x.PerIterNS), dur(*x.StartNS), estText(*x.NItersModel))
	if x.ThreadNItersModel != nil {
		s += fmt.Sprintf(", threads (%s to start) from ≈ %s", dur(*x.ThreadStartNS), estText(*x.ThreadNItersModel))
	}
	return s + fmt.Sprintf(": try --n_iters %s,%s", expText(lo), expText(10*lo))
}

// expText writes a power of ten as 1e6 (a number the command line reads).
func expText(v float64) string {
	if v < 1e4 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return fmt.Sprintf("1e%d", int(math.Round(math.Log10(v))))
}

// estimateText says where the speedup of who crosses 1 (an estimate of
// results.Crossover).
func estimateText(who string, est *float64, grid []uint64) string {
	switch {
	case est == nil:
		return who + " do not beat one process for good within the grid"
	case len(grid) > 0 && *est <= float64(grid[0]):
		return fmt.Sprintf("%s win already at the smallest n_iters (%s)", who, estText(*est))
	}
	return fmt.Sprintf("%s cross 1× at n_iters ≈ %s (interpolated on log n_iters)", who, estText(*est))
}

// estText writes an estimated iteration count with two significant
// digits: 1.8M, 150k, 850.
func estText(n float64) string {
	r := func(v float64) string {
		if v >= 10 {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	switch {
	case n >= 1e9:
		return r(n/1e9) + "G"
	case n >= 1e6:
		return r(n/1e6) + "M"
	case n >= 1e4:
		return r(n/1e3) + "k"
	}
	return strconv.FormatFloat(n, 'f', 0, 64)
}

func itersList(ns []uint64) string {
	var s []string
	for _, n := range ns {
		s = append(s, itersText(n))
	}
	return andStrings(s)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
