package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
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

// report.md has one warnings section: each section's warnings under its
// title, those that say the same of several cells or tasks grouped with
// their count and the cells or tasks they are about.
func TestReportWarningsGrouped(t *testing.T) {
	grid := gridResult(cell(1, 1000, 1_100_000, 1_900_000, 1_300_000), cell(2, 1000, 2_100_000, 1_900_000, 1_300_000),
		cell(4, 1000, 4_300_000, 3_900_000, 4_700_000))
	grid.Warnings = []string{
		"n_tasks=1 n_iters=1000: fork: startups spread widely (p90 is 3.1× p10): the machine was busy",
		"n_tasks=2 n_iters=1000: fork: startups spread widely (p90 is 2.7× p10): the machine was busy",
		"n_tasks=4 n_iters=1000: fork: startups spread widely (p90 is 3.1× p10): the machine was busy",
		"n_tasks=4 n_iters=1000: no checksum",
		"a warning once", "a warning twice", "a warning twice",
	}
	methods := oneRun(results.Fork, []int64{0}, 311_000, 327_000, 343_000)
	for i := range grid.Cells {
		grid.Cells[i].Method = results.Fork
	}
	methods.Runs = append(methods.Runs, methods.Runs[0])
	methods.Runs[1].Round = 1
	methods.Runs[1].Tasks = slices.Clone(methods.Runs[0].Tasks)
	methods.Runs[0].Tasks[1].Error = "killed by SIGKILL"
	methods.Runs[1].Tasks[2].Error = "killed by SIGKILL"
	methods.Warnings = []string{"fork round 0: the sampler missed a child", "fork round 1: the sampler missed a child"}
	var buf bytes.Buffer
	if err := Lab(&buf, LabReport{Title: "t", Sections: []LabSection{{Dir: "methods", Res: methods}, {Dir: "compare", Res: grid}}}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if n := strings.Count(md, "## Warnings"); n != 1 {
		t.Fatalf("%d warnings sections, want 1:\n%s", n, md)
	}
	sec := md[strings.Index(md, "## Warnings"):]
	for _, want := range []string{
		"- Start methods side by side (methods/):\n",
		"  - 2 tasks (round 0 task 1, round 1 task 2): fork: killed by SIGKILL\n",
		"  - 2 rounds (round 0, round 1): fork: the sampler missed a child\n",
		"- One process against several (compare/):\n",
		"  - 3 of 3 cells (n_tasks=1 n_iters=1000, n_tasks=2 n_iters=1000, n_tasks=4 n_iters=1000): fork: startups spread widely (p90 is 3.1× p10): the machine was busy (the figures are the first's; results.json has each)\n",
		"  - n_tasks=4 n_iters=1000: no checksum\n",
		"  - a warning once\n",
		"  - a warning twice (2 times)\n",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("the warnings lack %q:\n%s", want, sec)
		}
	}
	if strings.Contains(sec, "p90 is 2.7×") {
		t.Errorf("a grouped warning is repeated:\n%s", sec)
	}
}
