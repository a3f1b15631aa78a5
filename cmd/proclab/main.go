// Command proclab measures what it costs to start a process with each start
// method, and when splitting CPU work over processes pays off.
//
//	proclab --method fork --n-tasks 4
//	proclab --method all --repeat 20 --warmup 2 --json
//
// main is thin: flags become a lab.Spec, lab.Run measures, a renderer
// writes. Exit status: 0 ok, 1 a task failed, 2 bad input, 130/143/129
// interrupted by SIGINT/SIGTERM/SIGHUP. A reader of stdout that leaves
// early (| head) changes no status (epipe.go).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	_ "github.com/proclab/proclab/cmd/proclab/internal/startcheck" // first: ulimit -v and -n, before any init opens a file
	_ "github.com/proclab/proclab/csys/workerinit"                 // a worker's task starts here, before most inits (csys/workerinit)
)

func main() {
	invocation = os.Args
	os.Exit(proclab(os.Stdout, os.Stderr, os.Args[1:]))
}

// invocation is the command line as typed (the binary's name as given):
// results record it, so that a report shows the command that ran.
var invocation []string

// usageError marks bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// proclab runs the command line args and returns the exit status.
func proclab(stdout, stderr io.Writer, args []string) (code int) {
	defer recoverPanic(stderr, &code) // panic.go
	in := watchInterrupts(stderr)
	defer in.stop()

	out := &checkedWriter{w: stdout}
	cmd := newRootCmd(out, stderr)
	cmd.SetArgs(foldListArgs(cmd, args)) // "--n_iters 1000 10000": lists.go
	err := cmd.ExecuteContext(in.ctx)
	var ue usageError
	switch {
	case err == nil && out.err != nil && !readerLeft(out.err):
		// --help, report's list of files: a write nobody checked failed
		// (stdout is a full disk, /dev/full).
		fmt.Fprintf(stderr, "proclab: writing stdout: %v\n", out.err)
		return 1
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

// checkedWriter keeps the first error of a write to w: every command's
// output reaches stdout through it, so that a write that failed is never
// an exit status 0, whichever writer forgot to look.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}
