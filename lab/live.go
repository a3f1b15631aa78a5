package lab

import (
	"sync"
	"syscall"
)

// killReason says why the lab killed a child.
type killReason int

const (
	killNone        killReason = iota
	killInterrupted            // the run was cancelled (Ctrl-C, SIGTERM)
	killTimeout                // the task ran past --timeout
)

// liveSet tracks the children that may still be running, so that a
// cancelled run or a timeout can kill them. A pid leaves the set before it
// is reaped, so a kill never reaches a recycled pid.
type liveSet struct {
	mu        sync.Mutex
	pids      map[int]*liveEntry
	cancelled bool // killAll ran: a child added later is killed at once
}

type liveEntry struct {
	why  killReason
	kill func() // nil: SIGKILL by pid
}

func newLiveSet() *liveSet { return &liveSet{pids: map[int]*liveEntry{}} }

// add records a child just created; kill is how to kill it (nil: SIGKILL
// to pid, for the lab's own children; a forkserver's children are killed
// by their server). If the run was cancelled meanwhile (between the check
// before the create and now), the child is killed.
func (l *liveSet) add(pid int, kill func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pids[pid] = &liveEntry{kill: kill}
	if l.cancelled {
		l.killLocked(pid, killInterrupted)
	}
}

// kill sends SIGKILL to pid if it is still in the set; the first reason
// given is the one reported.
func (l *liveSet) kill(pid int, why killReason) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.killLocked(pid, why)
}

func (l *liveSet) killLocked(pid int, why killReason) {
	c, ok := l.pids[pid]
	if !ok {
		return
	}
	if c.why == killNone {
		c.why = why
	}
	if c.kill != nil {
		c.kill()
		return
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// killAll kills every child in the set, and every child added later.
func (l *liveSet) killAll(why killReason) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cancelled = true
	for pid := range l.pids {
		l.killLocked(pid, why)
	}
}

// remove takes pid out of the set before it is reaped, and says whether
// (and why) the lab killed it.
func (l *liveSet) remove(pid int) killReason {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.pids[pid]
	delete(l.pids, pid)
	if c == nil {
		return killNone
	}
	return c.why
}

// len is the number of children in the set.
func (l *liveSet) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pids)
}
