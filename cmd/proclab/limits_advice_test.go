package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// adviceRe finds the --max-procs the lab advises.
var adviceRe = regexp.MustCompile(`--max-procs (\d+)`)

// With a pids cgroup of 40, the check counts what each method really
// takes: a spawned worker is a Go runtime of ~5 threads, the forkserver is
// one more process, the lab keeps its own threads. Following its advice
// (--max-procs K) runs every task. Before, --method spawn --n-tasks 17
// passed the check and 20 of 34 tasks failed, and the advice --max-procs 8
// failed too (issue 11 item 10).
func TestPidsCgroupAdviceWorks(t *testing.T) {
	dir := newPidsCgroup(t, 40)
	join := fmt.Sprintf("echo $$ > %s/cgroup.procs", dir)
	for _, tc := range []struct {
		method string
		nTasks int
	}{
		{"spawn", 17}, // the case
		{"exec", 17},
		{"fork", 40},
		{"forkserver", 40},
		{"thread", 40},
	} {
		t.Run(tc.method, func(t *testing.T) {
			args := []string{"--method", tc.method, "--n-tasks", strconv.Itoa(tc.nTasks), "--n-iters", "30000000", "--repeat", "2", "--json"}
			waitCgroupEmpty(t, dir)
			r := shellLab(t, join, args...)
			if r.code != 2 {
				t.Fatalf("--n-tasks %d under pids.max 40: exit %d, want 2 (refused); stderr:\n%s", tc.nTasks, r.code, r.stderr)
			}
			m := adviceRe.FindStringSubmatch(r.stderr)
			if m == nil || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("no one-line advice: %s", r.stderr)
			}
			t.Logf("%s", strings.TrimSpace(r.stderr))
			waitCgroupEmpty(t, dir) // the refused lab's exit is counted until it is released
			r = shellLab(t, join, append(args, "--max-procs", m[1])...)
			if r.code != 0 {
				t.Fatalf("following the advice (--max-procs %s): exit %d; stderr:\n%s", m[1], r.code, r.stderr)
			}
			assertAllTasksRan(t, r.stdout, 2*tc.nTasks)
			// Twice the advice is refused, with advice.
			k, _ := strconv.Atoi(m[1])
			waitCgroupEmpty(t, dir)
			r = shellLab(t, join, append(args, "--max-procs", strconv.Itoa(2*k+2))...)
			if r.code != 2 || !strings.Contains(r.stderr, " or less") {
				t.Errorf("--max-procs %d: exit %d, stderr %q; want 2 and advice", 2*k+2, r.code, r.stderr)
			}
		})
	}
}

// Under a low ulimit -n the advice works too, with everything that opens
// files on (live samples, --out, --profile, --cpuprofile, every process
// method); and where no task fits, the lab says to raise the limit rather
// than advising --max-procs 1, which failed just the same (issue 11 item
// 11: "ulimit -n 64" gave "use --max-procs 1 or less").
func TestOpenFilesAdviceWorks(t *testing.T) {
	out := t.TempDir()
	args := []string{"--method", "fork,spawn,forkserver,exec,fork-exec", "--n-tasks", "40", "--n-iters", "20000000", "--repeat", "2",
		"--json", "--sample-interval", "5ms", "--sample-budget", "0", "--out", filepath.Join(out, "r"),
		"--profile", filepath.Join(out, "p.pb.gz"), "--cpuprofile", filepath.Join(out, "cpu.pb.gz")}

	r := shellLab(t, "ulimit -n 20", args...)
	if r.code != 2 || !strings.Contains(r.stderr, "leaves no room for a task") || strings.Contains(r.stderr, "--max-procs 1 ") {
		t.Fatalf("ulimit -n 20: exit %d, stderr %q; want 2 and no room for a task", r.code, r.stderr)
	}
	m := regexp.MustCompile(`ulimit -n (\d+) or more`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no limit advised: %s", r.stderr)
	}
	if r = shellLab(t, "ulimit -n "+m[1], args...); r.code != 0 {
		t.Fatalf("following the advice (ulimit -n %s): exit %d: %s", m[1], r.code, r.stderr)
	}
	assertAllTasksRan(t, r.stdout, 5*2*40)

	r = shellLab(t, "ulimit -n 40", args...)
	a := adviceRe.FindStringSubmatch(r.stderr)
	if r.code != 2 || a == nil {
		t.Fatalf("ulimit -n 40: exit %d, stderr %q; want 2 and --max-procs advice", r.code, r.stderr)
	}
	t.Logf("%s", strings.TrimSpace(r.stderr))
	if r = shellLab(t, "ulimit -n 40", append(args, "--max-procs", a[1])...); r.code != 0 {
		t.Fatalf("following the advice (--max-procs %s): exit %d: %s", a[1], r.code, r.stderr)
	}
	assertAllTasksRan(t, r.stdout, 5*2*40)
}

