package report

import (
	"fmt"
	"io"
	"math"

	"github.com/proclab/proclab/lab/results"
)

// RateJSON writes `proclab rate`'s document as indented JSON.
func RateJSON(w io.Writer, t *results.Throughput) error { return results.Encode(w, t) }

// RateTable writes one row per method: its tasks per second beside the
// floor it is compared with, and the lab's footprint when it started,
// fitted to opt's width.
func RateTable(w io.Writer, t *results.Throughput, opt TermOptions) error {
	load := "unknown"
	if t.Load1 != nil {
		load = fmt.Sprintf("%.2f", *t.Load1)
	}
	fmt.Fprintln(w, wrap(fmt.Sprintf("near-empty tasks per second, %d CPUs, load average %s before the runs", t.CPUs, load), opt.Width))
	image := false
	for _, r := range t.Rates {
		image = image || r.ImageFloor != ""
	}
	tt := &termTable{}
	method := tt.col("method", "method", kindText, 0)
	method.left = false
	tasks := tt.col("tasks", "tasks", kindCount, 1)
	procs := tt.col("max-procs", "max procs", kindCount, 3)
	rate := tt.col("tasks-per-sec", "tasks/s", kindCount, 0)
	floorRate := tt.col("floor-tasks-per-sec", "floor tasks/s", kindCount, 2)
	x := tt.col("floor-x", "x floor", kindRatio, 0)
	var imageRate, imageX *tcol
	if image {
		imageRate = tt.col("image-floor-tasks-per-sec", "image floor tasks/s", kindCount, 4)
		imageX = tt.col("image-floor-x", "x image floor", kindRatio, 1)
	}
	floor := tt.col("floor", "floor", kindText, 5)
	floor.left = false
	anon := tt.col("lab-anon", "lab anon", kindBytes, 6)
	notForked := tt.col("not-forked", "not forked", kindBytes, 6)
	vmas := tt.col("lab-vmas", "lab vmas", kindCount, 7)
	pos := func(v float64) float64 {
		if v <= 0 {
			return math.NaN()
		}
		return math.Round(v)
	}
	for _, r := range t.Rates {
		method.addText(string(r.Method))
		tasks.add(float64(r.Tasks))
		procs.add(float64(r.MaxProcs))
		if r.Error == "" {
			rate.add(math.Round(r.TasksPerSec))
			x.add(ratioOrNaN(r.Ratio))
		} else {
			rate.add(math.NaN())
			x.add(math.NaN())
		}
		floorRate.add(pos(r.FloorTasksPerSec))
		if image {
			imageRate.add(pos(r.ImageFloorTasksPerSec))
			if r.Error == "" {
				imageX.add(ratioOrNaN(r.ImageRatio))
			} else {
				imageX.add(math.NaN())
			}
		}
		floor.addText(r.Floor)
		anon.add(pos(float64(r.LabAnonBytes)))
		notForked.add(pos(float64(r.LabDontForkBytes)))
		vmas.add(float64(r.LabVMAs))
		tt.style = append(tt.style, "")
	}
	hidden, err := tt.write(w, opt)
	if err != nil {
		return err
	}
	hiddenNote(w, hidden)
	say := func(s string) { fmt.Fprintln(w, wrap(s, opt.Width)) }
	for _, r := range t.Rates {
		if r.Error != "" {
			say(fmt.Sprintf("%s: %s (%d failed)", r.Method, r.Error, r.Failed))
		} else if r.Failed > 0 {
			say(fmt.Sprintf("%s: %d tasks failed", r.Method, r.Failed))
		}
		if r.FloorError != "" {
			say(fmt.Sprintf("%s floor: %s", r.Method, r.FloorError))
		}
		if r.ImageFloorError != "" {
			say(fmt.Sprintf("%s image floor: %s", r.Method, r.ImageFloorError))
		}
	}
	for _, r := range t.Rates {
		if !r.ChildMemRead {
			say(fmt.Sprintf("%s: children skip their end-of-task memory read (the lab's instrument, not the task)", r.Method))
		}
	}
	if image {
		say("spawn, fork-exec and exec start the proclab image, a Go program: \"floor\" execs a 5 KiB static C program, \"image floor\" the proclab image itself, stopped in its C constructor before the Go runtime starts; what is left between them and the method is the Go runtime's start")
	}
	switch t.ForkLabHeap {
	case results.ForkLabHeapDontFork:
		say("fork children (and the fork floors) started without the lab's Go heap and runtime memory, \"not forked\" (--fork-lab-heap dontfork)")
	case results.ForkLabHeapInherit:
		say("fork children (and the fork floors) inherited all of the lab, its Go heap too (--fork-lab-heap inherit)")
	}
	for _, s := range t.Warnings {
		say(fmt.Sprintf("warning: %s", s))
	}
	return nil
}
