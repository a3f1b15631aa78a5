package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A child killed from outside (as the OOM killer would) or crashing is
// reported with its signal, the other tasks finish, and the exit status
// is 1.
func TestChildKilledFromOutside(t *testing.T) {
	for _, tc := range []struct {
		method string
		sig    syscall.Signal
		name   string
	}{
		{"fork", syscall.SIGKILL, "SIGKILL"},
		{"fork", syscall.SIGSEGV, "SIGSEGV"},
		{"spawn", syscall.SIGKILL, "SIGKILL"},
		// An exec'd worker has a Go runtime, whose crash handler printed
		// a ~100-line trace on the lab's stderr and exited 2 ("exited
		// with status 2"): the worker now dies by the signal, as a fork
		// child does.
		{"spawn", syscall.SIGSEGV, "SIGSEGV"},
		{"exec", syscall.SIGABRT, "SIGABRT"},
		{"fork-exec", syscall.SIGBUS, "SIGBUS"},
	} {
		t.Run(tc.method+"/"+tc.name, func(t *testing.T) {
			// Tasks of a second or so (longer on a loaded machine). The
			// victim is stopped first, so that it cannot finish before the
			// signal reaches it; a child found already done is passed over.
			// An exec'd worker is signalled in its loop, past the Go
			// runtime's start (whose handlers are the runtime's).
			worker := tc.method != "fork"
			iters := "600000000"
			if worker {
				iters = "3000000000"
			}
			l := startLab(t, nil, "--method", tc.method, "--n-tasks", "3", "--n-iters", iters, "--repeat", "1", "--json")
			if !l.waitForTasks(t, 3) {
				t.Fatalf("the lab exited early: %s", l.errb.String())
			}
			victim := 0
			for deadline := time.Now().Add(30 * time.Second); victim == 0; {
				// /proc/PID/task/*/children is a snapshot that can miss a
				// child while the lab's threads move: look again.
				for _, k := range childrenOf(l.pid()) {
					if worker && cpuTicks(fmt.Sprintf("/proc/%d/stat", k)) < busyTicks {
						continue
					}
					if stopLive(t, k) {
						victim = k
						break
					}
				}
				if victim == 0 && (!l.alive() || time.Now().After(deadline)) {
					t.Fatalf("no live child of the lab to kill (alive %v): %s", l.alive(), l.errb.String())
				}
			}
			syscall.Kill(victim, tc.sig)
			syscall.Kill(victim, syscall.SIGCONT) // a signal other than SIGKILL waits for it
			if code := l.wait(t); code != 1 {
				t.Errorf("exit status %d, want 1; stderr:\n%s", code, l.errb.String())
			}
			res := decodeResult(t, l.out.String())
			if res.Incomplete || len(res.Runs) != 1 {
				t.Fatalf("want one complete run, got incomplete=%v runs=%d", res.Incomplete, len(res.Runs))
			}
			found := false
			for _, tk := range res.Runs[0].Tasks {
				if tk.PID == victim {
					found = true
					if tk.Signal == nil || *tk.Signal != int(tc.sig) || !strings.Contains(tk.Error, "killed by "+tc.name) {
						t.Errorf("killed task: signal %v error %q, want %s", tk.Signal, tk.Error, tc.name)
					}
					continue
				}
				if !tk.Good() || tk.ExitCode == nil || *tk.ExitCode != 0 {
					t.Errorf("task %d did not finish well beside the killed one: %+v", tk.Task, tk)
				}
			}
			if !found {
				t.Errorf("no task has the killed pid %d", victim)
			}
			stderr := l.errb.String()
			if !strings.Contains(stderr, "1 of 3 tasks failed") || !strings.Contains(stderr, "killed by "+tc.name) ||
				strings.Count(withoutWarnings(stderr), "\n") != 1 {
				t.Errorf("stderr is not one line naming the failure:\n%s", stderr)
			}
		})
	}
}

