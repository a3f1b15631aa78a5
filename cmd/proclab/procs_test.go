package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/lab/results"
)

// The test binary is a child subreaper (set in init): a process orphaned
// by a lab under test is re-parented to it rather than to init, so a test
// can tell "reaped by the lab" (gone) from "left behind" (now our child),
// and can reap what a killed lab left.
func init() {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		panic(err)
	}
}

// proc names one process across time: a pid and its start time, so a
// recycled pid is not mistaken for it.
type proc struct {
	pid   int
	start string
}

func procOf(pid int) (proc, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return proc{}, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // state is field 3
	if len(f) < 20 {
		return proc{}, false
	}
	return proc{pid: pid, start: f[19]}, true // starttime is field 22
}

// exists reports whether p is still in the process table (a zombie too).
func (p proc) exists() bool {
	q, ok := procOf(p.pid)
	return ok && q.start == p.start
}

// descendants lists every process below pid.
func descendants(pid int) []proc {
	var out []proc
	for _, k := range childrenOf(pid) {
		if p, ok := procOf(k); ok {
			out = append(out, p)
			out = append(out, descendants(k)...)
		}
	}
	return out
}

// assertReapedByLab checks, after the lab exited, that none of ps is left:
// not running, not a zombie. The lab must have reaped each one itself;
// anything it left was re-parented to this test, which reaps and reports it.
func assertReapedByLab(t *testing.T, ps []proc) {
	t.Helper()
	for _, p := range ps {
		var ws syscall.WaitStatus
		got, _ := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
		switch {
		case got == p.pid:
			t.Errorf("process %d outlived the lab unreaped (it ended: %v)", p.pid, ws)
		case p.exists():
			t.Errorf("process %d (state %s) outlived the lab", p.pid, procState(p.pid))
			syscall.Kill(p.pid, syscall.SIGKILL)
			syscall.Wait4(p.pid, nil, 0, nil)
		}
	}
}

// awaitOrphansDead waits (generously) until each of ps, orphaned by a lab
// killed with SIGKILL, has died, reaps it (it was re-parented to this
// test) and returns how each ended.
func awaitOrphansDead(t *testing.T, ps []proc) map[int]syscall.WaitStatus {
	t.Helper()
	ended := map[int]syscall.WaitStatus{}
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range ps {
		for {
			var ws syscall.WaitStatus
			got, _ := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
			if got == p.pid {
				ended[p.pid] = ws
				break
			}
			if !p.exists() {
				break // reaped by its own parent (the forkserver, say)
			}
			if time.Now().After(deadline) {
				t.Errorf("process %d (state %s) still alive 30s after the lab was killed", p.pid, procState(p.pid))
				syscall.Kill(p.pid, syscall.SIGKILL)
				syscall.Wait4(p.pid, nil, 0, nil)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return ended
}

// labAlive reports whether the lab has not exited yet.
func (l *startedLab) alive() bool {
	s := procState(l.pid())
	return s != "" && s != "Z"
}

// waitForTasks waits until the lab has at least n task processes (its
// descendants, less the forkserver if it has one), or has exited (then it
// returns false: the caller reads stderr).
func (l *startedLab) waitForTasks(t *testing.T, n int) bool {
	t.Helper()
	if slices.Contains(l.cmd.Args, "forkserver") {
		n++
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(descendants(l.pid())) < n {
		if !l.alive() {
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lab has %d descendants after 30s, want %d", len(descendants(l.pid())), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func decodeResult(t *testing.T, stdout string) *results.Result {
	t.Helper()
	var res results.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("stdout is not one JSON result: %v\n%s", err, stdout)
	}
	return &res
}
