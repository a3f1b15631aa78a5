package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// Methods writes the comparison table: per method (and parent size), the
// median and p10–p90 of startup latency and of total per task, the mean ±
// σ of wall time per run, and ratios to the fastest method, all from
// stats.Rows. When exec'd workers ran, their startup is split into
// reaching the new image and starting the Go program.
func Methods(w io.Writer, res *results.Result) error {
	rows := stats.Rows(res)
	split := false
	for _, r := range rows {
		split = split || r.Split.N > 0
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method\t%s\tstartup median\tp10 … p90\t", parentHeader(res))
	if split {
		fmt.Fprintf(tw, "%s\t%s\t", imageColumn, goStartColumn)
	}
	fmt.Fprintf(tw, "total/task median\tp10 … p90\twall/run mean ± σ\tstartup ×\twall ×\toutliers\tleft out\n")
	for _, s := range rows {
		startup, startupRange, ratio := "-", "-", "-"
		if s.Startup.N > 0 {
			startup = dur(s.Startup.Median)
			startupRange = dur(s.Startup.P10) + " … " + dur(s.Startup.P90)
			ratio = fmt.Sprintf("%.2f×", s.StartupRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", s.Method, parentCellOf(res, s), startup, startupRange)
		if split {
			image, goStart := "-", "-"
			if s.Split.N > 0 {
				image, goStart = dur(s.Split.Image), dur(s.Split.Program)
			}
			fmt.Fprintf(tw, "%s\t%s\t", image, goStart)
		}
		total, totalRange, wall, wallRatio := "-", "-", "-", "-"
		if s.Total.N > 0 {
			total, totalRange = dur(s.Total.Median), dur(s.Total.P10)+" … "+dur(s.Total.P90)
		}
		if s.Wall.N > 0 {
			wall, wallRatio = dur(s.Wall.Mean)+" ± "+dur(s.Wall.Stddev), fmt.Sprintf("%.2f×", s.WallRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", total, totalRange, wall, ratio, wallRatio, s.Startup.Outliers, leftOutCell(s))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, methodsLegend)
	return err
}

// leftOutCell is the table's "left out" cell: tasks, and runs when some
// runs' walls were left out.
func leftOutCell(r stats.Row) string {
	if r.LeftOutRuns > 0 {
		return fmt.Sprintf("%d (%s)", r.LeftOut, plural(r.LeftOutRuns, "run"))
	}
	return fmt.Sprint(r.LeftOut)
}

// parentCellOf is a row's parent cell. Python's children are created by
// the Python driver, not the lab, so for them the lab's size is context:
// the driver's own size is what they inherit.
func parentCellOf(res *results.Result, r stats.Row) string {
	cell := parentCell(res, r.ParentRSSBytes)
	if r.Method.IsPython() {
		return "driver (lab " + cell + ")"
	}
	return cell
}

// methodsLegend says what the comparison table's columns are relative to.
const methodsLegend = `startup: create call to the task's first instruction; total: create call to reaped (less the child's memory read);
wall: first create to last task done, per run; startup × and wall ×: over the fastest method's median startup and mean wall
at the same parent size (1.00× is the fastest); outliers: startups more than 3 MADs from the median; left out: tasks that
failed, timed out or were interrupted (and runs whose wall they spoiled): no figure includes them.`
