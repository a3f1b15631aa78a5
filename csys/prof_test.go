package csys

import (
	"bytes"
	"runtime/pprof"
	"sync"
	"testing"

	"github.com/google/pprof/profile"
)

// The hot loop is a few dozen bytes of code; a sample "in the loop" is a PC
// within this distance of its entry. Symbolization by name is tested in lab.
const hotLoopSpan = 512

func inHotLoop(pcs []uint64, base uint64) int {
	n := 0
	for _, pc := range pcs {
		if a := pc - base + TextBase(); a >= HotLoopAddr() && a < HotLoopAddr()+hotLoopSpan {
			n++
		}
	}
	return n
}

// checkSamples checks that a task of cpuNS CPU sampled at hz took samples,
// mostly in the hot loop. The rate check is loose on purpose (CPU-time
// timers fire on scheduler ticks); it catches a timer that fires once or
// never.
func checkSamples(t *testing.T, what string, pcs []uint64, base uint64, hz int, cpuNS int64) {
	t.Helper()
	want := float64(hz) * float64(cpuNS) / 1e9
	if float64(len(pcs)) < want/4 {
		t.Errorf("%s: %d samples for %.0f expected (%d Hz, %dns CPU)", what, len(pcs), want, hz, cpuNS)
	}
	if in := inHotLoop(pcs, base); len(pcs) == 0 || in*10 < len(pcs)*8 {
		t.Errorf("%s: %d of %d samples in the hot loop, want at least 80%%", what, in, len(pcs))
	}
}

func TestForkChildSamplesItself(t *testing.T) {
	task := Task{Index: 1, NIters: 100_000_000, ProfileHz: 250}
	c, rec, ex := runChild(t, func(w int) (Created, error) { return ForkRun(task, w) })
	checkChild(t, task, c, rec, ex)
	if rec.ProfileHz != 250 || rec.TextBase != TextBase() {
		t.Errorf("record hz %d text base %#x, want 250 and the lab's %#x (a fork child shares its image)", rec.ProfileHz, rec.TextBase, TextBase())
	}
	checkSamples(t, "fork child", rec.Samples, rec.TextBase, 250, int64(ex.Usage.User+ex.Usage.Sys))
}

func TestInProcessSamples(t *testing.T) {
	stray := StraySamples()
	ip := RunInProcess(Task{NIters: 100_000_000, ProfileHz: 250})
	if ip.ProfileErr != nil {
		t.Fatal(ip.ProfileErr)
	}
	if ip.Checksum != refHotLoop(100_000_000) {
		t.Errorf("checksum %#x", ip.Checksum)
	}
	checkSamples(t, "in-process task", ip.Samples, TextBase(), 250, int64(ip.Usage.User+ip.Usage.Sys))
	if s := StraySamples() - stray; s != 0 {
		t.Errorf("%d profiling signals found no task", s)
	}
	if ip := RunInProcess(Task{NIters: 1000}); ip.Samples != nil || ip.ProfileErr != nil {
		t.Errorf("unprofiled task has samples %v / error %v", ip.Samples, ip.ProfileErr)
	}
}

// Tasks on concurrent threads each get only their own thread's samples,
// while Go's own CPU profiler, which shares SIGPROF, keeps working.
func TestInProcessSamplesBesideGoProfiler(t *testing.T) {
	var goProf bytes.Buffer
	if err := pprof.StartCPUProfile(&goProf); err != nil {
		t.Skipf("Go CPU profiler busy: %v", err)
	}
	const n = 3
	var wg sync.WaitGroup
	res := make([]InProcess, n)
	iters := []uint64{20_000_000, 60_000_000, 120_000_000}
	for i := range n {
		wg.Go(func() { res[i] = RunInProcess(Task{Index: uint32(i), NIters: iters[i], ProfileHz: 250}) })
	}
	wg.Wait()
	pprof.StopCPUProfile()
	for i, ip := range res {
		if ip.ProfileErr != nil {
			t.Fatal(ip.ProfileErr)
		}
		checkSamples(t, "thread task", ip.Samples, TextBase(), 250, int64(ip.Usage.User+ip.Usage.Sys))
		t.Logf("task %d: %d iterations, %d samples, %v CPU", i, iters[i], len(ip.Samples), ip.Usage.User+ip.Usage.Sys)
	}
	// Each task's samples follow its own CPU: the longest task has clearly
	// more than the shortest (a shared or misrouted timer would even them).
	if len(res[2].Samples) <= 2*len(res[0].Samples) {
		t.Errorf("samples %d vs %d for 6x the work: samples are not per thread", len(res[2].Samples), len(res[0].Samples))
	}
	// The threads burnt ~0.3s of CPU while Go profiled at 100 Hz: if our
	// handler swallowed Go's signals, Go would have none of them.
	gp, err := profile.Parse(&goProf)
	if err != nil {
		t.Fatalf("Go's CPU profile: %v", err)
	}
	var goSamples int64
	for _, s := range gp.Sample {
		goSamples += s.Value[0]
	}
	t.Logf("Go's profile: %d samples", goSamples)
	if goSamples < 3 {
		t.Errorf("Go's CPU profile has %d samples: its SIGPROFs did not reach it", goSamples)
	}
}
