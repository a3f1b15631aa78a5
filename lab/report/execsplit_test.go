package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The startup of an exec'd worker is shown split: reaching the new image
// (create → exec_done) and starting the Go program (exec_done →
// runtime_ready: runtime plus package init), in the table, in the text
// summary and, in plain words with the figures, in report.md.
func TestExecSplit(t *testing.T) {
	res := oneRun(results.Spawn, []int64{0}, 1_500_000, 1_700_000)
	for i := range res.Runs[0].Tasks {
		tk := &res.Runs[0].Tasks[i]
		tk.ExecDoneNS, tk.RuntimeReadyNS = ns(120_000), ns(*tk.StartupNS-100_000)
	}
	fork := oneRun(results.Fork, []int64{0}, 340_000, 360_000)
	res.Runs = append(res.Runs, fork.Runs...)
	res.Spec.Methods = []results.Method{results.Spawn, results.Fork}

	var buf bytes.Buffer
	if err := Methods(&buf, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if !strings.Contains(lines[0], "to new image") || !strings.Contains(lines[0], "Go runtime + package init") {
		t.Errorf("no split columns: %s", lines[0])
	}
	// programs: 1.5ms - 220µs and 1.7ms - 220µs: median 1.38ms (startup
	// less image would be 1.48ms: the part to the task is not the program's).
	if !strings.Contains(lines[1], "120µs") || !strings.Contains(lines[1], "1.38ms") {
		t.Errorf("spawn's split: %s", lines[1])
	}
	if f := strings.Fields(lines[2]); f[0] != "fork" || !strings.Contains(lines[2], " - ") {
		t.Errorf("fork has no split: %s", lines[2])
	}

	res.Spec.Methods = []results.Method{results.Spawn}
	res.Runs = res.Runs[:1]
	buf.Reset()
	if err := Table(&buf, res, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "of which reaching the new image (create → exec_done) 120µs, starting the Go program (runtime + package init, exec_done → runtime_ready) 1.38ms, then to the task 100µs") {
		t.Errorf("summary lacks the split:\n%s", buf.String())
	}

	md := strings.Join(startupSentences(res), "\n")
	// Shares per task: (1.5ms-120µs)/1.5ms = 92%, (1.7ms-120µs)/1.7ms = 92.9%: median 92.5%, shown 92%.
	for _, want := range []string{"**spawn**: over 2 tasks, the startup (create call to the task) is a median 1.60ms", "reaching the new image", "posix_spawn",
		"takes a median 120µs", "starting the Go program (the Go runtime's own start, up to the program's first package init, where `runtime_ready_ns` is stamped) 1.38ms", "and 100µs more to the task's first instruction",
		"Per task, the program starting is a median 92% of the startup"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md sentences lack %q:\n%s", want, md)
		}
	}
}
