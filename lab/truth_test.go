package lab

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// Every duration of a task is the difference of the stamps the document
// carries, exactly: startup_ns is task start less create, run_ns task end
// less task start, mem_read_ns the child's read less task end, and
// total_ns + mem_read_ns is reaped less create; a run's wall is the last
// task's end (create + total) less the first create. max_rss_bytes is
// hwm_bytes; the lab's anonymous memory is clearly less than its RSS (the
// binary's text is resident too).
func TestFiguresAreTheirStamps(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Fork, results.Spawn, results.ForkExec, results.Exec, results.Forkserver, results.Thread, results.Single},
		NTasks: 2, NIters: 1000, Repeat: 2})
	checked := 0
	for _, r := range res.Runs {
		first, last := int64(math.MaxInt64), int64(0)
		for _, tk := range r.Tasks {
			if !stats.Counts(&tk) {
				t.Fatalf("%s task %d: %s", r.Method, tk.Task, tk.Error)
			}
			st := tk.Stamps
			if st.CreateNS <= 0 || st.ReapedNS < st.CreateNS {
				t.Fatalf("%s task %d: stamps %+v", r.Method, tk.Task, st)
			}
			memRead := int64(0)
			if tk.MemReadNS != nil {
				memRead = *tk.MemReadNS
				if memRead != st.MemReadNS-st.TaskEndNS {
					t.Errorf("%s task %d: mem_read_ns %d, stamps say %d", r.Method, tk.Task, memRead, st.MemReadNS-st.TaskEndNS)
				}
			}
			if got, want := tk.TotalNS+memRead, st.ReapedNS-st.CreateNS; got != want {
				t.Errorf("%s task %d: total_ns + mem_read_ns = %d, reaped - create = %d", r.Method, tk.Task, got, want)
			}
			if tk.StartupNS != nil && *tk.StartupNS != st.TaskStartNS-st.CreateNS {
				t.Errorf("%s task %d: startup_ns %d, task start - create = %d", r.Method, tk.Task, *tk.StartupNS, st.TaskStartNS-st.CreateNS)
			}
			if tk.RunNS != st.TaskEndNS-st.TaskStartNS {
				t.Errorf("%s task %d: run_ns %d, task end - task start = %d", r.Method, tk.Task, tk.RunNS, st.TaskEndNS-st.TaskStartNS)
			}
			if (tk.HWMBytes == nil) != (tk.MaxRSSBytes == nil) || tk.HWMBytes != nil && *tk.HWMBytes != *tk.MaxRSSBytes {
				t.Errorf("%s task %d: max_rss_bytes %v, hwm_bytes %v", r.Method, tk.Task, tk.MaxRSSBytes, tk.HWMBytes)
			}
			if r.Method.CreatesProcess() && tk.HWMBytes == nil {
				t.Errorf("%s task %d: no hwm_bytes", r.Method, tk.Task)
			}
			first, last = min(first, st.CreateNS), max(last, st.CreateNS+tk.TotalNS)
			checked++
		}
		if r.WallNS != last-first {
			t.Errorf("%s round %d: wall %d, last end - first create = %d", r.Method, r.Round, r.WallNS, last-first)
		}
		if r.LabRSSBytes <= 0 || r.LabAnonBytes <= 0 || r.LabAnonBytes > r.LabRSSBytes-(1<<20) {
			t.Errorf("%s: lab anon %d bytes, rss %d: anonymous memory is not clearly below RSS", r.Method, r.LabAnonBytes, r.LabRSSBytes)
		}
	}
	if checked != 7*2*2 {
		t.Errorf("checked %d tasks", checked)
	}
}

