package report

import (
	"fmt"
	"io"
	"syscall"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// MaxTaskRows is how many per-task rows Table shows before it leaves them
// to TableOptions.PerTask (or --json).
const MaxTaskRows = 48

// TableOptions tunes Table.
type TableOptions struct {
	PerTask bool // list every task even when there are more than MaxTaskRows
	Term    TermOptions
}

// Table writes the human report: one aligned row per task (when few, or
// asked for), the comparison table when several methods or parent sizes
// ran, the tutorial's summary lines for a single method, then problems
// and warnings.
func Table(w io.Writer, res *results.Result, opt TableOptions) error {
	rows := 0
	for _, r := range res.Runs {
		rows += len(r.Tasks)
	}
	term := opt.Term
	if rows <= MaxTaskRows || opt.PerTask {
		hidden, err := tasksTerm(res).write(w, term)
		if err != nil {
			return err
		}
		hiddenNote(w, hidden)
		legend(w, tasksLegend, term.Width)
	} else {
		fmt.Fprintf(w, "(%d tasks measured; --per-task lists them, --json gives everything)\n", rows)
	}
	if len(res.Spec.Methods) > 1 || len(res.Spec.ParentRSSBytes) > 1 {
		fmt.Fprintln(w)
		rows := stats.Rows(res)
		hidden, err := methodsTerm(res, rows).write(w, term)
		if err != nil {
			return err
		}
		hiddenNote(w, hidden)
		legend(w, methodsLegend, term.Width)
		fasterLines(w, res, rows, term)
	}
	if line := footprintLine(res); line != "" {
		fmt.Fprintln(w, "\n"+wrap(line, term.Width))
	}
	if len(res.Spec.Methods) == 1 {
		summaryLines(w, res)
	}
	if fs := res.Forkserver; fs != nil {
		fmt.Fprintln(w, "\n"+wrap(fmt.Sprintf("forkserver: pid %d, ready %s after posix_spawn (once per invocation), RSS %s, %d thread(s)",
			fs.PID, dur(float64(fs.StartupNS)), bytesIEC(float64(fs.RSSBytes)), fs.Threads), term.Width))
	}
	if s := res.Sampler; s != nil {
		fmt.Fprintln(w, wrap(samplerLine(s), term.Width))
	}
	if line := startProfileLine(res); line != "" {
		fmt.Fprintln(w, line)
	}
	for _, t := range problems(res) {
		fmt.Fprintln(w, t)
	}
	return nil
}

// tasksLegend says what the per-task columns hold (the JSON keeps more:
// user_ns/sys_ns, the kernel's tick-based split, rusage's max RSS).
const tasksLegend = `cpu: the task's own CPU around the loop (task_cpu_ns); hwm: the peak resident memory of the task's process
(a fork child's starts at the parent's pages it maps, so it is mostly the lab's: its USS at task end is what it added);
end rss/pss: its memory at task end (pss splits the pages it shares with its parent); minflt, vcsw, ivcsw: page faults and
context switches (wait4's rusage; - where none was passed on); checksum: ok, BAD, or - when not verified.`

// summaryLines are the tutorial's two lines for a single method, one pair
// per parent size: the mean wall per run and the median startup, of what
// counts, saying how much was left out.
func summaryLines(w io.Writer, res *results.Result) {
	for _, r := range stats.Rows(res) {
		if r.Wall.N == 0 && r.Startup.N == 0 {
			continue
		}
		fmt.Fprintf(w, "\nThe start method is %s", r.Method)
		if len(res.Spec.ParentRSSBytes) > 1 || r.ParentRSSBytes > 0 {
			fmt.Fprintf(w, ", the parent holding %s", sizeText(r.ParentRSSBytes))
		}
		fmt.Fprintln(w)
		if r.Wall.N > 0 {
			fmt.Fprintf(w, "Average execution time: %10.5f sec  (wall per run of %s, mean of %s%s)\n",
				r.Wall.Mean/1e9, plural(r.NTasks, "task"), plural(r.Wall.N, "run"), leftOutRuns(r.LeftOutRuns))
		} else {
			fmt.Fprintf(w, "Average execution time: none: no run ended with every task well%s\n", leftOutRuns(r.LeftOutRuns))
		}
		if r.Startup.N > 0 {
			fmt.Fprintf(w, "Median startup latency: %10.5f ms   (p10 %s, p90 %s, %s%s)\n",
				r.Startup.Median/1e6, dur(r.Startup.P10), dur(r.Startup.P90), plural(r.Startup.N, "task"), leftOutTasks(r.LeftOut))
			if line := execSplitLine(r.Split); line != "" {
				fmt.Fprintln(w, line)
			}
		}
	}
}

// leftOutRuns and leftOutTasks say how many runs or tasks a figure left
// out, as part of its parenthesis; "" when none.
func leftOutRuns(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %s left out: a task failed or was cut short", plural(n, "run"))
}

func leftOutTasks(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %s left out: failed, timed out or interrupted", plural(n, "task"))
}

func hasPeaks(res *results.Result) bool {
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			if t.PeakRSSBytes != nil {
				return true
			}
		}
	}
	return false
}

func exitText(t *results.Task) string {
	switch {
	case t.Signal != nil:
		return syscall.Signal(*t.Signal).String()
	case t.ExitCode != nil:
		return fmt.Sprint(*t.ExitCode)
	case t.Error != "":
		return "error"
	}
	return "-"
}

func checksumText(t *results.Task) string {
	switch {
	case t.ChecksumOK == nil:
		return "-" // not verified
	case *t.ChecksumOK:
		return "ok"
	}
	return "BAD"
}

// problems lists, one line each, the tasks that did not end well.
func problems(res *results.Result) []string {
	var out []string
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			if t.Error != "" {
				out = append(out, fmt.Sprintf("%s round %d task %d: %s", r.Method, r.Round, t.Task, t.Error))
			}
		}
	}
	if res.Incomplete {
		out = append(out, "interrupted: these results are incomplete")
	}
	return out
}

// samplerLine says what live sampling took and cost, against the CPU of
// the child processes it watched; a cost over the budget is said to be.
func samplerLine(s *results.SamplerStats) string {
	line := fmt.Sprintf("Live samples every %s: %d, costing the lab %s of CPU", dur(float64(s.IntervalNS)), s.Samples, dur(float64(s.CPUNS)))
	over := s.Budget > 0 && s.ChildCPUNS > 0 && s.Overhead > s.Budget
	switch {
	case s.ChildCPUNS <= 0:
		line += " (no child process used CPU to weigh it against)"
	case over:
		line += fmt.Sprintf(" (%.2f%% of the children's, over the %.3g%% budget)", 100*s.Overhead, 100*s.Budget)
	default:
		line += fmt.Sprintf(" (%.2f%% of the children's)", 100*s.Overhead)
	}
	if s.Skipped > 0 {
		if over || s.ChildCPUNS <= 0 {
			line += fmt.Sprintf("; %d skipped for the %.3g%% budget", s.Skipped, 100*s.Budget)
		} else {
			line += fmt.Sprintf("; %d skipped to stay within %.3g%%", s.Skipped, 100*s.Budget)
		}
	}
	return line
}