// A limit the Go runtime cannot start in is refused with one line before
// any package opens a file or the runtime starts most of its threads.
// Before, ulimit -v 1500000 (the lab's virtual size is ~2.4 GB) and
// ulimit -n 5 aborted with hundreds of lines of runtime trace (issue 11
// item 9). Not reachable, and not tested: below ~1.55 GB here (1.5 GB
// included, about one start in two) the runtime fails to start a thread
// in gcenable, before any package init: its first threads each get a
// glibc malloc arena, which maps 128 MiB to align 64 MiB.
func TestStartLimits(t *testing.T) {
	for _, setup := range []string{"ulimit -n 5", "ulimit -n 8", "ulimit -v 1420000"} {
		for _, args := range [][]string{{"--n-tasks", "2", "--n-iters", "1000", "--repeat", "1"}, {"compare", "--n-iters", "1000"}, {"--help"}} {
			r := shellLab(t, setup, args...)
			if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "goroutine") {
				t.Errorf("%s; proclab %s: exit %d, want 2 and one line; stderr (%d lines):\n%.400s", setup, strings.Join(args, " "), r.code, strings.Count(r.stderr, "\n"), r.stderr)
				continue
			}
			if !strings.Contains(r.stderr, "raise it") {
				t.Errorf("%s: %q does not say what to do", setup, r.stderr)
			}
		}
	}
	// The advice for the address space works, both ways it is given.
	// The start check knows only the lab's own threads; the run's check
	// adds its thread tasks and ballast, so its advice may ask a little
	// more: follow each until the run goes.
	run := []string{"--method", "fork,spawn,thread", "--n-tasks", "4", "--n-iters", "1000", "--repeat", "2"}
	limit := "1420000"
	for step := 0; ; step++ {
		r := shellLab(t, "ulimit -v "+limit, run...)
		if r.code == 0 {
			break
		}
		m := regexp.MustCompile(`ulimit -v (\d+) or more`).FindStringSubmatch(r.stderr)
		if m == nil || step == 2 {
			t.Fatalf("ulimit -v %s: exit %d: %.400s", limit, r.code, r.stderr)
		}
		t.Logf("ulimit -v %s: %s", limit, strings.TrimSpace(r.stderr))
		limit = m[1]
	}
	// The 1.5 GB runs: one malloc arena (csys/arena.c) keeps the
	// lab at ~1.4 GiB of address space.
	if r := shellLab(t, "ulimit -v 1500000", run...); r.code != 0 {
		t.Errorf("ulimit -v 1500000: exit %d: %.400s", r.code, r.stderr)
	}
}

// shellLab runs the real binary under sh -c "setup; exec proclab args":
// setup (ulimit, joining a cgroup) sets the limits the way a user meets
// them, and the lab is still the process sh started.
func shellLab(t *testing.T, setup string, args ...string) labRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", setup + `; exec "$0" "$@"`, labBin}, args...)...)
	cmd.WaitDelay = waitDelay
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("running proclab %s: %v", strings.Join(args, " "), err)
	}
	return labRun{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
}

