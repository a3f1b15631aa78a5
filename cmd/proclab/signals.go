package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// interrupts turns the first SIGINT, SIGTERM or SIGHUP into the
// cancellation of ctx: the lab kills and reaps its children and returns
// what it measured so far, written as usually (--out first, then stdout)
// and marked incomplete; the exit status is the shell's for death by that
// signal (130, 143, 129). SIGHUP comes when the terminal closes or an ssh
// session drops: the files of --out are what survives it. A signal that
// was ignored when proclab started (nohup, a shell's background job) stays
// ignored. SIGPIPE is watched too, only so that a write to a closed
// stdout fails with EPIPE instead of killing the lab (epipe.go).
//
// A second signal within sameRequest of the first is the same request:
// GNU timeout sends SIGTERM to the lab and then to its whole process
// group, systemd sends SIGTERM and then SIGHUP, a terminal's Ctrl-C
// reaches the group too. A later one asks to exit now: the lab still
// writes what it measured, but exits after exitBound whatever is left
// (a third signal: at once); children still alive then die with it (they
// set PR_SET_PDEATHSIG), and no temporary file of its own is left
// (pending.go).
type interrupts struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan os.Signal
	pipe   chan os.Signal
	done   chan struct{}

	mu    sync.Mutex
	first syscall.Signal
}

func watchInterrupts(stderr io.Writer) *interrupts {
	ctx, cancel := context.WithCancel(context.Background())
	in := &interrupts{ctx: ctx, cancel: cancel, ch: make(chan os.Signal, 2), pipe: make(chan os.Signal, 1), done: make(chan struct{})}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(sig) {
			signal.Notify(in.ch, sig)
		}
	}
	signal.Notify(in.pipe, syscall.SIGPIPE) // never read: watching is what matters
	go func() {
		var firstAt time.Time
		var forced *time.Timer
		for {
			select {
			case s := <-in.ch:
				in.mu.Lock()
				first := in.first
				if first == 0 {
					in.first = s.(syscall.Signal)
				}
				in.mu.Unlock()
				switch {
				case first == 0 && exitOnSignal.Load():
					fmt.Fprintf(stderr, "proclab: interrupted by %s\n", signalName(s.(syscall.Signal)))
					exitNow(s.(syscall.Signal))
				case first == 0:
					firstAt = time.Now()
					cancel()
				case time.Since(firstAt) < sameRequest:
					// the same request, delivered twice
				case forced == nil:
					fmt.Fprintf(stderr, "proclab: %s again: writing what was measured, then exiting (in %v at most)\n",
						signalName(s.(syscall.Signal)), exitBound)
					forced = time.AfterFunc(exitBound, func() { exitNow(first) })
				default:
					fmt.Fprintf(stderr, "proclab: %s again: exiting now\n", signalName(s.(syscall.Signal)))
					exitNow(first)
				}
			case <-in.done:
				return
			}
		}
	}()
	return in
}

// exitOnSignal is set by the commands that only read and write files
// (report, diff): they do not look at the context, so the first signal
// ends them at once, with no temporary file left.
var exitOnSignal atomic.Bool

// sameRequest: a signal this soon after the first is the same request.
const sameRequest = time.Second

// exitBound: after a second signal, the lab exits this soon at the
// latest, with or without its results written.
const exitBound = 5 * time.Second

// exitNow ends the process with the status for death by first, removing
// the temporary files it was writing.
func exitNow(first syscall.Signal) {
	removePending()
	os.Exit(exitStatus(first))
}

// signal is the first signal received, or 0.
func (in *interrupts) signal() syscall.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.first
}

func (in *interrupts) stop() {
	signal.Stop(in.ch)
	// in.pipe stays watched: stdout may still be written after stop.
	close(in.done)
	in.cancel()
}

// exitStatus is the shell's status for death by s: 130 for SIGINT, 143
// for SIGTERM, 129 for SIGHUP.
func exitStatus(s syscall.Signal) int { return 128 + int(s) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}
