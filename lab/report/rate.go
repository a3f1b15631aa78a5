package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/proclab/proclab/lab/results"
)

// RateJSON writes `proclab rate`'s document as indented JSON.
func RateJSON(w io.Writer, t *results.Throughput) error { return results.Encode(w, t) }

// RateTable writes one row per method: its tasks per second beside the
// floor it is compared with, and the lab's footprint when it started.
func RateTable(w io.Writer, t *results.Throughput) error {
	load := "unknown"
	if t.Load1 != nil {
		load = fmt.Sprintf("%.2f", *t.Load1)
	}
	fmt.Fprintf(w, "near-empty tasks per second, %d CPUs, load average %s before the runs\n", t.CPUs, load)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	image := false
	for _, r := range t.Rates {
		image = image || r.ImageFloor != ""
	}
	head := "method\ttasks\tmax procs\ttasks/s\tfloor tasks/s\tx floor\t"
	if image {
		head += "image floor tasks/s\tx image floor\t"
	}
	fmt.Fprintln(tw, head+"floor\tlab anon\tnot forked\tlab vmas\t")
	for _, r := range t.Rates {
		rate, ratio, imageRatio := "-", "-", "-"
		if r.Error == "" {
			rate, ratio, imageRatio = fmt.Sprintf("%.0f", r.TasksPerSec), ratioCell(r.Ratio), ratioCell(r.ImageRatio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t", r.Method, r.Tasks, r.MaxProcs, rate, rateCell(r.FloorTasksPerSec), ratio)
		if image {
			fmt.Fprintf(tw, "%s\t%s\t", rateCell(r.ImageFloorTasksPerSec), imageRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t\n", r.Floor, mib(r.LabAnonBytes), mib(r.LabDontForkBytes), r.LabVMAs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range t.Rates {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: %s (%d failed)\n", r.Method, r.Error, r.Failed)
		} else if r.Failed > 0 {
			fmt.Fprintf(w, "%s: %d tasks failed\n", r.Method, r.Failed)
		}
		if r.FloorError != "" {
			fmt.Fprintf(w, "%s floor: %s\n", r.Method, r.FloorError)
		}
		if r.ImageFloorError != "" {
			fmt.Fprintf(w, "%s image floor: %s\n", r.Method, r.ImageFloorError)
		}
	}
	for _, r := range t.Rates {
		if !r.ChildMemRead {
			fmt.Fprintf(w, "%s: children skip their end-of-task memory read (the lab's instrument, not the task)\n", r.Method)
		}
	}
	if image {
		fmt.Fprintln(w, "spawn, fork-exec and exec start the proclab image, a Go program: \"floor\" execs a 5 KiB static C program, \"image floor\" the proclab image itself,\nstopped in its C constructor before the Go runtime starts; what is left between them and the method is the Go runtime's start")
	}
	switch t.ForkLabHeap {
	case results.ForkLabHeapDontFork:
		fmt.Fprintln(w, "fork children (and the fork floors) started without the lab's Go heap and runtime memory, \"not forked\" (--fork-lab-heap dontfork)")
	case results.ForkLabHeapInherit:
		fmt.Fprintln(w, "fork children (and the fork floors) inherited all of the lab, its Go heap too (--fork-lab-heap inherit)")
	}
	for _, s := range t.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
	return nil
}

func rateCell(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

func ratioCell(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", v)
}

func mib(b int64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
