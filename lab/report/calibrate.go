package report

import (
	"fmt"
	"io"
	"math"

	"github.com/proclab/proclab/lab/results"
)

// CalibrationJSON writes c as one indented JSON document.
func CalibrationJSON(w io.Writer, c *results.Calibration) error { return results.Encode(w, c) }

// CalibrationTable writes what proclab calibrate measured: the machine, its
// floor, each method's medians beside its floor with the ratio and the
// overhead, where an exec'd worker's startup goes, and the goals' verdicts,
// fitted to opt's width.
func CalibrationTable(w io.Writer, c *results.Calibration, opt TermOptions) error {
	m := c.Host
	if m == nil {
		m = &results.Host{}
	}
	fmt.Fprintln(w, wrap(fmt.Sprintf("proclab calibrate: %d interleaved rounds (+%d warmup), near-empty task (n_tasks 1, n_iters %d); medians",
		c.Rounds, c.Warmup, c.NIters), opt.Width))
	fmt.Fprintln(w, wrap(fmt.Sprintf("machine: %s, %d CPUs, kernel %s, THP %s, %s", m.CPUModel, m.CPUs, m.Kernel, m.THP, m.GoVersion), opt.Width))
	fmt.Fprintln(w)

	ft := &termTable{}
	name := ft.col("floor", "floor (C, no Go in the loop)", kindText, 0)
	fStartup := ft.col("startup", "startup", kindDur, 0)
	fTotal := ft.col("total", "total", kindDur, 0)
	fMinflt := ft.col("minflt", "child minflt", kindCount, 2)
	fN := ft.col("n", "n", kindCount, 3)
	var failedFloors []string
	for _, f := range c.Floors {
		if f.Error != "" {
			failedFloors = append(failedFloors, fmt.Sprintf("%s: failed: %s (%d rounds)", f.Name, f.Error, f.N))
			continue
		}
		name.addText(f.Name)
		if f.StartupNS != nil {
			fStartup.add(*f.StartupNS)
		} else {
			fStartup.add(math.NaN())
		}
		fTotal.add(f.TotalNS)
		fMinflt.add(f.MinFlt)
		fN.add(float64(f.N))
		ft.style = append(ft.style, "")
	}
	hidden := 0
	if len(name.text) > 0 {
		h, err := ft.write(w, opt)
		if err != nil {
			return err
		}
		hidden += h
	}
	for _, l := range failedFloors {
		fmt.Fprintln(w, wrap(l, opt.Width))
	}

	mt := &termTable{}
	method := mt.col("method", "method", kindText, 0)
	startup := mt.col("startup", "startup", kindDur, 0)
	startupX := mt.col("startup-x", "× floor", kindRatio, 0)
	startupOver := mt.col("startup-over", "over floor", kindText, 4)
	startupOver.left = false
	total := mt.col("total", "total/task", kindDur, 1)
	totalX := mt.col("total-x", "× floor", kindRatio, 1)
	totalOver := mt.col("total-over", "over floor", kindText, 5)
	totalOver.left = false
	minflt := mt.col("minflt", "child minflt", kindCount, 6)
	floor := mt.col("floor", "compared with", kindText, 2)
	n := mt.col("n", "n", kindCount, 7)
	anyFailed := false
	for _, mo := range c.Methods {
		anyFailed = anyFailed || mo.Failed > 0
	}
	failedPrio := 7
	if anyFailed {
		failedPrio = 0
	}
	failed := mt.col("failed", "failed", kindCount, failedPrio)
	var notes []string
	for _, mo := range c.Methods {
		if mo.Error != "" {
			notes = append(notes, fmt.Sprintf("%s: not available: %s", mo.Method, mo.Error))
			continue
		}
		method.addText(string(mo.Method))
		floor.addText(mo.Floor)
		n.add(float64(mo.N))
		failed.add(float64(mo.Failed))
		mt.style = append(mt.style, "")
		if mo.N == 0 {
			for _, c := range []*tcol{startup, startupX, total, totalX, minflt} {
				c.add(math.NaN())
			}
			startupOver.addText("-")
			totalOver.addText("-")
			notes = append(notes, fmt.Sprintf("%s: no task succeeded (%d failed)", mo.Method, mo.Failed))
			continue
		}
		startup.add(mo.StartupNS)
		startupX.add(ratioOrNaN(mo.StartupRatio))
		startupOver.addText(signedDur(mo.StartupOverNS, mo.StartupRatio))
		total.add(mo.TotalNS)
		totalX.add(ratioOrNaN(mo.TotalRatio))
		totalOver.addText(signedDur(mo.TotalOverNS, mo.TotalRatio))
		minflt.add(mo.MinFlt)
		if mo.Method == results.Forkserver && mo.StartupRatio > 0 && mo.StartupRatio < 1 {
			notes = append(notes, fmt.Sprintf("forkserver is below its floor (%.2fx): its forks are made by the forkserver, "+
				"a small C process, while the floor forks the lab itself, whose larger address space takes longer to copy.", mo.StartupRatio))
		}
	}
	if len(method.text) > 0 {
		fmt.Fprintln(w)
		h, err := mt.write(w, opt)
		if err != nil {
			return err
		}
		hidden += h
	}
	hiddenNote(w, hidden)
	for _, l := range notes {
		fmt.Fprintln(w, wrap(l, opt.Width))
	}

	if image := findFloor(c, "posix_spawn(proclab image, to its constructor)+wait4"); image != nil && image.StartupNS != nil {
		var lines []string
		for _, mo := range c.Methods {
			if mo.ExecDoneNS == nil || mo.RuntimeReadyNS == nil {
				continue
			}
			lines = append(lines, fmt.Sprintf("  %-10s %s → %s → %s   (Go runtime start %s)", mo.Method, dur(*mo.ExecDoneNS),
				dur(*mo.RuntimeReadyNS), dur(mo.StartupNS), dur(*mo.RuntimeReadyNS-*mo.ExecDoneNS)))
		}
		if len(lines) > 0 { // no header without rows
			fmt.Fprintln(w, "\n"+wrap(fmt.Sprintf("exec'd workers, create call to: the image's C constructor (floor %s) → Go runtime ready → task",
				dur(*image.StartupNS)), opt.Width))
			for _, l := range lines {
				fmt.Fprintln(w, l)
			}
		}
	}

	if len(c.Rates) > 0 {
		fmt.Fprintln(w)
		if err := rateTable(w, c.Rates, opt); err != nil {
			return err
		}
	}

	fmt.Fprintln(w)
	for _, g := range c.Goals {
		fmt.Fprintln(w, wrap(goalSentence(g), opt.Width))
	}
	for _, s := range c.Warnings {
		fmt.Fprintln(w, wrap("warning: "+s, opt.Width))
	}
	return nil
}

