// Command proclab measures what it costs to start a process with each start
// method, and when splitting CPU work over processes pays off.
//
//	proclab --method fork --n-tasks 4
//	proclab --method all --repeat 20 --warmup 2 --json
//
// main is thin: flags become a lab.Spec, lab.Run measures, a renderer
// writes. Exit status: 0 ok, 1 a task failed, 2 bad input, 130/143
// interrupted.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(proclab(os.Stdout, os.Stderr, os.Args[1:]))
}

// usageError marks bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// proclab runs the command line args and returns the exit status.
func proclab(stdout, stderr io.Writer, args []string) (code int) {
	// A panic (a bug: no renderer should panic on any result) becomes one
	// line and exit 1, not a trace and Go's exit 2, the bad-input status.
	// Every child is reaped by then (lab.Run's defers), and writeFile has
	// removed its temporary file.
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "proclab: internal error (a bug, please report it): %s\n", oneLine(fmt.Sprint(p)))
			code = 1
		}
	}()
	in := watchInterrupts(stderr)
	defer in.stop()

	cmd := newRootCmd(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(in.ctx)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "proclab: %v\n", err)
		return 2
	case in.signal() != 0:
		fmt.Fprintf(stderr, "proclab: interrupted by %s: every child was killed and reaped; the results written are incomplete\n",
			signalName(in.signal()))
		return exitStatus(in.signal())
	}
	fmt.Fprintf(stderr, "proclab: %v\n", err)
	return 1
}

// oneLine joins the lines of s.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