// assertAllTasksRan checks a JSON result: n tasks, every one good.
func assertAllTasksRan(t *testing.T, stdout string, n int) {
	t.Helper()
	res := decodeResult(t, stdout)
	got := 0
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			got++
			if tk.Error != "" || tk.ChecksumOK == nil || !*tk.ChecksumOK {
				t.Errorf("%s round %d task %d: error %q, checksum ok %v", r.Method, r.Round, tk.Task, tk.Error, tk.ChecksumOK)
			}
		}
	}
	if got != n {
		t.Errorf("%d tasks, want %d", got, n)
	}
	if len(res.Warnings) > 0 {
		for _, w := range res.Warnings {
			if strings.Contains(w, "EAGAIN") || strings.Contains(w, "EMFILE") {
				t.Errorf("warning: %s", w)
			}
		}
	}
}

// newPidsCgroup makes a pids cgroup (v1 controller or v2) with pids.max
// n, removed at the end of the test; it skips where none can be made.
func newPidsCgroup(t *testing.T, n int) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to make a cgroup")
	}
	var dir string
	for _, base := range []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup"} {
		if _, err := os.Stat(base + "/pids.max"); err != nil && base == "/sys/fs/cgroup" {
			continue // v2 root without the pids controller enabled
		}
		d := filepath.Join(base, fmt.Sprintf("proclab-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-")))
		if err := os.Mkdir(d, 0o755); err != nil {
			continue
		}
		if err := os.WriteFile(d+"/pids.max", []byte(strconv.Itoa(n)), 0o644); err != nil {
			os.Remove(d)
			continue
		}
		dir = d
		break
	}
	if dir == "" {
		t.Skip("no writable pids cgroup controller")
	}
	t.Cleanup(func() { os.Remove(dir) })
	return dir
}

// The start check runs before gopsutil's package init, which opens
// /proc/stat (and under ulimit -n 5 aborts the runtime): Go orders
// package inits by import path among those ready, and the check depends
// on the standard library only. This pins that order on the real binary.
func TestStartcheckInitOrder(t *testing.T) {
	cmd := exec.Command(labBin, "--help")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("proclab --help: %v", err)
	}
	check, first := -1, -1
	for i, line := range strings.Split(errb.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "init github.com/proclab/proclab/cmd/proclab/internal/startcheck "):
			check = i
		case strings.HasPrefix(line, "init github.com/shirou/gopsutil") && first < 0:
			first = i
		}
	}
	if check < 0 || first < 0 || check > first {
		t.Errorf("startcheck init at line %d, first gopsutil init at line %d: want startcheck first\n%s", check, first, errb.String())
	}
}

