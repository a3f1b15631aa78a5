package reportrun

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// cpuByTask reads a profile back and adds up its cpu/nanoseconds per task.
func cpuByTask(t *testing.T, res *results.Result) map[taskKey]int64 {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Profile(&buf, res); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	cpu := map[taskKey]int64{}
	for _, s := range p.Sample {
		k, err := sampleTask(s)
		if err != nil {
			t.Fatal(err)
		}
		cpu[k] += s.Value[1]
	}
	return cpu
}

// Samples weigh the task's own CPU (task_cpu_ns), not the whole process's
// (user + sys, which holds exec, runtime start, fork set-up and exit): a
// task's cpu/nanoseconds add up to its task_cpu_ns exactly. Without
// task_cpu_ns (older results) they add up to user + sys.
func TestProfileWeighsTaskCPU(t *testing.T) {
	res, err := lab.Run(context.Background(), lab.Spec{Methods: []results.Method{results.Fork, results.Spawn, results.Thread, results.Single},
		NTasks: 1, NIters: 40_000_000, Repeat: 1, ProfileHz: 250})
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Runs {
		for j := range res.Runs[i].Tasks {
			tk := &res.Runs[i].Tasks[j]
			if tk.TaskCPUNS == nil { // until the lab fills it: a figure unlike user + sys
				v := tk.RunNS/2 + 12345
				tk.TaskCPUNS = &v
			}
		}
	}
	check := func(what string, want func(*results.Task) int64) {
		cpu := cpuByTask(t, res)
		checked := 0
		for _, r := range res.Runs {
			for _, tk := range r.Tasks {
				if tk.Profile == nil || len(tk.Profile.PCs) == 0 || tk.Profile.Dropped > 0 {
					continue // no samples, or some lost: their share is not shown
				}
				checked++
				k := taskKey{string(r.Method), int64(tk.Task), int64(r.Round)}
				if got := cpu[k]; got != want(&tk) {
					t.Errorf("%s: %+v: cpu values add to %d ns, want %d (user+sys %d)", what, k, got, want(&tk), *tk.UserNS+*tk.SysNS)
				}
			}
		}
		if checked < 3 {
			t.Errorf("%s: only %d tasks took samples", what, checked)
		}
	}
	check("task_cpu_ns", func(tk *results.Task) int64 { return *tk.TaskCPUNS })
	for i := range res.Runs {
		for j := range res.Runs[i].Tasks {
			res.Runs[i].Tasks[j].TaskCPUNS = nil
		}
	}
	check("fallback", func(tk *results.Task) int64 { return *tk.UserNS + *tk.SysNS })
}
