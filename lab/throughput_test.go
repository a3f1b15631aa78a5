package lab

import (
	"context"
	"github.com/proclab/proclab/lab/results"
	"testing"
)

// proclab rate on real children: every method creates, reads and reaps
// every task (none failed, a rate and a floor figure on each row), and no
// child of the lab is left behind, zombie or alive.
func TestMeasureRatesReapsEveryTask(t *testing.T) {
	before := childPIDs(t)
	const n = 24
	tp, err := MeasureRates(context.Background(), ThroughputSpec{
		Methods: []results.Method{results.Fork, results.Spawn, results.ForkExec, results.Forkserver, results.Exec}, Tasks: n, MaxProcs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(tp.Rates) != 5 {
		t.Fatalf("%d rows, want 5: %+v", len(tp.Rates), tp.Rates)
	}
	for _, r := range tp.Rates {
		if r.Error != "" || r.Failed != 0 {
			t.Errorf("%s: error %q, %d failed", r.Method, r.Error, r.Failed)
		}
		if r.Tasks != n || r.MaxProcs != 3 {
			t.Errorf("%s: tasks %d max_procs %d, want %d and 3", r.Method, r.Tasks, r.MaxProcs, n)
		}
		if r.TasksPerSec <= 0 || r.WallNS <= 0 {
			t.Errorf("%s: no rate (%v tasks/s over %d ns)", r.Method, r.TasksPerSec, r.WallNS)
		}
		if r.FloorError != "" || r.FloorTasksPerSec <= 0 || r.Ratio <= 0 {
			t.Errorf("%s: floor %q: %v tasks/s, ratio %v (%s)", r.Method, r.Floor, r.FloorTasksPerSec, r.Ratio, r.FloorError)
		}
		if r.ChildMemRead != (r.Method != results.Fork) {
			t.Errorf("%s: child_mem_read %v", r.Method, r.ChildMemRead)
		}
		if want := pairedFloor(r.Method); r.Floor != want {
			t.Errorf("%s compared with %q, want %q", r.Method, r.Floor, want)
		}
		if r.LabVMAs <= 0 || r.LabAnonBytes <= 0 {
			t.Errorf("%s: no lab footprint (%d VMAs, %d anon bytes)", r.Method, r.LabVMAs, r.LabAnonBytes)
		}
	}
	for pid := range childPIDs(t) {
		if !before[pid] {
			t.Errorf("child %d left behind", pid)
		}
	}
}

// A cancelled rate run stops and still reaps every child it created.
func TestMeasureRatesCancelledReaps(t *testing.T) {
	before := childPIDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tp, err := MeasureRates(ctx, ThroughputSpec{Methods: []results.Method{results.Fork}, Tasks: 50})
	if err == nil {
		t.Errorf("cancelled run: no error (%+v)", tp)
	}
	for pid := range childPIDs(t) {
		if !before[pid] {
			t.Errorf("child %d left behind", pid)
		}
	}
}

func TestThroughputSpecBadInput(t *testing.T) {
	for _, ts := range []ThroughputSpec{
		{Tasks: 0},
		{Tasks: -1},
		{Tasks: MaxNTasks + 1},
		{Tasks: 10, MaxProcs: -1},
		{Tasks: 10, MaxProcs: MaxRateProcs + 1},
		{Tasks: 10, Methods: []results.Method{results.Thread}},
		{Tasks: 10, Methods: []results.Method{results.PyFork}},
	} {
		if _, err := MeasureRates(context.Background(), ts); err == nil {
			t.Errorf("%+v: no error", ts)
		}
	}
}
