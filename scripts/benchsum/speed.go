package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// forkFigures prints, for the fork tasks of proclab --json results, the
// medians of total and startup (µs) and of the lab's anonymous memory
// (MiB) and mappings right before each run, and of the anonymous memory
// its fork children inherit (MiB: less lab_dontfork_bytes): "total startup
// anon vmas forked".
func forkFigures(w io.Writer, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: fork RESULT.json [RESULT.json]")
	}
	var total, startup, anon, vmas, forked []float64
	for _, p := range args {
		var res results.Result
		if err := readJSON(p, &res); err != nil {
			return err
		}
		for _, r := range res.Runs {
			if r.Method != results.Fork {
				continue
			}
			anon = append(anon, float64(r.LabAnonBytes)/(1<<20))
			vmas = append(vmas, float64(r.LabVMAs))
			forked = append(forked, float64(r.LabAnonBytes-r.LabDontForkBytes)/(1<<20))
			for _, t := range r.Tasks {
				if t.Good() && t.StartupNS != nil {
					total = append(total, float64(t.TotalNS)/1e3)
					startup = append(startup, float64(*t.StartupNS)/1e3)
				}
			}
		}
	}
	if len(total) == 0 {
		return errors.New("no good fork task")
	}
	fmt.Fprintf(w, "%.0f %.0f %.1f %.0f %.1f\n", stats.Summarize(total).Median, stats.Summarize(startup).Median,
		stats.Summarize(anon).Median, stats.Summarize(vmas).Median, stats.Summarize(forked).Median)
	return nil
}

// rateFigures prints one method's row of proclab rate --json documents,
// medians over the files: "tasks_per_s floor_tasks_per_s ratio".
func rateFigures(w io.Writer, args []string) error {
	if len(args) < 2 {
		return errors.New("usage: ratejson METHOD RATE.json [RATE.json]")
	}
	var rate, floor, ratio []float64
	for _, p := range args[1:] {
		var doc results.Throughput
		if err := readJSON(p, &doc); err != nil {
			return err
		}
		for _, r := range doc.Rates {
			if string(r.Method) == args[0] && r.TasksPerSec > 0 {
				rate = append(rate, r.TasksPerSec)
				floor = append(floor, r.FloorTasksPerSec)
				ratio = append(ratio, r.Ratio)
			}
		}
	}
	if len(rate) == 0 {
		return fmt.Errorf("no %s rate", args[0])
	}
	fmt.Fprintf(w, "%.0f %.0f %.2f\n", stats.Summarize(rate).Median, stats.Summarize(floor).Median, stats.Summarize(ratio).Median)
	return nil
}

// spawnReady prints the median, over proclab calibrate --json documents,
// of the spawn worker's time from its image's constructor to Go runtime
// ready (runtime_ready_ns minus exec_done_ns, in µs).
func spawnReady(w io.Writer, args []string) error {
	var xs []float64
	for _, p := range args {
		var cal results.Calibration
		if err := readJSON(p, &cal); err != nil {
			return err
		}
		for _, m := range cal.Methods {
			if m.Method == results.Spawn && m.ExecDoneNS != nil && m.RuntimeReadyNS != nil {
				xs = append(xs, (*m.RuntimeReadyNS-*m.ExecDoneNS)/1e3)
			}
		}
	}
	if len(xs) == 0 {
		return errors.New("no spawn figures")
	}
	fmt.Fprintf(w, "%.0f\n", stats.Summarize(xs).Median)
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
