package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/results"
)

// Without python3 on PATH, a Python method is bad input that says what to
// install, and `all` runs without the Python rows, saying so once.
func TestPythonMissingCLI(t *testing.T) {
	t.Setenv("PATH", "")
	t.Setenv("PROCLAB_PYTHON", "")
	r := runLab(t, "--method", "py-spawn", "--n-tasks", "1")
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "install it (apt-get install python3)") {
		t.Fatalf("py-spawn without python3: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runLab(t, "--method", "all", "--n-tasks", "1", "--n-iters", "1000", "--json", "--sample-interval", "0")
	if r.code != 0 || strings.Count(r.stderr, "leaves out py-fork") != 1 {
		t.Fatalf("all without python3: exit %d, stderr %q", r.code, r.stderr)
	}
	var res results.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Spec.Methods {
		if m.IsPython() {
			t.Errorf("all ran %s without python3", m)
		}
	}
}

// The Python rows go through every output like the others: the table, the
// JSON with the driver's figures, and the files of --out.
func TestPythonRowsEverywhere(t *testing.T) {
	if _, err := lab.Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	r := runLab(t, "--method", "py-fork,py-forkserver,fork", "--n-tasks", "2", "--n-iters", "2000", "--repeat", "2", "--out", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, m := range []string{"py-fork", "py-forkserver"} {
		if !strings.Contains(r.stdout, m) {
			t.Errorf("table has no %s row:\n%s", m, r.stdout)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res results.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Python == nil || res.Python.PID <= 0 || res.Python.ForkserverPID == nil {
		t.Fatalf("python driver figures: %+v", res.Python)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "results.csv"))
	bench, _ := os.ReadFile(filepath.Join(dir, "bench.txt"))
	if !strings.Contains(string(csv), "py-forkserver") || !strings.Contains(string(bench), "method=py-fork") {
		t.Errorf("csv or bench.txt has no Python rows:\n%s\n%s", csv, bench)
	}
}

// A stopped Python driver (SIGSTOP) does not hold the lab: its tasks end,
// the driver owes their "exited" and never sends it, so after a bounded
// wait the lab kills it, reports the tasks failed with why, writes its
// results and exits 1. Before, the tasks stayed zombies and the lab waited
// until killed, writing nothing.
func TestPythonDriverStoppedCLI(t *testing.T) {
	if _, err := lab.Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	l := startLab(t, nil, "--method", "py-spawn", "--n-tasks", "4", "--n-iters", "1000000", "--repeat", "1",
		"--sample-interval", "0", "--json", "--out", dir)
	deadline := time.Now().Add(time.Minute)
	var ps []proc
	for ps == nil {
		for _, d := range childrenOf(l.pid()) {
			tasks := 0
			for _, k := range childrenOf(d) {
				if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", k)); strings.Contains(string(b), "spawn_main") {
					tasks++
				}
			}
			if procComm(d) == "python3" && tasks >= 4 {
				ps = descendants(l.pid())
				syscall.Kill(d, syscall.SIGSTOP)
			}
		}
		if ps == nil && (!l.alive() || time.Now().After(deadline)) {
			t.Fatalf("the driver did not start 4 tasks (lab alive %v): %s", l.alive(), l.errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	code := l.wait(t)
	awaitOrphansDead(t, ps) // the driver's tasks, its zombies, are re-parented here
	if code != 1 || !strings.Contains(l.errb.String(), "python driver killed: it did not report the end of task") {
		t.Errorf("exit %d, want 1 with the driver given up; stderr:\n%s", code, l.errb.String())
	}
	res := decodeResult(t, l.out.String())
	if len(res.Runs) != 1 || len(res.Runs[0].Tasks) != 4 {
		t.Fatalf("want one run of 4 tasks, got %d runs", len(res.Runs))
	}
	for _, tk := range res.Runs[0].Tasks {
		if !strings.Contains(tk.Error, "python driver killed") {
			t.Errorf("task %d: error %q, want the driver given up", tk.Task, tk.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		t.Errorf("--out has no results: %v", err)
	}
}

// A python3 that is there but broken (it exits 1 at once) fails Python's
// methods, each task with the reason; the C and Go methods run and are
// measured. Before, the driver's failure ended the whole run: 0 tasks for
// every method.
func TestBrokenPythonFailsOnlyPython(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	t.Setenv("PROCLAB_PYTHON", "")
	r := runLab(t, "--method", "fork,spawn,py-fork,py-spawn", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "1",
		"--json", "--sample-interval", "0")
	if r.code != 1 || !strings.Contains(r.stderr, "python driver exited (exit status 1)") || strings.Count(withoutWarnings(r.stderr), "\n") != 1 {
		t.Errorf("exit %d, want 1 with one line naming the driver's failure; stderr:\n%s", r.code, r.stderr)
	}
	res := decodeResult(t, r.stdout)
	ran := map[results.Method]int{}
	for _, run := range res.Runs {
		for _, tk := range run.Tasks {
			switch {
			case run.Method.IsPython() && !strings.Contains(tk.Error, "python driver exited"):
				t.Errorf("%s task %d: error %q, want the driver's failure", run.Method, tk.Task, tk.Error)
			case !run.Method.IsPython() && tk.Error == "":
				ran[run.Method]++
			}
		}
	}
	if ran[results.Fork] != 2 || ran[results.Spawn] != 2 {
		t.Errorf("want 2 good tasks each of fork and spawn, got %v", ran)
	}
}

// Python's forkserver killed (SIGKILL) while its tasks run: the tasks say
// that the server died, and the next round's tasks start under the new
// server multiprocessing makes. Before: "exited with status 255", and the
// next round's first task exited 1 (the driver's parent check kept the
// old server's pid).
func TestPythonForkserverKilled(t *testing.T) {
	if _, err := lab.Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
	l := startLab(t, nil, "--method", "py-forkserver", "--n-tasks", "2", "--n-iters", longIters, "--repeat", "2",
		"--timeout", "4s", "--json", "--sample-interval", "0")
	if !l.waitForBusyTasks(t, 2) {
		t.Fatalf("the lab exited before its tasks ran: %s", l.errb.String())
	}
	server := 0
	for _, d := range childrenOf(l.pid()) {
		for _, k := range childrenOf(d) {
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", k)); strings.Contains(string(b), "forkserver import main") {
				server = k
			}
		}
	}
	if server == 0 {
		t.Fatal("no Python forkserver found")
	}
	ps := descendants(l.pid())
	syscall.Kill(server, syscall.SIGKILL)
	l.wait(t)
	awaitOrphansDead(t, ps) // the server's tasks are re-parented here
	res := decodeResult(t, l.out.String())
	if len(res.Runs) != 2 {
		t.Fatalf("%d runs, want 2; stderr:\n%s", len(res.Runs), l.errb.String())
	}
	for _, tk := range res.Runs[0].Tasks {
		if want := fmt.Sprintf("Python's forkserver (pid %d) died", server); !strings.Contains(tk.Error, want) {
			t.Errorf("round 0 task %d: error %q, want %q", tk.Task, tk.Error, want)
		}
	}
	for _, tk := range res.Runs[1].Tasks {
		if !tk.TimedOut { // it ran its loop until --timeout
			t.Errorf("round 1 task %d: error %q, want timed out (started under the new server)", tk.Task, tk.Error)
		}
	}
}
