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
func DiffText(w io.Writer, r stats.DiffResult, opt TermOptions) error {
	for i, in := range r.Inputs {
		var head strings.Builder
		fmt.Fprintf(&head, "%c: %s", 'A'+rune(i%26), in.Name)
		var about []string
		for _, s := range []string{in.CPUModel, in.Kernel, in.Version} {
			if s != "" {
				about = append(about, s)
			}
		}
		if len(about) > 0 {
			fmt.Fprintf(&head, " (%s)", strings.Join(about, ", "))
		}
		if in.NumFailed > 0 {
			fmt.Fprintf(&head, "; %d of %d tasks left out (failed, timed out or interrupted)", in.NumFailed, in.NumTasks)
		}
		if in.Incomplete {
			fmt.Fprintf(&head, "; interrupted: incomplete")
		}
		fmt.Fprintln(w, wrap(head.String(), opt.Width))
		for _, p := range in.Parts {
			name := p.Name + "/"
			if p.Name == "." {
				name = "its results"
			}
			matched := "not matched"
			if p.Rows > 0 {
				matched = "matched in " + plural(p.Rows, "row")
			}
			fmt.Fprintln(w, indent(wrap(fmt.Sprintf("%s (%s): %s", name, p.Experiment, matched), max(opt.Width-3, 0)), "   ", "   "))
		}
	}
	if len(r.Rows) == 0 {
		fmt.Fprintln(w, "\n"+wrap("no figure of A is in the other inputs: nothing to compare (the same experiment, methods, parent sizes, n_tasks and n_iters are needed)", opt.Width))
		return nil
	}
	fmt.Fprintln(w, "\n"+wrap("Each value is one run (a run's startup and total: the median of its tasks), as benchstat takes a benchmark run; n counts runs.", opt.Width))
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
		if err := diffTables(w, r, exp, opt); err != nil {
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
		fmt.Fprintln(w, wrap(fmt.Sprintf("note: %s (raise --repeat in the runs compared)", warn), opt.Width))
	}
	return nil
}

// diffTables writes the tables of one experiment, a table per metric,
// each ending with benchstat's geomean row. Columns whose value every row
// shares (parent, n_tasks, n_iters) are said once above the table.
func diffTables(w io.Writer, r stats.DiffResult, exp string, opt TermOptions) error {
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
		same := func(f func(stats.DiffRow) string) bool {
			for _, row := range rows {
				if f(row) != f(rows[0]) {
					return false
				}
			}
			return true
		}
		parent := func(row stats.DiffRow) string { return sizeText(row.ParentRSSBytes) }
		nt := func(row stats.DiffRow) string { return fmt.Sprint(row.NTasks) }
		ni := func(row stats.DiffRow) string { return itersText(row.NIters) }
		var shared []string
		var cols []func(stats.DiffRow) string
		head := "method\t"
		for _, c := range []struct {
			name string
			f    func(stats.DiffRow) string
		}{{"parent", parent}, {"n_tasks", nt}, {"n_iters", ni}} {
			if same(c.f) && !opt.Wide {
				shared = append(shared, c.name+" "+c.f(rows[0]))
				continue
			}
			cols = append(cols, c.f)
			head += c.name + "\t"
		}
		title := fmt.Sprintf("%s (median ± 95%% CI; change against A, p-value of a Mann-Whitney U test over the runs, ~ when p ≥ %.2f)", metric, r.Alpha)
		if len(shared) > 0 {
			title += "; " + strings.Join(shared, ", ")
		}
		fmt.Fprintln(w, "\n"+wrap(title, opt.Width))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for i := range r.Inputs {
			head += fmt.Sprintf("%c\t", 'A'+rune(i%26))
			if i > 0 {
				head += "vs A\t"
			}
		}
		fmt.Fprintln(tw, head)
		infinite := false
		for _, row := range rows {
			line := string(row.Method) + "\t"
			for _, c := range cols {
				line += c(row) + "\t"
			}
			for i := range r.Inputs {
				cell := "-"
				if m := row.MedianNS[i]; m != nil {
					cell = dur(*m)
					if ci := row.CIPct[i]; ci != nil {
						cell += fmt.Sprintf(" ±%.0f%%", *ci)
					} else {
						cell += " ±∞" // too few runs for the interval, as benchstat prints it
						infinite = true
					}
				}
				line += cell + "\t"
				if i > 0 {
					line += changeText(row.Changes[i-1], row.N[0], row.N[i]) + "\t"
				}
			}
			fmt.Fprintln(tw, line)
		}
		for _, g := range r.Geomeans {
			if g.Experiment != exp || g.Metric != metric {
				continue
			}
			line := "geomean\t" + strings.Repeat("\t", len(cols))
			for i := range r.Inputs {
				line += dur(g.GeomeanNS[i]) + "\t"
				if i > 0 {
					line += fmt.Sprintf("%+.2f%%", g.ChangePct[i-1]) + "\t"
				}
			}
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if infinite {
			fmt.Fprintln(w, wrap("±∞: too few runs for a 95% interval of the median (it takes 6 or more: raise --repeat)", opt.Width))
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
