package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// labBin is the real proclab binary, built once by TestMain into a
// directory any user can read (the creation-failure test runs it as
// another user).
var labBin string

// staticBuild is how make build links proclab (the Makefile's STATIC and
// STATIC_LD): the CLI tests run the binary users run.
var staticBuild = []string{"-tags", "netgo,osusergo", "-ldflags", `-linkmode external -extldflags "-static"`}

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // only listing (make fuzz does): nothing to build
	}
	dir, err := os.MkdirTemp("", "proclab-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755)
	labBin = filepath.Join(dir, "proclab")
	gobin, err := exec.LookPath("go") // go test puts GOROOT/bin on PATH
	if err == nil {
		var out []byte
		out, err = exec.Command(gobin, append(append([]string{"build"}, staticBuild...), "-o", labBin, ".")...).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%v\n%s", err, out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "building proclab:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	// Nothing any test started may be left: this binary is a subreaper, so
	// whatever a lab left behind ends up as its child.
	for _, pid := range childrenOf(os.Getpid()) {
		fmt.Fprintf(os.Stderr, "process %d (%s, state %s) was left behind by a test\n", pid, procComm(pid), procState(pid))
		syscall.Kill(pid, syscall.SIGKILL)
		syscall.Wait4(pid, nil, 0, nil)
		code = 1
	}
	os.Exit(code)
}

// waitDelay bounds how long Wait waits for the lab's output pipes to
// close after the lab exits: a child that outlived it would hold them open.
const waitDelay = 10 * time.Second

// labRun is a finished run of the real binary.
type labRun struct {
	code           int
	stdout, stderr string
}

// runLab runs the real binary to the end (at most two minutes).
func runLab(t *testing.T, args ...string) labRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, labBin, args...)
	cmd.WaitDelay = waitDelay
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := labRun{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("running proclab %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// startedLab is the real binary running in the background.
type startedLab struct {
	cmd       *exec.Cmd
	out, errb bytes.Buffer
	waited    bool
}

func startLab(t *testing.T, attr *syscall.SysProcAttr, args ...string) *startedLab {
	t.Helper()
	l := &startedLab{cmd: exec.Command(labBin, args...)}
	l.cmd.Stdout, l.cmd.Stderr = &l.out, &l.errb
	l.cmd.SysProcAttr = attr
	l.cmd.WaitDelay = waitDelay
	l.cmd.Dir = filepath.Dir(labBin) // a core dump of a crashing child lands there, and goes with it
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !l.waited {
			l.cmd.Process.Kill()
			l.cmd.Wait()
		}
	})
	return l
}

func (l *startedLab) pid() int { return l.cmd.Process.Pid }

// wait waits for the lab to exit (at most two minutes) and returns its
// exit status.
func (l *startedLab) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- l.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		l.cmd.Process.Kill()
		<-done
		t.Fatalf("proclab did not exit within two minutes; stderr:\n%s", l.errb.String())
	}
	l.waited = true
	return l.cmd.ProcessState.ExitCode()
}

// childrenOf lists the children of pid, from every thread's children file.
func childrenOf(pid int) []int {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, w := range strings.Fields(string(b)) {
			if k, err := strconv.Atoi(w); err == nil {
				out = append(out, k)
			}
		}
	}
	return out
}

// procState is the state letter of pid ("Z" for a zombie), or "" if it
// does not exist.
// procComm is the process's name (its comm, which a zombie keeps).
func procComm(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if err != nil || i < 0 || j < i {
		return "?"
	}
	return s[i+1 : j]
}

func procState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+3 > len(s) {
		return ""
	}
	return s[i+2 : i+3]
}
