package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// When the system refuses more processes (EAGAIN) while the lab creates
// children, creation stops, the children started are reaped, the lab says
// so, and it does not crash (its own threads count against the same limit).
//
// How the limit is made to bite, as root: the lab runs as an unused uid
// with a low RLIMIT_NPROC (the kernel exempts uid 0 and CAP_SYS_ADMIN, and
// this root lacks CAP_SYS_RESOURCE, so it cannot lower the limit of another
// user's process). The lab's own check of the limit passes; once it has
// children, "sleepers" of the same uid (as another program of that user
// would) take what is left, and the lab's next fork fails with EAGAIN.
func TestCreationFailureEAGAIN(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run the lab as another uid")
	}
	uid := uint32(1_900_000_000 + os.Getpid()%1_000_000) // no one else's
	const nproc = 60
	l := startLabWithNproc(t, uid, nproc, "--method", "fork", "--n-tasks", "40", "--max-procs", "8",
		"--n-iters", "150000000", "--repeat", "1", "--json")
	if !l.waitForTasks(t, 1) {
		l.wait(t)
		t.Fatalf("the lab exited early: %s", l.errb.String())
	}
	ps := descendants(l.pid())
	for range nproc {
		s := exec.Command("sleep", "600")
		s.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		if err := s.Start(); err != nil {
			t.Fatalf("sleeper: %v", err)
		}
		t.Cleanup(func() { s.Process.Kill(); s.Wait() })
	}
	code := l.wait(t)
	stderr := l.errb.String()
	ps = append(ps, descendants(l.pid())...)
	assertReapedByLab(t, ps)
	if strings.Contains(stderr, "pthread_create failed") || strings.Contains(stderr, "goroutine ") {
		t.Fatalf("the lab crashed:\n%s", stderr)
	}
	if code != 1 || strings.Count(withoutWarnings(stderr), "\n") != 1 || !strings.Contains(stderr, "not started: EAGAIN, the system refused another process") {
		t.Fatalf("exit status %d, stderr:\n%s\nwant status 1 and one line saying tasks were not started (EAGAIN)", code, stderr)
	}
	t.Logf("stderr: %s", stderr)
	res := decodeResult(t, l.out.String())
	tasks := res.Runs[0].Tasks
	stopped := -1
	for i, tk := range tasks {
		if strings.HasPrefix(tk.Error, "not started: EAGAIN") {
			if stopped < 0 {
				stopped = i
			}
			continue
		}
		if stopped >= 0 {
			t.Errorf("task %d after the stop at %d: %q", i, stopped, tk.Error)
		} else if !tk.Good() {
			t.Errorf("task %d started before the stop: %+v", i, tk)
		}
	}
	if stopped <= 0 {
		t.Errorf("creation stopped at task %d; want some tasks run first", stopped)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "creation stopped at task") || !strings.Contains(res.Warnings[0], "were reaped") {
		t.Errorf("warnings %q do not say creation stopped", res.Warnings)
	}
}

// startLabWithNproc starts the lab as uid with RLIMIT_NPROC set to nproc.
// The limit is inherited from this process, which sets it only around
// the start (root is exempt from it meanwhile).
func startLabWithNproc(t *testing.T, uid uint32, nproc uint64, args ...string) *startedLab {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &old); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setrlimit(unix.RLIMIT_NPROC, &unix.Rlimit{Cur: nproc, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NPROC, &old)
	return startLab(t, &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}, args...)
}

// The lab checks RLIMIT_NPROC (where the kernel enforces it) before it
// creates anything, and says what to do.
func TestNprocLimitIsBadInput(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run the lab as another uid")
	}
	uid := uint32(1_800_000_000 + os.Getpid()%1_000_000)
	l := startLabWithNproc(t, uid, 30, "--method", "fork", "--n-tasks", "50", "--n-iters", "1000")
	code := l.wait(t)
	msg := l.errb.String()
	t.Logf("%s", msg)
	if code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "(RLIMIT_NPROC: ulimit -u 30,") ||
		!strings.Contains(msg, "add --max-procs") {
		t.Errorf("exit status %d, stderr %q; want 2 and one line naming RLIMIT_NPROC", code, msg)
	}
}
