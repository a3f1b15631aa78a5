package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 22 item 16: the same fault gets the same answer everywhere, a
// failed write to stdout is never exit 0, and bad paths are refused
// before anything runs.

// A write to stdout that fails (a full disk: /dev/full) is exit 1 with
// one line, for the commands whose output nobody checked: --help, report's
// list of the files it wrote. Before: exit 0.
func TestStdoutFullFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if r := runLab(t, "--method", "fork", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1", "--out", dir); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"--help"}, {"report", dir}, {"version"}} {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skipf("no /dev/full: %v", err)
		}
		cmd := exec.Command(labBin, args...)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		cmd.Run()
		full.Close()
		if code := cmd.ProcessState.ExitCode(); code != 1 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v > /dev/full: exit %d, stderr %q; want 1 and one line", args, code, errb.String())
		}
	}
}

// A document that is not a results document is bad input to report as to
// diff: exit 2, one line. Before: report 1, diff 2.
func TestBadDocumentSameExit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte("{bad"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "results.json")
	assertBadInput(t, runLab(t, "report", dir), "not a proclab results document")
	assertBadInput(t, runLab(t, "diff", doc, doc), "not a proclab results document")
}

// A TMPDIR the lab cannot use is named, and refused before anything runs
// with exit 2 by every command that needs it. Before: "stat /nonexistent:
// no such file or directory", calibrate 2, rate 1, a Python run 1.
func TestBadTMPDIR(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	assertBadInput(t, runLab(t, "calibrate", "--n", "1", "--warmup", "0"), "TMPDIR ", "missing is not a usable directory")
	assertBadInput(t, runLab(t, "rate", "--tasks", "10"), "TMPDIR ", "missing is not a usable directory")
	if _, err := exec.LookPath("python3"); err == nil {
		assertBadInput(t, runLab(t, "--method", "py-fork", "--n-tasks", "1", "--n-iters", "100", "--repeat", "1"), "TMPDIR ")
	}
}

// --profile naming a directory is refused before the run. Before: the run
// went to its end, then "rename … file exists".
func TestProfileDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	assertBadInput(t, runLab(t, "--method", "fork", "--n-tasks", "1", "--n-iters", longIters, "--repeat", "1", "--profile", dir),
		"--profile "+dir+" is a directory")
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// report gives way to SIGTERM: here it waits to read a results.json that
// is a FIFO nobody writes. Before, the signal was taken (the context
// cancelled) and ignored: report went on waiting.
func TestReportTakesSIGTERM(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "results.json"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	l := startLab(t, nil, "report", dir)
	// report is in open(2) of the FIFO once a thread of it sleeps there
	// (wait_for_partner).
	deadline := time.Now().Add(30 * time.Second)
	for !inFIFOOpen(l.pid()) {
		if time.Now().After(deadline) {
			t.Fatalf("report never opened the FIFO: %s", l.errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	syscall.Kill(l.pid(), syscall.SIGTERM)
	done := make(chan int, 1)
	go func() { done <- l.wait(t) }()
	select {
	case code := <-done:
		if code != 143 || !strings.Contains(l.errb.String(), "interrupted by SIGTERM") {
			t.Errorf("exit %d, stderr %q; want 143", code, l.errb.String())
		}
	case <-time.After(20 * time.Second):
		syscall.Kill(l.pid(), syscall.SIGKILL)
		<-done
		t.Fatal("report did not end 20 s after SIGTERM")
	}
}

func inFIFOOpen(pid int) bool {
	files, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "wchan"))
	for _, f := range files {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), "partner") {
			return true
		}
	}
	return false
}
