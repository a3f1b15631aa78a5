package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Tests wait for events, not for time: a loaded 2-CPU machine under -race
// can stretch any sleep. These read the events from /proc.

// statFields are the fields of /proc/<path>/stat after the command name:
// [0] is the state (field 3), [11] utime and [12] stime (fields 14, 15).
func statFields(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return nil
	}
	return strings.Fields(s[i+2:])
}

// cpuTicks is the CPU time (user + system, in clock ticks) of the process
// or thread whose stat file is at path; -1 if it is gone.
func cpuTicks(path string) int64 {
	f := statFields(path)
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// busyTicks is enough CPU time (clock ticks, 4 ms each at CONFIG_HZ 250)
// that a process has passed its start-up and runs the hot loop: a worker's
// whole start costs a few ms of CPU.
const busyTicks = 15

// waitForBusyTasks waits until n of the lab's descendants (its task
// processes; a forkserver sits idle) have used busyTicks of CPU each:
// the tasks run their loops. False if the lab exited first.
func (l *startedLab) waitForBusyTasks(t *testing.T, n int) bool {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		busy := 0
		for _, p := range descendants(l.pid()) {
			if cpuTicks(fmt.Sprintf("/proc/%d/stat", p.pid)) >= busyTicks {
				busy++
			}
		}
		if busy >= n {
			return true
		}
		if !l.alive() {
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the lab's processes busy after 30s, want %d", busy, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// busyThreads counts the threads of pid that have used at least ticks of
// CPU: the lab's own threads use little, a hot loop a lot.
func busyThreads(pid int, ticks int64) int {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	n := 0
	for _, f := range files {
		if cpuTicks(f) >= ticks {
			n++
		}
	}
	return n
}

// stopLive stops pid (SIGSTOP) and reports whether it is now stopped, so
// that it cannot end on its own before the test is done with it; false if
// it had ended (a zombie, or gone) before the stop reached it.
func stopLive(t *testing.T, pid int) bool {
	t.Helper()
	if syscall.Kill(pid, syscall.SIGSTOP) != nil {
		return false
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		switch procState(pid) {
		case "T":
			return true
		case "Z", "X", "":
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d (state %s) not stopped 30s after SIGSTOP", pid, procState(pid))
		}
		time.Sleep(time.Millisecond)
	}
}

// withoutWarnings drops the "warning: " lines from a stderr: warnings go
// to stderr (grouped) beside the one line that says how the run ended.
func withoutWarnings(stderr string) string {
	var keep []string
	for _, line := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(line, "warning: ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}
