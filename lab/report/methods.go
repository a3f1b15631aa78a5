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
// σ of wall time per run, and ratios to the fastest method. When exec'd
// workers ran, their startup is split into reaching the new image and
// starting the Go program (execsplit.go).
func Methods(w io.Writer, res *results.Result) error {
	sts := stats.MethodStats(res)
	split := hasExecSplit(res)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method\t%s\tstartup median\tp10 … p90\t", parentHeader(res))
	if split {
		fmt.Fprintf(tw, "%s\t%s\t", imageColumn, goStartColumn)
	}
	fmt.Fprintf(tw, "total/task median\tp10 … p90\twall/run mean ± σ\tstartup ×\twall ×\toutliers\tfailed\n")
	for _, s := range sts {
		startup, startupRange, ratio := "-", "-", "-"
		if s.Startup.N > 0 {
			startup = dur(s.Startup.Median)
			startupRange = dur(s.Startup.P10) + " … " + dur(s.Startup.P90)
			ratio = fmt.Sprintf("%.2f×", s.StartupRatio)
		}
		parent := parentCell(res, s.ParentRSSBytes)
		if s.Method.IsPython() { // the Python driver creates these, not the lab
			parent = "python driver"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", s.Method, parent, startup, startupRange)
		if split {
			image, goStart := "-", "-"
			if es := execSplitOf(res, s.Method, s.ParentRSSBytes); es.n > 0 {
				image, goStart = dur(es.image), dur(es.goStart)
			}
			fmt.Fprintf(tw, "%s\t%s\t", image, goStart)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s ± %s\t%s\t%.2f×\t%d\t%d\n",
			dur(s.Total.Median), dur(s.Total.P10)+" … "+dur(s.Total.P90),
			dur(s.Wall.Mean), dur(s.Wall.Stddev), ratio, s.WallRatio, s.Startup.Outliers, s.Failed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, methodsLegend)
	return err
}

// methodsLegend says what the comparison table's columns are relative to.
const methodsLegend = `startup: create call to the task's first instruction; total: create call to reaped (less the child's memory read);
wall: first create to last task done, per run; startup × and wall ×: over the fastest method's median startup and mean wall
in this table (1.00× is the fastest); outliers: startups more than 3 MADs from the median; failed: tasks with an error or a bad checksum.`
