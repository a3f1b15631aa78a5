package lab

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// The lab can be stopped (SIGSTOP, Ctrl-Z) and continued, or starved of
// CPU, while its tasks run: a task's total and a run's wall then hold the
// time the lab was not there to reap, and a --timeout deadline passes
// while nobody looked. A heartbeat sees it: a goroutine that wakes every
// heartbeatEvery finds, after such a pause, that far more time passed;
// each gap longer than pauseGap is a pause, and the tasks alive across one
// are marked (results.Task.LabPausedNS) and kept out of the figures.
// Every 100 ms was too often: its wake-ups doubled the sampler's measured
// cost in TestSamplerBudgetHoldsWithManyTasks (1.04% against the 0.5%
// budget, 2 runs of 4).
const (
	heartbeatEvery = 500 * time.Millisecond
	pauseGap       = 1500 * time.Millisecond
)

// heartbeat records the lab's pauses while a run goes on.
type heartbeat struct {
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	gaps  [][2]int64 // [last beat, next beat] on CLOCK_MONOTONIC, each longer than pauseGap
	last  int64      // the last beat
}

func startHeartbeat() *heartbeat {
	h := &heartbeat{stopc: make(chan struct{}), done: make(chan struct{}), last: csys.Now()}
	go func() {
		defer close(h.done)
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-h.stopc:
				return
			case <-t.C:
			}
			h.beat()
		}
	}()
	return h
}

// beat notes that the lab runs now, and the pause before, if it was one.
func (h *heartbeat) beat() {
	now := csys.Now()
	h.mu.Lock()
	if now-h.last > int64(pauseGap) {
		h.gaps = append(h.gaps, [2]int64{h.last, now})
	}
	h.last = now
	h.mu.Unlock()
}

func (h *heartbeat) stop() {
	close(h.stopc)
	<-h.done
}

// mark sets LabPausedNS on each task of run alive across a pause, and
// returns a warning for the run, or "".
func (h *heartbeat) mark(run *results.RunResult) string {
	h.beat() // the pause just ended may not have been seen yet: the reapers ran first
	h.mu.Lock()
	gaps := append([][2]int64(nil), h.gaps...)
	h.mu.Unlock()
	n, longest := 0, int64(0)
	for i := range run.Tasks {
		t := &run.Tasks[i]
		from, to := t.Stamps.CreateNS, t.Stamps.CreateNS+t.TotalNS
		if t.Stamps.ReapedNS > to {
			to = t.Stamps.ReapedNS
		}
		if from == 0 {
			continue
		}
		var paused int64
		for _, g := range gaps {
			if lo, hi := max(from, g[0]), min(to, g[1]); hi > lo {
				paused += hi - lo
			}
		}
		if paused > 0 {
			t.LabPausedNS = ptr(paused)
			n++
			longest = max(longest, paused)
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("the lab was not running for up to %v while %d of its tasks were alive (stopped: SIGSTOP or Ctrl-Z, or starved of CPU): their totals and the wall hold that time, so they are left out of the figures",
		time.Duration(longest).Round(time.Millisecond), n)
}

// lateReader reads a task's result pipe. A read whose --timeout deadline
// passed while the pipe already had something to read (the task reported
// or ended while the lab was stopped) is not a timeout: the task was not
// running when the lab looked; the deadline is lifted and the read goes on.
type lateReader struct{ f *os.File }

func (l lateReader) Read(p []byte) (int, error) {
	n, err := l.f.Read(p)
	if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) && pipeReady(l.f) {
		l.f.SetReadDeadline(time.Time{})
		return l.f.Read(p)
	}
	return n, err
}

// pipeReady says f has data or its writer is gone, without waiting.
func pipeReady(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	ready := false
	rc.Control(func(fd uintptr) {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(pfd, 0); err == nil && n > 0 && pfd[0].Revents&(unix.POLLIN|unix.POLLHUP) != 0 {
			ready = true
		}
	})
	return ready
}
