package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Bad input gets one line on stderr that names the problem and what to do,
// exit status 2, nothing on stdout, and never a panic trace. This runs the
// real binary; `go test -v -run TestBadInput` lists every message.
func TestBadInput(t *testing.T) {
	pidMax := readProcInt(t, "/proc/sys/kernel/pid_max")
	memAvailKiB := meminfoKiB(t, "MemAvailable")
	var nofile unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile)
	// Every limit on tasks alive at once the lab reads (lab/limits.go):
	// the message names the lowest, which differs between machines.
	taskLimits := []string{"kernel.pid_max", "kernel.threads-max", "pids cgroup", "pids.max", "RLIMIT_NPROC"}

	cases := []struct {
		name string
		args []string
		want string // in the one line on stderr
		// anyOf, if set: the line also names one of these (the limit
		// that binds depends on the machine: the lowest one is named).
		anyOf []string
	}{
		{"n-tasks zero", []string{"--n-tasks", "0"}, "--n-tasks must be at least 1, got 0", nil},
		{"n-tasks negative", []string{"--n-tasks", "-3"}, "--n-tasks must be at least 1, got -3", nil},
		{"n-tasks not a number", []string{"--n-tasks", "four"}, `--n-tasks: "four" is not a whole number`, nil},
		{"n-tasks fraction", []string{"--n-tasks", "2.5"}, `--n-tasks: "2.5" is not a whole number`, nil},
		{"n-tasks overflow", []string{"--n-tasks", "99999999999999999999"}, "--n-tasks: 99999999999999999999 is too large", nil},
		{"n_tasks alias", []string{"--n_tasks", "x"}, `--n-tasks: "x" is not a whole number`, nil},
		{"n-tasks missing value", []string{"--n-tasks"}, "flag needs an argument: --n-tasks", nil},
		// pid_max is one of the limits, so pid_max+1 is beyond the lowest.
		{"n-tasks beyond the task limit", []string{"--n-tasks", strconv.Itoa(pidMax + 1)}, "--max-procs", taskLimits},
		{"n-tasks beyond the cap", []string{"--n-tasks", "2000000", "--max-procs", "10"}, "--n-tasks 2000000 is more than 1048576, the most one run keeps", nil},
		{"max-procs beyond the task limit", []string{"--n-tasks", strconv.Itoa(pidMax + 10), "--max-procs", strconv.Itoa(pidMax + 1)}, "--max-procs", taskLimits},
		{"threads beyond Go's limit", []string{"--method", "thread", "--n-tasks", "20000"}, "--max-procs", append([]string{"Go's thread limit"}, taskLimits...)},
		{"max-procs negative", []string{"--max-procs", "-1"}, "--max-procs must be 0 (no cap) or more, got -1", nil},
		{"max-procs not a number", []string{"--max-procs", "lots"}, `--max-procs: "lots" is not a whole number`, nil},
		{"n-iters zero", []string{"--n-iters", "0"}, "--n-iters must be at least 1, got 0", nil},
		{"n-iters negative", []string{"--n-iters", "-1"}, "--n-iters: -1 is negative", nil},
		{"n-iters not a number", []string{"--n-iters", "1e"}, `--n-iters: "1e" is not a whole number`, nil},
		{"n-iters overflow", []string{"--n-iters", "18446744073709551616"}, "--n-iters: 18446744073709551616 is too large (at most 18446744073709551615)", nil},
		{"unknown method", []string{"--method", "vfork"}, `unknown method "vfork": did you mean fork? (want all or a list of: fork,`, nil},
		{"empty method in list", []string{"--method", "fork,,spawn"}, `unknown method ""`, nil},
		{"size without number", []string{"--parent-rss", "GiB"}, `--parent-rss: "GiB" is not a size`, nil},
		{"size with bad unit", []string{"--parent-rss", "12QB"}, `--parent-rss: "12QB" is not a size`, nil},
		{"size malformed", []string{"--parent-rss", "1.2.3GiB"}, `--parent-rss: "1.2.3GiB" is not a size`, nil},
		{"size negative", []string{"--parent-rss", "-1GiB"}, `--parent-rss: "-1GiB" is not a size`, nil},
		{"size overflow", []string{"--parent-rss", "99999999TiB"}, `--parent-rss: "99999999TiB" is too large`, nil},
		{"size above available memory", []string{"--parent-rss", fmt.Sprintf("0,%dKiB", 2*memAvailKiB+1<<20)}, "of memory available (", nil},
		{"repeat zero", []string{"--repeat", "0"}, "--repeat must be at least 1, got 0", nil},
		{"warmup negative", []string{"--warmup", "-1"}, "--warmup must be 0 or more, got -1", nil},
		{"rate negative", []string{"--profile-hz", "-5"}, "--profile-hz must be between 0 and 10000, got -5", nil},
		{"rate too high", []string{"--profile-hz", "20000"}, "--profile-hz must be between 0 and 10000, got 20000", nil},
		{"rate not a number", []string{"--profile-hz", "fast"}, `--profile-hz: "fast" is not a whole number`, nil},
		{"timeout without unit", []string{"--timeout", "5"}, `--timeout: "5" is not a duration (try 500ms, 30s or 2m)`, nil},
		{"timeout bad unit", []string{"--timeout", "3parsecs"}, `--timeout: "3parsecs" is not a duration`, nil},
		{"timeout negative", []string{"--timeout", "-1s"}, "--timeout must be 0 (none) or more, got -1s", nil},
		{"bool not a bool", []string{"--json=maybe"}, `--json: "maybe" is not true or false`, nil},
		{"unknown flag", []string{"--n-task", "3"}, "unknown flag: --n-task: did you mean --n-tasks? (proclab --help lists the flags)", nil},
		{"positional argument", []string{"fork"}, `unexpected argument "fork": proclab takes only flags`, nil},
		{"out not writable", []string{"--out", "/proc/proclab-results"}, "--out", nil},
		{"out under a file", []string{"--out", "/etc/passwd/results"}, "--out", nil},
		{"sample interval negative", []string{"--sample-interval", "-1s"}, "--sample-interval", nil},
	}
	if nofile.Cur != unix.RLIM_INFINITY && int(nofile.Cur) < pidMax {
		// fork: one kernel task per task, so pid_max does not bite first
		// (an exec'd worker is ~5 threads).
		n := strconv.Itoa(int(nofile.Cur))
		cases = append(cases, struct {
			name  string
			args  []string
			want  string
			anyOf []string
		}{"open files beyond RLIMIT_NOFILE", []string{"--method", "fork", "--n-tasks", n}, "RLIMIT_NOFILE", nil})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runLab(t, tc.args...)
			msg := strings.TrimSuffix(r.stderr, "\n")
			t.Logf("proclab %s\n\t%s", strings.Join(tc.args, " "), msg)
			if r.code != 2 {
				t.Errorf("exit status %d, want 2", r.code)
			}
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "proclab: ") {
				t.Errorf("stderr is not one line starting with \"proclab: \":\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr holds a panic trace:\n%s", r.stderr)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
			if tc.anyOf != nil && !slices.ContainsFunc(tc.anyOf, func(s string) bool { return strings.Contains(msg, s) }) {
				t.Errorf("message %q names none of %q", msg, tc.anyOf)
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty: %q", r.stdout)
			}
		})
	}
}

func readProcInt(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func meminfoKiB(t *testing.T, key string) int64 {
	t.Helper()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var k string
		var v int64
		if n, _ := fmt.Sscanf(sc.Text(), "%s %d", &k, &v); n == 2 && k == key+":" {
			return v
		}
	}
	t.Fatalf("no %s in /proc/meminfo", key)
	return 0
}
