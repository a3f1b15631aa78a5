package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/proclab/proclab/lab/results"
)

// CalibrationJSON writes c as one indented JSON document.
func CalibrationJSON(w io.Writer, c *results.Calibration) error { return results.Encode(w, c) }

// CalibrationTable writes what proclab calibrate measured: the machine, its
// floor, each method's medians beside its floor with the ratio and the
// overhead, where an exec'd worker's startup goes, and the goals' verdicts.
func CalibrationTable(w io.Writer, c *results.Calibration) error {
	m := c.Host
	if m == nil {
		m = &results.Host{}
	}
	fmt.Fprintf(w, "proclab calibrate: %d interleaved rounds (+%d warmup), near-empty task (n_tasks 1, n_iters %d); medians\n",
		c.Rounds, c.Warmup, c.NIters)
	fmt.Fprintf(w, "machine: %s, %d CPUs, kernel %s, THP %s, %s\n\n", m.CPUModel, m.CPUs, m.Kernel, m.THP, m.GoVersion)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "floor (C, no Go in the loop)\tstartup\ttotal\tchild minflt\tn\n")
	for _, f := range c.Floors {
		if f.Error != "" {
			fmt.Fprintf(tw, "%s\tfailed: %s\t\t\t%d\n", f.Name, f.Error, f.N)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%d\n", f.Name, optDurF(f.StartupNS), dur(f.TotalNS), f.MinFlt, f.N)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "method\tstartup\t× floor\tover floor\ttotal/task\t× floor\tover floor\tchild minflt\tcompared with\tn\tfailed\n")
	for _, mo := range c.Methods {
		if mo.Error != "" {
			continue // listed below the table
		}
		if mo.N == 0 {
			fmt.Fprintf(tw, "%s\tno task succeeded\t\t\t\t\t\t\t%s\t0\t%d\n", mo.Method, mo.Floor, mo.Failed)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%d\t%d\n", mo.Method,
			dur(mo.StartupNS), ratio(mo.StartupRatio), signedDur(mo.StartupOverNS, mo.StartupRatio),
			dur(mo.TotalNS), ratio(mo.TotalRatio), signedDur(mo.TotalOverNS, mo.TotalRatio),
			mo.MinFlt, mo.Floor, mo.N, mo.Failed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, mo := range c.Methods {
		if mo.Error != "" {
			fmt.Fprintf(w, "%s: not available: %s\n", mo.Method, mo.Error)
		}
	}

	if image := findFloor(c, "posix_spawn(proclab image, to its constructor)+wait4"); image != nil && image.StartupNS != nil {
		fmt.Fprintf(w, "\nexec'd workers, create call to: the image's C constructor (floor %s) → Go runtime ready → task\n", dur(*image.StartupNS))
		for _, mo := range c.Methods {
			if mo.ExecDoneNS == nil || mo.RuntimeReadyNS == nil {
				continue
			}
			fmt.Fprintf(w, "  %-10s %s → %s → %s   (Go runtime start %s)\n", mo.Method, dur(*mo.ExecDoneNS),
				dur(*mo.RuntimeReadyNS), dur(mo.StartupNS), dur(*mo.RuntimeReadyNS-*mo.ExecDoneNS))
		}
	}

	if len(c.Rates) > 0 {
		fmt.Fprintln(w)
		if err := rateTable(w, c.Rates); err != nil {
			return err
		}
	}

	fmt.Fprintln(w)
	for _, g := range c.Goals {
		verdict := "within the goal"
		if !g.Met {
			verdict = "above the goal"
		}
		fmt.Fprintf(w, "%s: proclab's fork costs %.2fx what the same fork costs with nothing around it (the goal is at most %.2fx: %s)\n",
			g.Name, g.Ratio, g.Limit, verdict)
	}
	textWarnings(w, c.Warnings)
	return nil
}

func findFloor(c *results.Calibration, name string) *results.Floor {
	for i := range c.Floors {
		if c.Floors[i].Name == name {
			return &c.Floors[i]
		}
	}
	return nil
}

func optDurF(p *float64) string {
	if p == nil {
		return "-"
	}
	return dur(*p)
}

func ratio(r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r)
}

// signedDur shows an overhead with its sign ("+12.3µs"); "-" where there
// is no floor to compare with (ratio 0).
func signedDur(ns, r float64) string {
	if r == 0 {
		return "-"
	}
	if ns >= 0 {
		return "+" + dur(ns)
	}
	return dur(ns)
}

// rateTable writes the throughput rows: near-empty fork tasks per second
// at each concurrency limit, proclab's over the floor's, and the lab's
// peak RSS.
func rateTable(w io.Writer, rates []results.Rate) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "rate (near-empty fork tasks)\ttasks\tmax alive\twall\ttasks/s\t× floor\tlab peak RSS\tfailed\n")
	for _, r := range rates {
		limit := "no limit"
		if r.MaxProcs > 0 {
			limit = fmt.Sprint(r.MaxProcs)
		}
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%d\t%s\tfailed: %s\t\t\t\t\n", r.Name, r.Tasks, limit, r.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.0f\t%s\t%s\t%d\n", r.Name, r.Tasks, limit, dur(float64(r.WallNS)),
			r.TasksPerSec, ratio(r.FloorRatio), optBytes(r.LabPeakRSSBytes), r.Failed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "proclab's row is one run that creates every child before it reaps any (one create thread), unlike `proclab rate`,\n"+
		"which loops create, read, reap on one thread per CPU: the two answer different questions and their figures differ.")
	return err
}