// --timeout kills a task that runs too long and reports it as timed out;
// the run ends long before the task would have.
func TestTimeout(t *testing.T) {
	for _, method := range []string{"fork", "spawn", "exec", "forkserver"} {
		t.Run(method, func(t *testing.T) {
			l := startLab(t, nil, "--method", method, "--n-tasks", "2", "--n-iters", longIters,
				"--timeout", "300ms", "--repeat", "1", "--json")
			code := l.wait(t)
			if code != 1 {
				t.Errorf("exit status %d, want 1; stderr:\n%s", code, l.errb.String())
			}
			res := decodeResult(t, l.out.String())
			for _, tk := range res.Runs[0].Tasks {
				if !tk.TimedOut || tk.Signal == nil || *tk.Signal != int(syscall.SIGKILL) ||
					!strings.Contains(tk.Error, "timed out: still running after --timeout 300ms, killed") {
					t.Errorf("task %d: timed_out %v signal %v error %q", tk.Task, tk.TimedOut, tk.Signal, tk.Error)
				}
				if tk.TotalNS < int64(300*time.Millisecond) {
					t.Errorf("task %d killed after %v, before its timeout", tk.Task, time.Duration(tk.TotalNS))
				}
			}
			if !strings.Contains(l.errb.String(), "timed out") {
				t.Errorf("stderr does not say a task timed out:\n%s", l.errb.String())
			}
		})
	}
	t.Run("in time", func(t *testing.T) {
		r := runLab(t, "--method", "fork,thread", "--n-tasks", "2", "--n-iters", "1000", "--timeout", "1m", "--repeat", "1", "--json")
		if r.code != 0 {
			t.Fatalf("exit status %d: %s", r.code, r.stderr)
		}
		for _, run := range decodeResult(t, r.stdout).Runs {
			for _, tk := range run.Tasks {
				if tk.TimedOut || !tk.Good() {
					t.Errorf("%s task %d: %+v", run.Method, tk.Task, tk)
				}
			}
		}
	})
	t.Run("thread", func(t *testing.T) {
		// A thread cannot be killed, but its loop reads a stop flag: a
		// task of 2^64-1 iterations (centuries) ends at --timeout, marked
		// timed out, its checksum unverified (null), not false. Before,
		// it ran on until runLab's 2-minute limit killed the lab.
		for _, m := range []string{"thread", "single"} {
			r := runLab(t, "--method", m, "--n-tasks", "2", "--n-iters", "18446744073709551615", "--timeout", "1s", "--repeat", "1", "--json")
			if r.code != 1 {
				t.Fatalf("%s: exit status %d, want 1: %s", m, r.code, r.stderr)
			}
			for _, tk := range decodeResult(t, r.stdout).Runs[0].Tasks {
				if !tk.TimedOut || !strings.Contains(tk.Error, "timed out") || tk.ChecksumOK != nil || tk.TaskCPUNS == nil {
					t.Errorf("%s task %d: %+v", m, tk.Task, tk)
				}
			}
		}
	})
}

// A lab stopped (SIGSTOP) while its tasks run and continued after their
// --timeout: a task that had ended meanwhile was not running when its
// deadline passed, so it is not timed out; and every task alive across the
// pause is marked (lab_paused_ns) and left out of the figures, with a
// warning. Before: "timed out: still running after --timeout 2s, killed"
// with exit_code 0, or (without --timeout) totals inflated by the pause at
// exit 0 with no word.
func TestLabStoppedAndContinued(t *testing.T) {
	for _, timeout := range []string{"2s", "0"} {
		t.Run("timeout="+timeout, func(t *testing.T) {
			l := startLab(t, nil, "--method", "fork", "--n-tasks", "2", "--n-iters", "300000000", "--repeat", "1",
				"--timeout", timeout, "--json", "--sample-interval", "0")
			if !l.waitForTasks(t, 2) {
				l.wait(t)
				t.Fatalf("the lab exited before starting its tasks: %s", l.errb.String())
			}
			kids := childrenOf(l.pid())
			syscall.Kill(l.pid(), syscall.SIGSTOP)
			stopped := time.Now()
			// The tasks end while the lab is stopped: zombies it cannot reap.
			for _, k := range kids {
				for deadline := time.Now().Add(time.Minute); procState(k) != "Z"; {
					if time.Now().After(deadline) {
						syscall.Kill(l.pid(), syscall.SIGCONT)
						t.Fatalf("task %d did not end (state %s)", k, procState(k))
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			for time.Since(stopped) < 3*time.Second { // past the 2 s deadline, past the lab's pause threshold
				time.Sleep(50 * time.Millisecond)
			}
			syscall.Kill(l.pid(), syscall.SIGCONT)
			code := l.wait(t)
			res := decodeResult(t, l.out.String())
			if code != 0 || len(res.Runs) != 1 || len(res.Runs[0].Tasks) != 2 {
				t.Fatalf("exit %d, %d runs; stderr:\n%s", code, len(res.Runs), l.errb.String())
			}
			for _, tk := range res.Runs[0].Tasks {
				if tk.TimedOut || tk.Error != "" || tk.ExitCode == nil || *tk.ExitCode != 0 {
					t.Errorf("task %d: timed_out %v, error %q, exit %v: it ended while the lab was stopped", tk.Task, tk.TimedOut, tk.Error, tk.ExitCode)
				}
				// Within the task's life: create to reaped (total_ns leaves
				// out the child's memory read, the pause does not).
				if life := tk.Stamps.ReapedNS - tk.Stamps.CreateNS; tk.LabPausedNS == nil || *tk.LabPausedNS < int64(2*time.Second) || *tk.LabPausedNS > life {
					t.Errorf("task %d: lab_paused_ns %v (alive %d ns), want the pause of about 3 s", tk.Task, fmtPtr(tk.LabPausedNS), life)
				}
			}
			if !strings.Contains(l.errb.String(), "the lab was not running for up to") {
				t.Errorf("no warning of the pause:\n%s", l.errb.String())
			}
		})
	}
}

func fmtPtr(p *int64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}
