package main

import (
	"syscall"
	"testing"
)

// No child outlives the lab: with the lab killed by SIGKILL (no chance to
// clean up), its children die too, by PR_SET_PDEATHSIG. They are
// re-parented to this test (a subreaper), which reaps them and checks how
// they ended.
func TestNoOrphansWhenLabKilled(t *testing.T) {
	for _, method := range []string{"fork", "spawn", "fork-exec", "exec", "forkserver"} {
		t.Run(method, func(t *testing.T) {
			l := startLab(t, nil, "--method", method, "--n-tasks", "3", "--n-iters", longIters, "--repeat", "1")
			if !l.waitForTasks(t, 3) {
				l.wait(t)
				t.Fatalf("the lab exited before starting its tasks: %s", l.errb.String())
			}
			if !l.waitForBusyTasks(t, 3) {
				t.Fatalf("the lab exited before its tasks ran: %s", l.errb.String())
			}
			ps := descendants(l.pid())
			syscall.Kill(l.pid(), syscall.SIGKILL)
			l.wait(t)
			ended := awaitOrphansDead(t, ps)
			for pid, ws := range ended {
				// PDEATHSIG is SIGKILL; a child that saw its parent gone
				// before arming it exits 126.
				if !(ws.Signaled() && ws.Signal() == syscall.SIGKILL) && !(ws.Exited() && ws.ExitStatus() == 126) {
					t.Errorf("orphan %d ended with %v, want SIGKILL (parent death signal)", pid, ws)
				}
			}
			if len(ended) != len(ps) {
				t.Errorf("reaped %d of the lab's %d descendants", len(ended), len(ps))
			}
		})
	}
}