// goalSentence says a goal's verdict in words.
func goalSentence(g results.Goal) string {
	verdict := "within the goal"
	if !g.Met {
		verdict = "above the goal"
	}
	return fmt.Sprintf("%s: proclab's fork costs %.2fx what the same fork costs with nothing around it (the goal is at most %.2fx: %s)",
		g.Name, g.Ratio, g.Limit, verdict)
}

func ratioOrNaN(r float64) float64 {
	if r == 0 {
		return math.NaN()
	}
	return r
}

func findFloor(c *results.Calibration, name string) *results.Floor {
	for i := range c.Floors {
		if c.Floors[i].Name == name {
			return &c.Floors[i]
		}
	}
	return nil
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
func rateTable(w io.Writer, rates []results.Rate, opt TermOptions) error {
	tt := &termTable{}
	name := tt.col("rate", "rate (near-empty fork tasks)", kindText, 0)
	tasks := tt.col("tasks", "tasks", kindCount, 0)
	limit := tt.col("max-alive", "max alive", kindText, 1)
	limit.left = false
	wall := tt.col("wall", "wall", kindDur, 3)
	perSec := tt.col("tasks-per-sec", "tasks/s", kindCount, 0)
	x := tt.col("floor-x", "× floor", kindRatio, 0)
	peak := tt.col("lab-peak-rss", "lab peak RSS", kindBytes, 2)
	failed := tt.col("failed", "failed", kindCount, 1)
	var notes []string
	for _, r := range rates {
		l := "no limit"
		if r.MaxProcs > 0 {
			l = fmt.Sprint(r.MaxProcs)
		}
		name.addText(r.Name)
		tasks.add(float64(r.Tasks))
		limit.addText(l)
		failed.add(float64(r.Failed))
		tt.style = append(tt.style, "")
		if r.Error != "" {
			notes = append(notes, fmt.Sprintf("%s, %d tasks: failed: %s", r.Name, r.Tasks, r.Error))
			wall.add(math.NaN())
			perSec.add(math.NaN())
			x.add(math.NaN())
			peak.add(math.NaN())
			continue
		}
		wall.add(float64(r.WallNS))
		perSec.add(math.Round(r.TasksPerSec))
		x.add(ratioOrNaN(r.FloorRatio))
		peak.add(nan(r.LabPeakRSSBytes))
	}
	hidden, err := tt.write(w, opt)
	if err != nil {
		return err
	}
	hiddenNote(w, hidden)
	for _, l := range notes {
		fmt.Fprintln(w, wrap(l, opt.Width))
	}
	_, err = fmt.Fprintln(w, wrap("proclab's row is one run that creates every child before it reaps any (one create thread), unlike `proclab rate`, "+
		"which loops create, read, reap on one thread per CPU: the two answer different questions and their figures differ.", opt.Width))
	return err
}
