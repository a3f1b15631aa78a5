package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// labTree is a copy of the repository's scripts/lab.sh beside a bin/proclab
// (the test's binary) in a temporary directory, as lab.sh expects them.
func labTree(t *testing.T) (dir, script string) {
	t.Helper()
	dir = t.TempDir()
	for _, d := range []string{"scripts", "bin"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script = filepath.Join(dir, "scripts", "lab.sh")
	copyFile("../../scripts/lab.sh", script)
	copyFile(labBin, filepath.Join(dir, "bin", "proclab"))
	return dir, script
}

// inDir lists the processes whose working directory is dir: lab.sh and
// what it started (they run in the tree's root).
func inDir(dir string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == dir && procState(pid) != "Z" {
			out = append(out, pid)
		}
	}
	return out
}

// lab.sh --help prints its usage and starts nothing; an unknown argument
// is one line and exit 2.
func TestLabScriptHelp(t *testing.T) {
	dir, script := labTree(t)
	out, err := exec.Command("bash", script, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--quick") || !strings.Contains(string(out), "Usage: scripts/lab.sh") {
		t.Fatalf("lab.sh --help: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lab.sh --help started a lab (results/: %v)", err)
	}
	var ee *exec.ExitError
	out, err = exec.Command("bash", script, "--bogus").CombinedOutput()
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Errorf("lab.sh --bogus: %v, want exit 2 and one line:\n%s", err, out)
	}
}

// Killing lab.sh takes the proclab it runs down with it: proclab is told
// to stop, writes what it measured, and nothing of the lab is left
// running; lab.sh exits 143 and the part's results are on disk.
func TestLabScriptStopsItsChildren(t *testing.T) {
	dir, script := labTree(t)
	cmd := exec.Command("bash", script, "--quick")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LAB_PYTHON=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until lab.sh runs a proclab (the first part), then stop lab.sh.
	// (Not any process in the tree: lab.sh's own $(dirname ...) is one.)
	runsLab := func() bool {
		for _, pid := range inDir(dir) {
			if procComm(pid) == "proclab" {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !runsLab() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !runsLab() {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("lab.sh started no proclab within 2 minutes:\n%s", out.String())
	}
	time.Sleep(300 * time.Millisecond) // into the run
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("lab.sh after SIGTERM: %v, want exit 143\n%s", err, out.String())
	}
	var left []int
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if left = inDir(dir); len(left) == 0 {
			break
		}
	}
	for _, pid := range left {
		t.Errorf("process %d (%s) of the lab still runs after lab.sh was killed", pid, procComm(pid))
		syscall.Kill(pid, syscall.SIGKILL)
	}
	if !strings.Contains(out.String(), "lab: stopped by SIGTERM") {
		t.Errorf("lab.sh did not say it was stopped:\n%s", out.String())
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "results.json"))
	if len(parts) == 0 {
		t.Errorf("no part's results.json written after the stop:\n%s", out.String())
	}
}
