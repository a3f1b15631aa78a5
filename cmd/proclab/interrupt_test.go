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
			if !strings.Contains(stderr, "interrupted by "+signalName(tc.sig)) || strings.Count(withoutWarnings(stderr), "\n") != 1 {
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

// A task running in a thread of the lab cannot be killed, but it is
// stopped: its loop reads a stop flag. The first SIGINT ends the run with
// the thread tasks marked interrupted and the results written (before, it
// waited for them, and only a second SIGINT ended the lab, writing
// nothing).
func TestInterruptStopsThreads(t *testing.T) {
	l := startLab(t, nil, "--method", "thread", "--n-tasks", "2", "--n-iters", "18446744073709551615", "--json")
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
	if code := l.wait(t); code != 130 {
		t.Errorf("exit status %d, want 130; stderr:\n%s", code, l.errb.String())
	}
	res := decodeResult(t, l.out.String())
	if !res.Incomplete || len(res.Runs) != 1 {
		t.Fatalf("want one run marked incomplete, got incomplete=%v runs=%d", res.Incomplete, len(res.Runs))
	}
	for _, tk := range res.Runs[0].Tasks {
		if !strings.Contains(tk.Error, "interrupted") || tk.ChecksumOK != nil {
			t.Errorf("task %d: error %q, checksum_ok %v; want interrupted, unverified", tk.Task, tk.Error, tk.ChecksumOK)
		}
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
