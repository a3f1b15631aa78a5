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

// Column names of the split, saying what each part includes.
const (
	imageColumn   = "to new image"
	goStartColumn = "Go runtime + package init"
)

// execSplitLine is the split of one row in a line of the text table; ""
// when its tasks carry no exec'd stamps.
func execSplitLine(s stats.ExecSplit) string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("  of which reaching the new image (create → exec_done) %s, starting the Go program (runtime + package init, exec_done → runtime_ready) %s, then to the task %s (medians of each part over %s)",
		dur(s.Image), dur(s.Program), dur(s.ToTask), plural(s.N, "task"))
}

// execSplitSentences say in plain words, for report.md, what part of each
// exec'd method's startup is process creation and what part is program
// start, with this machine's figures (the rows at the smallest parent).
func execSplitSentences(rows []stats.Row) []string {
	var out []string
	for _, r := range rows {
		s := r.Split
		if s.N == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("**%s**: over %s, the startup (create call to the task) is a median %s. "+
			"Creating the process and reaching the new image (%s, then execve, up to a C constructor in the new image: `exec_done_ns`) takes a median %s; "+
			"starting the Go program (the Go runtime's own start, up to the program's first package init, where `runtime_ready_ns` is stamped) %s, "+
			"and %s more to the task's first instruction (medians of each part: they need not add up to the startup's). "+
			"Per task, the program starting is a median %.0f%% of the startup, the process being created the rest.",
			r.Method, plural(s.N, "task"), dur(s.Startup), creator(r.Method), dur(s.Image), dur(s.Program), dur(s.ToTask), 100*s.ProgramShare))
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
