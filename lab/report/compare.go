package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/proclab/proclab/lab"
)

// Compare writes the grid of `proclab compare`: per cell the median wall
// time of single, processes and threads, the speedup of processes over
// single and their parallel efficiency; then the crossover per n_tasks.
func Compare(w io.Writer, res *lab.Result) error {
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
	fmt.Fprintf(w, "Crossover: the smallest n_iters from which on processes (%s) beat one process\n", m)
	for _, line := range crossoverLines(res) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	for _, p := range problems(res) {
		fmt.Fprintln(w, p)
	}
	textWarnings(w, res.Warnings)
	return nil
}

// crossoverLines says, per n_tasks, from which n_iters processes pay off.
func crossoverLines(res *lab.Result) []string {
	var out []string
	for _, x := range res.Crossover {
		tasks := plural(x.NTasks, "task")
		if x.NIters == nil {
			best := bestSpeedup(res.Cells, x.NTasks)
			out = append(out, fmt.Sprintf("%s: never within the grid (best speedup %.2f×)", tasks, best))
			continue
		}
		out = append(out, fmt.Sprintf("%s: from n_iters = %d on (speedup %.2f× there)", tasks, *x.NIters, *x.Speedup))
	}
	return out
}

func bestSpeedup(cells []lab.Cell, nTasks int) float64 {
	best := 0.0
	for _, c := range cells {
		if c.NTasks == nTasks {
			best = max(best, c.Speedup)
		}
	}
	return best
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
