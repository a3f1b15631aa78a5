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
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(proclab(os.Stdout, os.Stderr, os.Args[1:]))
}

// usageError marks bad input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// proclab runs the command line args and returns the exit status.
func proclab(stdout, stderr io.Writer, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)

	cmd := newRootCmd(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "proclab: %v\n", err)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return 2
	case ctx.Err() != nil:
		select {
		case s := <-sig:
			if s == syscall.SIGTERM {
				return 143
			}
		default:
		}
		return 130
	}
	return 1
}
