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
	pids      map[int]killReason
	cancelled bool // killAll ran: a child added later is killed at once
}

func newLiveSet() *liveSet { return &liveSet{pids: map[int]killReason{}} }

// add records a child just created. If the run was cancelled meanwhile
// (between the check before the create and now), the child is killed.
func (l *liveSet) add(pid int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pids[pid] = killNone
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
	r, ok := l.pids[pid]
	if !ok {
		return
	}
	if r == killNone {
		l.pids[pid] = why
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
	r := l.pids[pid]
	delete(l.pids, pid)
	return r
}

// len is the number of children in the set.
func (l *liveSet) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pids)
}
