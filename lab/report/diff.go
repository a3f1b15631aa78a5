package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// DiffJSON writes r as JSON.
func DiffJSON(w io.Writer, r stats.DiffResult) error { return results.Encode(w, r) }

// DiffText writes r as benchstat does: a table per metric, the medians of
// every input with their ±CI, and each input's change against the first
// with its p-value; "~" where the difference is not significant. It says
// which part of each input was matched, and that the unit is the run.
func DiffText(w io.Writer, r stats.DiffResult) error {
	for i, in := range r.Inputs {
		fmt.Fprintf(w, "%c: %s", 'A'+rune(i%26), in.Name)
		var about []string
		for _, s := range []string{in.CPUModel, in.Kernel, in.Version} {
			if s != "" {
				about = append(about, s)
			}
		}
		if len(about) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(about, ", "))
		}
		if in.NumFailed > 0 {
			fmt.Fprintf(w, "; %d of %d tasks left out (failed, timed out or interrupted)", in.NumFailed, in.NumTasks)
		}
		if in.Incomplete {
			fmt.Fprintf(w, "; interrupted: incomplete")
		}
		fmt.Fprintln(w)
		for _, p := range in.Parts {
			name := p.Name + "/"
			if p.Name == "." {
				name = "its results"
			}
			matched := "not matched"
			if p.Rows > 0 {
				matched = "matched in " + plural(p.Rows, "row")
			}
			fmt.Fprintf(w, "   %s (%s): %s\n", name, p.Experiment, matched)
		}
	}
	if len(r.Rows) == 0 {
		fmt.Fprintln(w, "\nno figure of A is in the other inputs: nothing to compare (the same experiment, methods, parent sizes, n_tasks and n_iters are needed)")
		return nil
	}
	fmt.Fprintf(w, "\nEach value is one run (a run's startup and total: the median of its tasks), as benchstat takes a benchmark run; n counts runs.\n")
	var experiments []string
	for _, row := range r.Rows {
		if !slices.Contains(experiments, row.Experiment) {
			experiments = append(experiments, row.Experiment)
		}
	}
	for _, exp := range experiments {
		if len(experiments) > 1 {
			fmt.Fprintf(w, "\n== %s\n", exp)
		}
		if err := diffTables(w, r, exp); err != nil {
			return err
		}
	}
	var warned []string
	for _, row := range r.Rows {
		for _, c := range row.Changes {
			if c == nil {
				continue
			}
			for _, warn := range c.Warnings {
				if !slices.Contains(warned, warn) {
					warned = append(warned, warn)
				}
			}
		}
	}
	for _, warn := range warned {
		fmt.Fprintf(w, "note: %s (raise --repeat in the runs compared)\n", warn)
	}
	return nil
}

// diffTables writes the tables of one experiment, a table per metric.
func diffTables(w io.Writer, r stats.DiffResult, exp string) error {
	for _, metric := range stats.DiffMetrics {
		var rows []stats.DiffRow
		for _, row := range r.Rows {
			if row.Metric == metric && row.Experiment == exp {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (median ± 95%% CI; change against A, p-value of a Mann-Whitney U test over the runs, ~ when p ≥ %.2f)\n", metric, r.Alpha)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "method\tparent\tn_tasks\tn_iters\t"
		for i := range r.Inputs {
			head += fmt.Sprintf("%c\t", 'A'+rune(i%26))
			if i > 0 {
				head += "vs A\t"
			}
		}
		fmt.Fprintln(tw, head)
		for _, row := range rows {
			line := fmt.Sprintf("%s\t%s\t%d\t%s\t", row.Method, sizeText(row.ParentRSSBytes), row.NTasks, itersText(row.NIters))
			for i := range r.Inputs {
				cell := "-"
				if m := row.MedianNS[i]; m != nil {
					cell = dur(*m)
					if ci := row.CIPct[i]; ci != nil {
						cell += fmt.Sprintf(" ±%.0f%%", *ci)
					}
				}
				line += cell + "\t"
				if i > 0 {
					line += changeText(row.Changes[i-1], row.N[0], row.N[i]) + "\t"
				}
			}
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func changeText(c *stats.DiffChange, n1, n2 int) string {
	if c == nil {
		return "-"
	}
	if !c.Significant {
		return fmt.Sprintf("~ (p=%.3f n=%d+%d)", c.P, n1, n2)
	}
	return fmt.Sprintf("%+.2f%% (p=%.3f n=%d+%d)", c.ChangePct, c.P, n1, n2)
}
