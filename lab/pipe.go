package lab

import (
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// maxBlockingReads bounds how many result pipes are read at once with a
// plain blocking read(2) on a thread of its own; the rest go through Go's
// network poller. The poller costs a fork task dearly: the collecting
// goroutine parks, its thread looks for work and sleeps in epoll_wait, and
// all of that runs on the CPU the just-forked child is waiting for. Side
// by side on a busy 2-CPU VM, median startup of a near-empty fork task
// fell from 1.26-1.37x the C floor to 1.10-1.16x and total from 1.25-1.29x
// to 1.07-1.13x with a blocking read (docs/PERFORMANCE.md). A blocked read
// holds an OS thread, hence the bound: with thousands of tasks in flight
// the poller keeps the thread count small.
const maxBlockingReads = 64

// readBudget counts the blocking reads in flight.
type readBudget struct{ n atomic.Int32 }

func (b *readBudget) take() bool {
	if b.n.Add(1) <= maxBlockingReads {
		return true
	}
	b.n.Add(-1)
	return false
}

func (b *readBudget) give() { b.n.Add(-1) }

// resultEnd is the lab's read end of a task's result pipe.
type resultEnd struct {
	*os.File
	budget *readBudget // set while this end holds a blocking-read slot
}

// Close closes the read end and frees its blocking-read slot.
func (r *resultEnd) Close() error {
	if r.budget != nil {
		r.budget.give()
		r.budget = nil
	}
	return r.File.Close()
}

// resultPipe makes a task's result pipe: a read end for the lab (blocking
// while the budget allows, else pollable) and a raw, blocking,
// close-on-exec write end for the child. A blocking read needs no
// deadline: a child that dies closes its end and the read sees EOF, and
// every path that gives up on a child kills it.
func (e *env) resultPipe() (*resultEnd, int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, -1, fmt.Errorf("pipe: %w", err)
	}
	r := &resultEnd{}
	if e.reads.take() {
		r.budget = &e.reads
	} else if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return nil, -1, fmt.Errorf("pipe: %w", err)
	}
	// os.NewFile registers a non-blocking fd with the poller and leaves a
	// blocking one to plain read(2).
	r.File = os.NewFile(uintptr(p[0]), "result")
	return r, p[1], nil
}