// waitUIDGone waits (bounded) until no process runs as uid.
func waitUIDGone(t *testing.T, uid uint32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := 0
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if fi, err := os.Stat("/proc/" + e.Name()); err == nil && e.IsDir() && e.Name()[0] >= '0' && e.Name()[0] <= '9' {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == uid {
					// A helper of the first lab that ended after it was
					// reparented to this test (a subreaper): reap it, as
					// the kernel counts a zombie against the limit.
					if pid, err := strconv.Atoi(e.Name()); err == nil && procState(pid) == "Z" {
						syscall.Wait4(pid, nil, syscall.WNOHANG, nil)
					}
					left++
				}
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d processes of uid %d still run", left, uid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitCgroupEmpty waits (bounded) until no process of an earlier run is
// counted in the cgroup: the advice is computed from what is in use, and a
// process that has exited is counted until the kernel releases it.
func waitCgroupEmpty(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(dir + "/pids.current")
		if err != nil || strings.TrimSpace(string(b)) == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pids.current of the test cgroup is still %s", strings.TrimSpace(string(b)))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Under ulimit -u 50 as a user other than root, the advice for Python's
// methods works: a Python task costs the child and the driver's thread
// that waits for it. Before, the advice counted 1 per task: --max-procs 22
// passed the check, and creation stopped at task 13 with EAGAIN (or the
// lab's own threads ran out: "runtime/cgo: pthread_create failed").
func TestPythonNprocAdviceWorks(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run the lab as another uid")
	}
	py := "/usr/bin/python3" // reachable by another uid, unlike a python3 under /root
	if _, err := os.Stat(py); err != nil {
		t.Skipf("no %s", py)
	}
	t.Setenv("PROCLAB_PYTHON", py)
	uid := uint32(1_800_000_000 + os.Getpid()%1_000_000)
	for _, method := range []string{"py-spawn", "py-fork", "py-forkserver"} {
		t.Run(method, func(t *testing.T) {
			args := []string{"--method", method, "--n-tasks", "100", "--n-iters", "1000", "--repeat", "1", "--json", "--sample-interval", "0"}
			l := startLabWithNproc(t, uid, 50, args...)
			code := l.wait(t)
			m := adviceRe.FindStringSubmatch(l.errb.String())
			if code != 2 || m == nil {
				t.Fatalf("--n-tasks 100 under ulimit -u 50: exit %d, want 2 with advice; stderr:\n%s", code, l.errb.String())
			}
			// The advice counts what this uid has in use now; the first
			// lab's Python helpers may still be exiting, and would be
			// counted against the second (seen: "2 in use").
			waitUIDGone(t, uid)
			l = startLabWithNproc(t, uid, 50, append(args, "--max-procs", m[1])...)
			if code := l.wait(t); code != 0 {
				t.Fatalf("following the advice (--max-procs %s): exit %d; stderr:\n%s", m[1], code, l.errb.String())
			}
			assertAllTasksRan(t, l.out.String(), 100)
		})
	}
}

// In a memory cgroup of 300 MB, --parent-rss 256MiB with fork and py-spawn
// is refused with one line before anything runs: the run's children and
// Python's helpers do not fit beside the ballast. Before, the check passed
// and the lab was OOM-killed (exit 137, nothing written). A ballast that
// leaves room runs.
func TestMemoryCgroupLeavesRoom(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3")
	}
	dir := newMemoryCgroup(t, 300<<20)
	join := fmt.Sprintf("echo $$ > %s/cgroup.procs", dir)
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"--method", "fork,py-spawn", "--n-tasks", "4", "--n-iters", "1000000", "--repeat", "1", "--sample-interval", "0", "--out", out}
	r := shellLab(t, join, append(args, "--parent-rss", "256MiB")...)
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "more for the run") {
		t.Fatalf("--parent-rss 256MiB in 300 MB: exit %d, want 2 and one line; stderr:\n%s", r.code, r.stderr)
	}
	if r = shellLab(t, join, append(args, "--parent-rss", "96MiB")...); r.code != 0 {
		t.Fatalf("--parent-rss 96MiB in 300 MB: exit %d; stderr:\n%s", r.code, r.stderr)
	}
}

// newMemoryCgroup makes a memory cgroup (v2, or v1 below this process's)
// limited to limit bytes, removed at the end of the test.
func newMemoryCgroup(t *testing.T, limit int64) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to make a cgroup")
	}
	b, _ := os.ReadFile("/proc/self/cgroup")
	var bases []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[1] == "memory":
			bases = append(bases, "/sys/fs/cgroup/memory"+parts[2]+"|memory.limit_in_bytes")
		case parts[0] == "0" && parts[1] == "":
			bases = append(bases, "/sys/fs/cgroup"+parts[2]+"|memory.max")
		}
	}
	for _, b := range bases {
		base, file, _ := strings.Cut(b, "|")
		d := filepath.Join(base, fmt.Sprintf("proclab-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-")))
		if err := os.Mkdir(d, 0o755); err != nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(d, file), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
			os.Remove(d)
			continue
		}
		t.Cleanup(func() {
			for deadline := time.Now().Add(10 * time.Second); os.Remove(d) != nil && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond) // its last process is still leaving
			}
		})
		return d
	}
	t.Skip("no writable memory cgroup")
	return ""
}
