package report

import (
	"fmt"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// The startup of an exec'd worker (spawn, fork-exec, exec) is two things
// of different nature, stamped apart by the worker:
//
//   - reaching the new image: create call → exec_done_ns, stamped by a C
//     constructor of the new image before the Go runtime starts. This is
//     process creation: fork or posix_spawn, execve, mapping the image.
//   - starting the Go program: exec_done_ns → the task's first
//     instruction. The Go runtime's own start, up to the program's first
//     package init, where the worker stamps runtime_ready_ns and runs its
//     task (csys/workerinit: 4 of proclab's 106 package inits come
//     first; the rest never run in a worker); then a few µs to set up the
//     task.
//
// The second part is what the tutorial means by "spawn starts a fresh
// interpreter": it is the program, not the kernel.

// execSplit is the median of each part over the tasks of method m at one
// parent size that carry both stamps.
type execSplit struct {
	n       int
	image   float64 // create → exec_done
	goStart float64 // exec_done → runtime_ready: runtime + package init
	toTask  float64 // runtime_ready → task start
	startup float64 // create → task start, over the same tasks
}

func execSplitOf(res *results.Result, m results.Method, size int64) execSplit {
	var image, goStart, toTask, startup []float64
	for _, r := range res.Runs {
		if r.Method != m || r.ParentRSSBytes != size {
			continue
		}
		for _, t := range r.Tasks {
			if t.StartupNS == nil || t.ExecDoneNS == nil || t.RuntimeReadyNS == nil || *t.ExecDoneNS <= 0 {
				continue
			}
			image = append(image, float64(*t.ExecDoneNS))
			goStart = append(goStart, float64(*t.RuntimeReadyNS-*t.ExecDoneNS))
			toTask = append(toTask, float64(*t.StartupNS-*t.RuntimeReadyNS))
			startup = append(startup, float64(*t.StartupNS))
		}
	}
	return execSplit{n: len(image), image: stats.Summarize(image).Median, goStart: stats.Summarize(goStart).Median,
		toTask: stats.Summarize(toTask).Median, startup: stats.Summarize(startup).Median}
}

// hasExecSplit reports whether any task carries the exec'd stamps.
func hasExecSplit(res *results.Result) bool {
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			if t.ExecDoneNS != nil && *t.ExecDoneNS > 0 && t.RuntimeReadyNS != nil {
				return true
			}
		}
	}
	return false
}

// Column names of the split, saying what each part includes.
const (
	imageColumn   = "to new image"
	goStartColumn = "Go runtime + package init"
)

// execSplitLine is the split of one method in a sentence of the text
// table; "" when its tasks carry no exec'd stamps.
func execSplitLine(res *results.Result, m results.Method, size int64) string {
	s := execSplitOf(res, m, size)
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("  of which reaching the new image (create → exec_done) %s, starting the Go program (runtime + package init, exec_done → runtime_ready) %s, then to the task %s",
		dur(s.image), dur(s.goStart), dur(s.toTask))
}

// execSplitSentences say in plain words, for report.md, what part of each
// exec'd method's startup is process creation and what part is program
// start, with this machine's figures.
func execSplitSentences(res *results.Result) []string {
	size := smallestParent(res)
	var out []string
	for _, m := range res.Spec.Methods {
		s := execSplitOf(res, m, size)
		if s.n == 0 {
			continue
		}
		share := 0.0
		if total := s.image + s.goStart + s.toTask; total > 0 {
			share = 100 * (s.goStart + s.toTask) / total
		}
		out = append(out, fmt.Sprintf("**%s**: of a median %s from the create call to the task, creating the process and reaching the new image "+
			"(%s, then execve, up to a C constructor in the new image: `exec_done_ns`) takes %s; "+
			"starting the Go program takes %s (the Go runtime's own start, up to the program's first package init, "+
			"where `runtime_ready_ns` is stamped), and %s more to the task's first instruction. "+
			"About %.0f%% of this startup is the program starting, not the process being created.",
			m, dur(s.startup), creator(m), dur(s.image), dur(s.goStart), dur(s.toTask), share))
	}
	if len(out) > 0 {
		out = append(out, "A process method is only as slow to start as the program it starts: a fork child runs on in the lab's "+
			"own image and skips both the exec and the program's start.")
	}
	return out
}

// creator names the call that creates the process of an exec'd method.
func creator(m results.Method) string {
	switch m {
	case results.Spawn:
		return "posix_spawn"
	case results.ForkExec:
		return "fork"
	case results.Exec:
		return "os/exec's vfork-style clone"
	}
	return string(m)
}
