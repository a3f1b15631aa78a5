package report

import (
	"strings"
	"testing"
)

// The same warning from many compare cells or rounds is one line that
// says in how many; different warnings stay apart, in order.
func TestGroupWarnings(t *testing.T) {
	ws := []string{
		"n_tasks=1 n_iters=1000: thread: 4 of 10 startup latencies are outliers (more than 3 MADs from the median); noisy",
		"n_tasks=2 n_iters=1000: thread: 5 of 10 startup latencies are outliers (more than 3 MADs from the median); noisy",
		"n_tasks=2 n_iters=9000: fork: wall time varies by 31% (σ/mean) between runs",
		"n_tasks=4 n_iters=1000: thread: 6 of 10 startup latencies are outliers (more than 3 MADs from the median); noisy",
		"fork round 0: EAGAIN after 3 tasks",
		"fork round 1: EAGAIN after 5 tasks",
		"interrupted: checksums not verified",
	}
	got := GroupWarnings(ws, 24)
	want := []string{
		"3 of 24 cells: thread: 4 of 10 startup latencies are outliers (more than 3 MADs from the median); noisy (the first; the JSON has each)",
		"n_tasks=2 n_iters=9000: fork: wall time varies by 31% (σ/mean) between runs",
		"2 rounds: fork: EAGAIN after 3 tasks (the first; the JSON has each)",
		"interrupted: checksums not verified",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("grouped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
