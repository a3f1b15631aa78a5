package report

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// Compare writes the grid of `proclab compare`: per cell the median wall
// time of single, processes and threads, the speedup of processes over
// single and their parallel efficiency; then the crossover per n_tasks.
func Compare(w io.Writer, res *results.Result) error {
	if len(res.Cells) == 0 {
		_, err := fmt.Fprintln(w, "no complete cell: nothing to compare")
		return err
	}
	m := res.Cells[0].Method
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "n_tasks\tn_iters\tsingle\t%s\tthread\tspeedup\tefficiency\tthread speedup\t\n", m)
	for _, c := range res.Cells {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%.2f×\t%.0f%%\t%.2f×\t\n",
			c.NTasks, c.NIters, dur(float64(c.SingleNS)), dur(float64(c.MultiNS)), dur(float64(c.ThreadNS)),
			c.Speedup, 100*c.Efficiency, c.ThreadUp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nTimes are the median wall time per run of n_tasks tasks over %d round(s); speedup is single over %s;\n", res.Cells[0].Rounds, m)
	fmt.Fprintf(w, "efficiency is the speedup over min(n_tasks, CPUs), the most it could be.\n\n")
	fmt.Fprintf(w, "Crossover: the smallest n_iters of the grid from which on processes (%s) beat one process by more than 5%% (less is a tie),\n", m)
	fmt.Fprintf(w, "and where the speedups of processes and of threads cross 1×, interpolated between grid points\n")
	for _, line := range crossoverLines(res) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	for _, p := range problems(res) {
		fmt.Fprintln(w, p)
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
		out = append(out, line)
	}
	return out
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
