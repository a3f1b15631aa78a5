package reportrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// hotLoopSpan bounds the hot loop's code from its entry. `go test` strips
// this binary, so the loop is found by address here; cmd/proclab's tests
// check the names and lines in a symbolized build.
const hotLoopSpan = 512

type taskKey struct {
	method      string
	task, round int64
}

// A real run of every kind of task (children that share the lab's image,
// spawned workers with their own runtime, threads and the lab itself)
// becomes one valid pprof profile whose samples are in the hot loop and
// carry the labels of the task that took them.
func TestProfileOfRealRun(t *testing.T) {
	const hz, iters = 250, 150_000_000
	stray := csys.StraySamples()
	spec := lab.Spec{Methods: []results.Method{results.Fork, results.Spawn, results.Thread, results.Single},
		NTasks: 2, NIters: iters, Repeat: 1, ProfileHz: hz}
	res, err := lab.Run(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Profile(&buf, res); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatalf("profile.Parse: %v", err)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatalf("CheckValid: %v", err)
	}
	if len(p.SampleType) != 2 || p.SampleType[0].Type != "samples" || p.SampleType[0].Unit != "count" ||
		p.SampleType[1].Type != "cpu" || p.SampleType[1].Unit != "nanoseconds" {
		t.Errorf("sample types %v", p.SampleType)
	}
	if p.PeriodType == nil || p.PeriodType.Type != "cpu" || p.Period != 1e9/hz {
		t.Errorf("period %v %d", p.PeriodType, p.Period)
	}

	tasks := map[taskKey]results.Task{}
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			tasks[taskKey{string(r.Method), int64(tk.Task), int64(r.Round)}] = tk
		}
	}
	hot := csys.HotLoopAddr() - csys.TextBase() + p.Mapping[0].Start
	count, cpu := map[taskKey]int64{}, map[taskKey]int64{}
	var total, inLoop int64
	for _, s := range p.Sample {
		k, err := sampleTask(s)
		if err != nil {
			t.Fatal(err)
		}
		tk, ok := tasks[k]
		if !ok {
			t.Fatalf("sample of unknown task %+v", k)
		}
		if pid, ok := intLabel(s, "pid"); !ok || pid != int64(tk.PID) {
			t.Errorf("%+v: pid label %v, task pid %d", k, s.Label["pid"], tk.PID)
		}
		if n := s.NumLabel["n_iters"]; len(n) != 1 || n[0] != iters {
			t.Errorf("%+v: n_iters label %v", k, n)
		}
		count[k] += s.Value[0]
		cpu[k] += s.Value[1]
		total += s.Value[0]
		if a := s.Location[0].Address; a >= hot && a < hot+hotLoopSpan {
			inLoop += s.Value[0]
		}
	}
	if total == 0 || inLoop*10 < total*8 {
		t.Errorf("%d of %d samples in the hot loop, want at least 80%%", inLoop, total)
	}
	for k, tk := range tasks {
		n := count[k]
		taskCPU := *tk.UserNS + *tk.SysNS
		if tk.TaskCPUNS != nil { // what the samples weigh once the lab measures it
			taskCPU = *tk.TaskCPUNS
		}
		t.Logf("%-6s task %d pid %d: %3d samples, %v CPU: %.0f samples per CPU second",
			k.method, k.task, tk.PID, n, fmtNS(taskCPU), float64(n)/(float64(taskCPU)/1e9))
		if n == 0 {
			t.Errorf("%+v took no samples in %dns of CPU", k, taskCPU)
			continue
		}
		// Every sample weighs the task's CPU over its samples, so the
		// task's cpu values add up to its CPU (less rounding).
		if d := cpu[k] - taskCPU; d < -n || d > n {
			t.Errorf("%+v: cpu values add to %dns, the task used %dns", k, cpu[k], taskCPU)
		}
	}
	if s := csys.StraySamples() - stray; s != 0 {
		t.Errorf("%d in-process profiling signals found no task", s)
	}
}

func sampleTask(s *profile.Sample) (taskKey, error) {
	m := s.Label["method"]
	task, okT := intLabel(s, "task")
	round, okR := intLabel(s, "round")
	if len(m) != 1 || !okT || !okR {
		return taskKey{}, fmt.Errorf("sample labels %v %v", s.Label, s.NumLabel)
	}
	return taskKey{m[0], task, round}, nil
}

// intLabel is a sample's one string label key read as an integer.
func intLabel(s *profile.Sample, key string) (int64, bool) {
	v := s.Label[key]
	if len(v) != 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	return n, err == nil
}

func fmtNS(ns int64) string { return fmt.Sprintf("%.1fms", float64(ns)/1e6) }

func TestProfileNeedsSamples(t *testing.T) {
	res, err := lab.Run(context.Background(), lab.Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Profile(&buf, res); !errors.Is(err, report.ErrNoProfile) || buf.Len() != 0 {
		t.Errorf("profile of an unprofiled run: %v, %d bytes", err, buf.Len())
	}
}

// A profile is symbolized only against the image its tasks ran: a result
// whose build ID is not the binary's (it was rebuilt since) is refused.
func TestProfileOfOtherBinary(t *testing.T) {
	res, err := lab.Run(context.Background(), lab.Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 50_000_000, ProfileHz: 250})
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Profile(&bytes.Buffer{}, res); err != nil {
		t.Fatalf("the run's own profile: %v", err)
	}
	ran := res.BinaryBuildID
	t.Logf("the image's build ID: %q", ran)
	res.BinaryBuildID = "0123456789abcdef"
	err = report.Profile(&bytes.Buffer{}, res)
	if ran == "" {
		// This image has no GNU build ID (go test links internally): there
		// is nothing to compare, and the profile is built.
		if err != nil {
			t.Errorf("no build ID to compare, yet: %v", err)
		}
		return
	}
	if !errors.Is(err, report.ErrOtherBinary) {
		t.Errorf("a result of another build (%s, the image %s): %v, want report.ErrOtherBinary", res.BinaryBuildID, ran, err)
	}
}
