package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

func runsOf(m results.Method, startups ...int64) []results.RunResult {
	var runs []results.RunResult
	for _, s := range startups {
		s := s
		runs = append(runs, results.RunResult{Method: m, NTasks: 1, NIters: 1000, WallNS: 2 * s,
			Tasks: []results.Task{{StartupNS: &s, TotalNS: 2 * s}}})
	}
	return runs
}

// A 2x slower B is a significant +100%; a C equal to A is "~"; a figure
// only A has is compared with whoever has it.
func TestDiffSignificance(t *testing.T) {
	a := append(runsOf(results.Fork, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109), runsOf(results.Spawn, 5, 6, 7)...)
	b := runsOf(results.Fork, 200, 202, 204, 206, 208, 210, 212, 214, 216, 218)
	c := runsOf(results.Fork, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109)
	d := Diff([]DiffInput{{Name: "a", Runs: a}, {Name: "b", Runs: b}, {Name: "c", Runs: c}}, 0.05)
	if len(d.Rows) != 3 { // fork: startup, total, wall; spawn is A's alone
		t.Fatalf("rows %+v", d.Rows)
	}
	for _, row := range d.Rows {
		if row.Method != results.Fork || *row.MedianNS[0]*2 != *row.MedianNS[1] {
			t.Fatalf("row %+v", row)
		}
		up, same := row.Changes[0], row.Changes[1]
		if !up.Significant || math.Abs(up.ChangePct-100) > 1e-9 || up.P >= 0.05 {
			t.Errorf("%s: B's change %+v, want a significant +100%%", row.Metric, up)
		}
		if same.Significant || same.ChangePct != 0 {
			t.Errorf("%s: C's change %+v, want none", row.Metric, same)
		}
	}
	var out bytes.Buffer
	if err := DiffText(&out, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "+100.00% (p=") || !strings.Contains(out.String(), "~ (p=1.000 n=10+10)") {
		t.Errorf("text:\n%s", out.String())
	}
}

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
