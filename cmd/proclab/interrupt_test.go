package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// longIters keeps a task busy for minutes: only a kill ends it in a test.
const longIters = "500000000000"

// On SIGINT or SIGTERM during a run, every child is killed and reaped, the
// results so far are written marked incomplete, and the exit status is
// 130 or 143.
func TestInterrupt(t *testing.T) {
	for _, tc := range []struct {
		method string
		sig    syscall.Signal
		code   int
	}{
		{"fork", syscall.SIGINT, 130},
		{"fork", syscall.SIGTERM, 143},
		{"spawn", syscall.SIGINT, 130},
		{"fork-exec", syscall.SIGTERM, 143},
		{"exec", syscall.SIGINT, 130},
		{"forkserver", syscall.SIGTERM, 143},
	} {
		t.Run(tc.method+"/"+tc.sig.String(), func(t *testing.T) {
			l := startLab(t, &syscall.SysProcAttr{}, "--method", tc.method, "--n-tasks", "3",
				"--n-iters", longIters, "--repeat", "2", "--json")
			if !l.waitForTasks(t, 3) {
				l.wait(t)
				t.Fatalf("the lab exited before starting its tasks: %s", l.errb.String())
			}
			if !l.waitForBusyTasks(t, 3) { // exec'd workers past their start, in the loop
				t.Fatalf("the lab exited before its tasks ran: %s", l.errb.String())
			}
			ps := descendants(l.pid())
			syscall.Kill(l.pid(), tc.sig)
			if code := l.wait(t); code != tc.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tc.code, l.errb.String())
			}
			assertReapedByLab(t, ps)
			stderr := l.errb.String()
			if !strings.Contains(stderr, "interrupted by "+signalName(tc.sig)) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line saying it was interrupted:\n%s", stderr)
			}
			res := decodeResult(t, l.out.String())
			if !res.Incomplete || len(res.Runs) != 1 || len(res.Runs[0].Tasks) != 3 {
				t.Fatalf("want one run of 3 tasks marked incomplete, got incomplete=%v runs=%d", res.Incomplete, len(res.Runs))
			}
			for _, tk := range res.Runs[0].Tasks {
				if !strings.HasPrefix(tk.Error, "interrupted") || tk.PID == 0 {
					t.Errorf("task %d (pid %d): error %q, want interrupted", tk.Task, tk.PID, tk.Error)
				}
			}
		})
	}
}

// A task running in a thread of the lab cannot be killed: the first
// SIGINT waits for it, a second one ends the lab at once.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	l := startLab(t, nil, "--method", "thread", "--n-tasks", "2", "--n-iters", longIters)
	// Both task threads run their loops: two threads busy, which the
	// lab's own threads never are.
	deadline := time.Now().Add(30 * time.Second)
	for busyThreads(l.pid(), busyTicks) < 2 {
		if !l.alive() || time.Now().After(deadline) {
			t.Fatalf("the lab's task threads did not start (alive %v): %s", l.alive(), l.errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	syscall.Kill(l.pid(), syscall.SIGINT)
	// The first SIGINT is taken (no longer pending) and the loops go on
	// for 25 more ticks of CPU each: the lab kept waiting for them
	// meanwhile, rather than exiting.
	cpu := busyThreadsCPU(l.pid(), busyTicks)
	for signalPending(l.pid(), syscall.SIGINT) || busyThreadsCPU(l.pid(), busyTicks) < cpu+50 {
		if !l.alive() {
			t.Fatalf("the lab exited on the first SIGINT while its threads ran: %s", l.errb.String())
		}
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatal("the loops did not go on after the first SIGINT")
		}
		time.Sleep(5 * time.Millisecond)
	}
	syscall.Kill(l.pid(), syscall.SIGINT)
	if code := l.wait(t); code != 130 {
		t.Errorf("exit status %d, want 130; stderr:\n%s", code, l.errb.String())
	}
	if !strings.Contains(l.errb.String(), "SIGINT again: exiting now") {
		t.Errorf("stderr does not say why it exited:\n%s", l.errb.String())
	}
}

// The table, too, is written on interrupt, and says it is incomplete.
func TestInterruptTable(t *testing.T) {
	l := startLab(t, nil, "--method", "fork", "--n-tasks", "2", "--n-iters", longIters)
	if !l.waitForTasks(t, 2) {
		t.Fatalf("the lab exited early: %s", l.errb.String())
	}
	syscall.Kill(l.pid(), syscall.SIGINT)
	if code := l.wait(t); code != 130 {
		t.Errorf("exit status %d, want 130", code)
	}
	out := l.out.String()
	if !strings.Contains(out, "interrupted: these results are incomplete") ||
		strings.Count(out, "interrupted: killed by the lab") != 2 {
		t.Errorf("table does not show the interrupted run:\n%s", out)
	}
}
