package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts turns the first SIGINT or SIGTERM into the cancellation of
// ctx: the lab kills and reaps its children and returns what it measured
// so far. A second signal ends the process at once (a task running in a
// thread of the lab cannot be stopped, so the first may take a while);
// children still alive then die with it (they set PR_SET_PDEATHSIG).
type interrupts struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan os.Signal
	done   chan struct{}

	mu    sync.Mutex
	first syscall.Signal
}

func watchInterrupts(stderr io.Writer) *interrupts {
	ctx, cancel := context.WithCancel(context.Background())
	in := &interrupts{ctx: ctx, cancel: cancel, ch: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for {
			select {
			case s := <-in.ch:
				in.mu.Lock()
				first := in.first
				if first == 0 {
					in.first = s.(syscall.Signal)
				}
				in.mu.Unlock()
				if first == 0 {
					cancel()
					continue
				}
				fmt.Fprintf(stderr, "proclab: %s again: exiting now, without waiting for the tasks\n", signalName(s.(syscall.Signal)))
				os.Exit(exitStatus(first))
			case <-in.done:
				return
			}
		}
	}()
	return in
}

// signal is the first signal received, or 0.
func (in *interrupts) signal() syscall.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.first
}

func (in *interrupts) stop() {
	signal.Stop(in.ch)
	close(in.done)
	in.cancel()
}

// exitStatus is the shell's status for death by s: 130 for SIGINT, 143
// for SIGTERM.
func exitStatus(s syscall.Signal) int { return 128 + int(s) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
