package main

import (
	"os"
	"os/exec"
	"path/filepath"
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

// A second signal that comes with the first is the same request, not "exit
// now": GNU timeout signals the lab and then its whole process group, and
// systemd sends SIGTERM and then SIGHUP. Before, the second one made the
// lab exit at once without writing anything (1 run in 6 under timeout;
// every time here, where two different signals cannot merge in the kernel).
func TestRepeatedSignalIsOneRequest(t *testing.T) {
	waitBusy := func(t *testing.T, l *startedLab) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for busyThreads(l.pid(), busyTicks) < 2 {
			if !l.alive() || time.Now().After(deadline) {
				t.Fatalf("the lab's task threads did not start (alive %v): %s", l.alive(), l.errb.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// want is the exit status for the signal the lab names: the kernel
	// hands over two pending signals lowest first, whatever order they
	// were sent in.
	check := func(t *testing.T, l *startedLab, out string, code int, want map[string]int) {
		t.Helper()
		named := false
		for name, w := range want {
			if strings.Contains(l.errb.String(), "interrupted by "+name) {
				named = true
				if code != w {
					t.Errorf("exit status %d, want %d; stderr:\n%s", code, w, l.errb.String())
				}
			}
		}
		if strings.Contains(l.errb.String(), "again") || !named {
			t.Errorf("stderr does not take the signals as one request:\n%s", l.errb.String())
		}
		res := decodeResult(t, l.out.String())
		if !res.Incomplete || len(res.Runs) != 1 || len(res.Runs[0].Tasks) != 2 {
			t.Fatalf("want one run of 2 tasks marked incomplete, got incomplete=%v runs=%d", res.Incomplete, len(res.Runs))
		}
		if _, err := os.Stat(filepath.Join(out, "results.json")); err != nil {
			t.Errorf("--out has no results: %v", err)
		}
	}
	t.Run("SIGTERM+SIGHUP", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		l := startLab(t, nil, "--method", "thread", "--n-tasks", "2", "--n-iters", "18446744073709551615", "--json", "--out", out)
		waitBusy(t, l)
		syscall.Kill(l.pid(), syscall.SIGTERM)
		syscall.Kill(l.pid(), syscall.SIGHUP)
		check(t, l, out, l.wait(t), map[string]int{"SIGTERM": 143, "SIGHUP": 129})
	})
	t.Run("timeout", func(t *testing.T) {
		// The real tool: it runs the lab in a process group of its own
		// and signals both.
		out := filepath.Join(t.TempDir(), "out")
		l := &startedLab{cmd: exec.Command("timeout", "-s", "TERM", "1000", labBin,
			"--method", "thread", "--n-tasks", "2", "--n-iters", "18446744073709551615", "--json", "--out", out)}
		l.cmd.Stdout, l.cmd.Stderr = &l.out, &l.errb
		l.cmd.WaitDelay = waitDelay
		if err := l.cmd.Start(); err != nil {
			t.Skipf("no GNU timeout: %v", err)
		}
		t.Cleanup(func() {
			if !l.waited {
				l.cmd.Process.Kill()
				l.cmd.Wait()
			}
		})
		deadline := time.Now().Add(30 * time.Second)
		var lab int
		for lab == 0 {
			if kids := childrenOf(l.pid()); len(kids) == 1 && procComm(kids[0]) == "proclab" {
				lab = kids[0]
			} else if time.Now().After(deadline) {
				t.Fatal("timeout did not start the lab")
			} else {
				time.Sleep(5 * time.Millisecond)
			}
		}
		for busyThreads(lab, busyTicks) < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("the lab's task threads did not start: %s", l.errb.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		// What timeout does when its time is up: SIGTERM to the lab,
		// then to the group (timeout.c, cleanup()).
		syscall.Kill(l.pid(), syscall.SIGALRM)
		check(t, l, out, l.wait(t), map[string]int{"SIGTERM": 124})
	})
}

// A run interrupted before any recorded round (in its warmup) has no task
// for bench.txt: it is not written (an older one goes), and a warning says
// why. Before, bench.txt was written with 0 bytes beside results that held
// the interrupted tasks.
func TestInterruptedInWarmupNoEmptyBench(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "bench.txt"), []byte("BenchmarkOld 1 1 sec/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := startLab(t, nil, "--method", "fork", "--n-tasks", "2", "--n-iters", longIters, "--warmup", "1", "--repeat", "1", "--out", out)
	if !l.waitForTasks(t, 2) {
		l.wait(t)
		t.Fatalf("the lab exited before starting its tasks: %s", l.errb.String())
	}
	syscall.Kill(l.pid(), syscall.SIGTERM)
	if code := l.wait(t); code != 143 {
		t.Errorf("exit status %d, want 143; stderr:\n%s", code, l.errb.String())
	}
	if b, err := os.ReadFile(filepath.Join(out, "bench.txt")); err == nil {
		t.Errorf("bench.txt is there (%d bytes: %q), want none", len(b), b)
	}
	if !strings.Contains(l.errb.String(), "bench.txt not written: no task of a recorded round counts") {
		t.Errorf("no warning about bench.txt:\n%s", l.errb.String())
	}
	if _, err := os.Stat(filepath.Join(out, "results.json")); err != nil {
		t.Errorf("no results.json: %v", err)
	}
}

// Two signals back to back with --start-profile leave the profile written
// and no temporary file. Before, the second made the lab exit at once: no
// results, and the profile's .start.pb.gz.tmp-* file left behind.
func TestDoubleSignalStartProfileNoTemp(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("kernel call chains need root (or CAP_PERFMON) here")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "start.pb.gz")
	l := startLab(t, nil, "--method", "fork", "--n-tasks", "2", "--n-iters", longIters, "--repeat", "1",
		"--start-profile", file, "--out", filepath.Join(dir, "out"))
	if !l.waitForTasks(t, 2) {
		l.wait(t)
		t.Fatalf("the lab exited before starting its tasks: %s", l.errb.String())
	}
	syscall.Kill(l.pid(), syscall.SIGINT)
	syscall.Kill(l.pid(), syscall.SIGTERM)
	l.wait(t)
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*"))
	more, _ := filepath.Glob(filepath.Join(dir, "out", ".*tmp-*"))
	if left = append(left, more...); len(left) > 0 {
		t.Errorf("temporary files left: %v; stderr:\n%s", left, l.errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "results.json")); err != nil {
		t.Errorf("no results.json: %v; stderr:\n%s", err, l.errb.String())
	}
}
