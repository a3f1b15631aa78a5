package lab

import (
	"context"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
	"golang.org/x/sys/unix"
)

func TestCalibrate(t *testing.T) {
	rounds := 0
	cal, err := Calibrate(context.Background(), CalibrateSpec{Rounds: 4, Warmup: 1,
		Methods: []results.Method{results.Fork, results.Spawn, results.Forkserver}, Progress: func(done, total int) { rounds = done }})
	if err != nil {
		t.Fatal(err)
	}
	if rounds != 5 {
		t.Errorf("progress reached %d rounds, want 5", rounds)
	}
	if cal.Schema != results.CalibrationSchema || cal.Host == nil || cal.Host.CPUs < 1 || cal.Host.Kernel == "" {
		t.Errorf("header %+v", cal)
	}
	for _, f := range cal.Floors {
		if f.Error != "" || f.N != 4 || f.TotalNS <= 0 {
			t.Errorf("floor %+v", f)
		}
		if f.StartupNS != nil && *f.StartupNS >= f.TotalNS {
			t.Errorf("floor %s: startup %v not below total %v", f.Name, *f.StartupNS, f.TotalNS)
		}
	}
	if f := calibrationFloor(cal, floorFork); f.StartupNS == nil || f.MinFlt <= 0 {
		t.Errorf("fork floor has no startup or no child faults: %+v", f)
	}
	if len(cal.Methods) != 3 {
		t.Fatalf("methods %+v", cal.Methods)
	}
	// Each method beside the C loop that makes its system calls; the
	// forkserver's children are fork()ed, so fork's floor is its own.
	paired := map[results.Method]string{results.Fork: "fork+_exit+wait4", results.Spawn: "posix_spawn+wait4", results.Forkserver: "fork+_exit+wait4"}
	var fork results.MethodOverhead
	for _, mo := range cal.Methods {
		if mo.Error != "" || mo.N != 4 || mo.Failed != 0 {
			t.Errorf("%s: %+v", mo.Method, mo)
		}
		if mo.Floor != paired[mo.Method] {
			t.Errorf("%s compared with floor %q, want %q", mo.Method, mo.Floor, paired[mo.Method])
		}
		f := calibrationFloor(cal, mo.Floor)
		if f.Name == "" || f.TotalNS <= 0 {
			t.Fatalf("%s: floor %q not measured: %+v", mo.Method, mo.Floor, cal.Floors)
		}
		if mo.TotalRatio <= 0 || mo.StartupRatio <= 0 || mo.StartupNS <= 0 || mo.TotalNS <= mo.StartupNS || mo.MinFlt <= 0 {
			t.Errorf("%s: figures %+v", mo.Method, mo)
		}
		// The ratios and overheads are of the medians reported, exactly.
		if mo.TotalRatio != mo.TotalNS/f.TotalNS || mo.TotalOverNS != mo.TotalNS-f.TotalNS {
			t.Errorf("%s: total ratio %v, overhead %v; want %v/%v", mo.Method, mo.TotalRatio, mo.TotalOverNS, mo.TotalNS, f.TotalNS)
		}
		if f.StartupNS == nil {
			if mo.StartupRatio != 0 {
				t.Errorf("%s: startup ratio %v over a floor with no startup", mo.Method, mo.StartupRatio)
			}
		} else if mo.StartupRatio != mo.StartupNS / *f.StartupNS || mo.StartupOverNS != mo.StartupNS-*f.StartupNS {
			t.Errorf("%s: startup ratio %v, overhead %v; want %v/%v", mo.Method, mo.StartupRatio, mo.StartupOverNS, mo.StartupNS, *f.StartupNS)
		}
		if (mo.ExecDoneNS != nil) != (mo.Method == results.Spawn) || (mo.RuntimeReadyNS != nil) != (mo.Method == results.Spawn) {
			t.Errorf("%s: exec_done %v runtime_ready %v", mo.Method, mo.ExecDoneNS, mo.RuntimeReadyNS)
		}
		// Medians keep the per-task order: exec done, then the runtime,
		// then the task.
		if mo.ExecDoneNS != nil && mo.RuntimeReadyNS != nil &&
			!(0 < *mo.ExecDoneNS && *mo.ExecDoneNS < *mo.RuntimeReadyNS && *mo.RuntimeReadyNS <= mo.StartupNS) {
			t.Errorf("%s: exec_done %v, runtime_ready %v, startup %v out of order", mo.Method, *mo.ExecDoneNS, *mo.RuntimeReadyNS, mo.StartupNS)
		}
		if mo.Method == results.Fork {
			fork = mo
		}
	}
	if fork.StartupRatio <= 0 {
		t.Fatalf("fork has no startup ratio: %+v", fork)
	}
	want := []results.Goal{
		{Name: "fork startup", Ratio: fork.StartupRatio, Limit: stats.GoalForkStartupRatio},
		{Name: "fork total per task", Ratio: fork.TotalRatio, Limit: stats.GoalForkTotalRatio},
	}
	if len(cal.Goals) != len(want) {
		t.Fatalf("goals %+v, want %+v", cal.Goals, want)
	}
	for i, g := range cal.Goals {
		if g.Name != want[i].Name || g.Ratio != want[i].Ratio || g.Limit != want[i].Limit || g.Met != (g.Ratio <= g.Limit) {
			t.Errorf("goal %+v, want %+v (met when the ratio is within the limit)", g, want[i])
		}
	}
	assertNoChildren(t)
}

