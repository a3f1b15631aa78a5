package main

import (
	"os"
	"syscall"
	"testing"

	"github.com/proclab/proclab/lab"
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

// Python's forkserver and its children die with the lab too. Before, the
// forkserver (re-parented) waited for EOF on a pipe whose write end every
// task it had forked held a copy of, and the tasks died only with the
// forkserver: all of them ran on after the lab's SIGKILL until their loops
// ended (3 of 3 tries).
func TestNoOrphansWhenLabKilledPython(t *testing.T) {
	if _, err := lab.Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
	for _, method := range []string{"py-forkserver", "py-fork,py-forkserver"} {
		t.Run(method, func(t *testing.T) {
			l := startLab(t, nil, "--method", method, "--n-tasks", "2", "--n-iters", longIters, "--repeat", "1")
			if !l.waitForBusyTasks(t, 2) {
				t.Fatalf("the lab exited before its tasks ran: %s", l.errb.String())
			}
			ps := descendants(l.pid())
			syscall.Kill(l.pid(), syscall.SIGKILL)
			l.wait(t)
			awaitOrphansDead(t, ps) // each still alive 30 s later is an error
		})
	}
}

// A run of Python's forkserver leaves nothing in TMPDIR. Before,
// multiprocessing's empty pymp-* directory stayed in 5 of 6 runs: the
// lab killed the driver when it closed its socket, before the driver's
// exit handlers removed it.
func TestPythonLeavesNoTempDir(t *testing.T) {
	if _, err := lab.Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for i := 0; i < 3; i++ {
		if r := runLab(t, "--method", "py-forkserver", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "1", "--sample-interval", "0"); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Fatalf("run %d left %s in TMPDIR", i+1, left[0].Name())
		}
	}
}