// The task CPU of the hot loop, measured where it ran, is within 25% of
// the same loop run in the lab (single), whatever the method: it is the
// loop's CPU, not the process's start and end. One task per run, so that
// no two loops share a core; the medians of interleaved rounds.
func TestTaskCPUIsTheLoops(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Single, results.Fork, results.Spawn, results.Forkserver, results.Thread},
		NTasks: 1, NIters: 20_000_000, Repeat: 3})
	rows := stats.Rows(res)
	single, ok := stats.RowFor(rows, stats.Key{Method: results.Single, NTasks: 1, NIters: 20_000_000})
	if !ok || single.TaskCPU.N != 3 {
		t.Fatalf("single: %+v", single.TaskCPU)
	}
	for _, r := range rows {
		ratio := stats.Ratio(r.TaskCPU.Median, single.TaskCPU.Median)
		t.Logf("%s: task CPU %.1f ms, %.2fx single's", r.Method, r.TaskCPU.Median/1e6, ratio)
		if r.TaskCPU.N != 3 || ratio < 0.75 || ratio > 1.25 {
			t.Errorf("%s: task CPU median %.0f ns, %.2fx the same loop in the lab (%.0f ns): want within 25%%",
				r.Method, r.TaskCPU.Median, ratio, single.TaskCPU.Median)
		}
	}
}

// rate's tasks/s is its tasks over its own wall, and the exec'd methods'
// ratio over the proclab image's floor is the rate over that floor's.
func TestRateIsTasksOverItsWall(t *testing.T) {
	tp, err := MeasureRates(context.Background(), ThroughputSpec{Methods: []results.Method{results.Fork, results.Spawn}, Tasks: 24, MaxProcs: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tp.Rates {
		if r.Error != "" || r.WallNS <= 0 {
			t.Fatalf("%s: %+v", r.Method, r)
		}
		want := float64(r.Tasks) / (float64(r.WallNS) / 1e9)
		if math.Abs(r.TasksPerSec-want) > 1e-9*want {
			t.Errorf("%s: %v tasks/s, %d tasks over %d ns is %v", r.Method, r.TasksPerSec, r.Tasks, r.WallNS, want)
		}
		if math.Abs(r.Ratio-r.TasksPerSec/r.FloorTasksPerSec) > 1e-9 {
			t.Errorf("%s: ratio %v, rate over floor %v", r.Method, r.Ratio, r.TasksPerSec/r.FloorTasksPerSec)
		}
		switch r.Method {
		case results.Spawn:
			if r.ImageFloor != floorSpawnImage || r.ImageFloorTasksPerSec <= 0 ||
				math.Abs(r.ImageRatio-r.TasksPerSec/r.ImageFloorTasksPerSec) > 1e-9 {
				t.Errorf("spawn: image floor %q %v tasks/s, ratio %v (%s)", r.ImageFloor, r.ImageFloorTasksPerSec, r.ImageRatio, r.ImageFloorError)
			}
			// The image is a Go program; the 5 KiB C program is faster to
			// start than it, and it than the whole worker.
			if !(r.FloorTasksPerSec > r.ImageFloorTasksPerSec) {
				t.Logf("spawn: the C floor (%v/s) not above the image floor (%v/s) on this machine", r.FloorTasksPerSec, r.ImageFloorTasksPerSec)
			}
		case results.Fork:
			if r.ImageFloor != "" || r.ImageRatio != 0 {
				t.Errorf("fork has an image floor: %+v", r)
			}
		}
	}
}

// A compare grid records the machine and its helpers, as every result does.
func TestCompareRecordsTheHost(t *testing.T) {
	res, err := Compare(context.Background(), CompareSpec{NIters: []uint64{1000}, NTasks: []int{1}, Repeat: 1, Method: results.Forkserver})
	if err != nil {
		t.Fatal(err)
	}
	if res.Host == nil || res.Host.CPUs <= 0 || res.Host.Kernel == "" {
		t.Errorf("host %+v", res.Host)
	}
	if res.Forkserver == nil || res.Forkserver.PID <= 0 {
		t.Errorf("forkserver %+v", res.Forkserver)
	}
	if len(res.Summary) != 3 || res.Summary[0].LeftOut != 0 {
		t.Errorf("summary %+v", res.Summary)
	}
}

// A parent size named twice is refused, as a method named twice is.
func TestParentSizeNamedTwice(t *testing.T) {
	s := Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1, ParentRSS: []int64{0, 64 << 20, 64 << 20}}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "--parent-rss names 64MiB twice") {
		t.Errorf("Validate: %v", err)
	}
}
