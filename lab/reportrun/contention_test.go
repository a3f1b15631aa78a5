package reportrun

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// contentionRun runs fork and thread with one task per CPU, long enough
// loops (~60 ms) for their CPU share to mean something, and runs long
// enough together for the others' CPU to be given.
func contentionRun(t *testing.T) *results.Result {
	t.Helper()
	res, err := lab.Run(context.Background(), lab.Spec{Methods: []results.Method{results.Fork, results.Thread},
		NTasks: runtime.NumCPU(), NIters: 30_000_000, Repeat: 5})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkContentionAgrees holds the run's warnings and summary to the share
// its own tasks measured: an entry is marked contended, and warned about
// with its share, exactly when its loops got less than 3/4 of what the
// tasks and CPUs allow.
func checkContentionAgrees(t *testing.T, res *results.Result) (contended []results.Method) {
	t.Helper()
	warnings := strings.Join(res.Warnings, "\n")
	for _, e := range res.Summary {
		var shares []float64
		for _, r := range res.Runs {
			if r.Method != e.Method {
				continue
			}
			for _, tk := range r.Tasks {
				if stats.Counts(&tk) && tk.TaskCPUNS != nil && tk.RunNS >= stats.MinShareLoopNS {
					shares = append(shares, float64(*tk.TaskCPUNS)/float64(tk.RunNS))
				}
			}
		}
		share := stats.Median(shares)
		want := len(shares) > 0 && share < stats.ContendedBelow*stats.ExpectedShare(e.Method, e.NTasks, runtime.NumCPU())
		if e.LoopCPUShare == nil || *e.LoopCPUShare != share || e.Contended != want {
			t.Errorf("%s: summary share %v contended %v; its tasks measured %.3f (contended: %v)", e.Method, e.LoopCPUShare, e.Contended, share, want)
		}
		line := fmt.Sprintf("%s: contended: the tasks' loops got a median %.0f%% of a CPU", e.Method, 100*share)
		if strings.Contains(warnings, line) != want {
			t.Errorf("%s (share %.3f, contended %v): warnings say otherwise:\n%s", e.Method, share, want, warnings)
		}
		if want {
			contended = append(contended, e.Method)
		}
	}
	return contended
}

// Beside a CPU hog (more busy processes than CPUs), the run marks its
// rows contended, with the figures, in the summary, the warnings and
// report.md; the others' CPU it records is clearly above zero.
func TestContentionBesideAHog(t *testing.T) {
	var hogs []*exec.Cmd
	t.Cleanup(func() {
		for _, h := range hogs {
			h.Process.Kill()
			h.Wait()
		}
	})
	for range 2*runtime.NumCPU() + 1 {
		h := exec.Command("sh", "-c", "while :; do :; done")
		if err := h.Start(); err != nil {
			t.Fatal(err)
		}
		hogs = append(hogs, h)
	}
	time.Sleep(200 * time.Millisecond)
	res := contentionRun(t)
	contended := checkContentionAgrees(t, res)
	if len(contended) == 0 {
		t.Fatalf("no row contended beside %d busy processes on %d CPUs: %+v", len(hogs), runtime.NumCPU(), res.Summary)
	}
	for _, e := range res.Summary {
		if e.OthersCPUs == nil || *e.OthersCPUs < 0.5 {
			t.Errorf("%s: others' CPUs %v beside %d busy processes", e.Method, e.OthersCPUs, len(hogs))
		}
	}
	var md bytes.Buffer
	if err := report.Markdown(&md, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), string(contended[0])+": contended: the tasks' loops got a median") {
		t.Errorf("report.md does not say %s was contended:\n%s", contended[0], md.String())
	}
}

// A run on a quieter machine says what its own tasks measured: no
// contention warning unless its loops really got too little CPU (on an
// idle machine, none).
func TestContentionOnlyWhenMeasured(t *testing.T) {
	res := contentionRun(t)
	if c := checkContentionAgrees(t, res); len(c) > 0 {
		t.Logf("the machine is busy: %v contended, as their own tasks measured", c)
	}
}