func TestCalibrateBadInput(t *testing.T) {
	for _, cs := range []CalibrateSpec{{Rounds: 0}, {Rounds: 1, Warmup: -1}, {Rounds: 1, Methods: []results.Method{results.Thread}}} {
		if cal, err := Calibrate(context.Background(), cs); err == nil || cal != nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: %v, %v", cs, cal, err)
		}
	}
}

func TestCalibrateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cal, err := Calibrate(ctx, CalibrateSpec{Rounds: 3, Methods: []results.Method{results.Fork}})
	if err == nil || cal == nil {
		t.Fatalf("cancelled calibrate: %v, %v", cal, err)
	}
	assertNoChildren(t)
}

func TestCalibrateRates(t *testing.T) {
	cal, err := Calibrate(context.Background(), CalibrateSpec{Rounds: 1, Methods: []results.Method{results.Fork}, RateTasks: []int{30}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Rates) != len(floorRateLimits)+2 {
		t.Fatalf("rates %+v", cal.Rates)
	}
	for i, r := range cal.Rates {
		if r.Error != "" || r.Failed != 0 || r.Tasks != 30 || r.WallNS <= 0 || r.TasksPerSec <= 0 {
			t.Errorf("rate %d: %+v", i, r)
		}
	}
	lab := cal.Rates[len(cal.Rates)-1]
	if lab.FloorRatio <= 0 || lab.MaxProcs != 0 {
		t.Errorf("proclab row %+v", lab)
	}
	if resetPeakRSS() && (lab.LabPeakRSSBytes == nil || *lab.LabPeakRSSBytes <= 0) {
		t.Errorf("peak RSS %v though VmHWM can be reset", lab.LabPeakRSSBytes)
	}
	if _, err := Calibrate(context.Background(), CalibrateSpec{Rounds: 1, RateTasks: []int{0}}); err == nil {
		t.Error("--rate-tasks 0 accepted")
	}
	assertNoChildren(t)
}

// peakRSS reads VmHWM: after touching 64 MiB of fresh pages it must have
// risen by about that much. The high-water mark is reset first (as the
// rates do), so a peak left by an earlier test (a 256 MiB ballast, say)
// cannot hide the rise: the test holds in any order. The 64 MiB are
// mapped anew (not from the Go heap, which may reuse resident pages).
func TestPeakRSS(t *testing.T) {
	if !resetPeakRSS() {
		t.Fatal("cannot reset VmHWM through /proc/self/clear_refs")
	}
	before, err := peakRSS()
	if err != nil || before <= 0 {
		t.Fatalf("peak RSS %d, %v", before, err)
	}
	b, err := unix.Mmap(-1, 0, 64<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(b)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	after, err := peakRSS()
	if err != nil || after < before+60<<20 {
		t.Errorf("peak RSS %d after touching 64 MiB, %d before (%v)", after, before, err)
	}
}
