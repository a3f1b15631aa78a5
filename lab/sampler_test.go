package lab

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

const mib = 1 << 20

// A fork child of a lab holding 256 MiB maps all of it, so its RSS is
// above 256 MiB; but it shares every page with the lab, so its PSS is
// about half that. A spawned child runs a fresh image: small RSS.
func TestSamplesShowSharedMemory(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Fork, results.Spawn}, NTasks: 2, NIters: 200_000_000,
		ParentRSS: []int64{256 * mib}, SampleInterval: 5 * time.Millisecond})
	for _, r := range res.Runs {
		for i, tk := range r.Tasks {
			checkProcessTask(t, i, tk, os.Getpid())
			checkSamples(t, r.Method, tk)
			if tk.PeakRSSBytes == nil || tk.PeakPSSBytes == nil {
				t.Fatalf("%s task %d: peaks missing", r.Method, i)
			}
			rss, pss := *tk.PeakRSSBytes, *tk.PeakPSSBytes
			t.Logf("%s task %d: %d samples, peak rss %d MiB, peak pss %d MiB",
				r.Method, i, len(tk.Samples), rss/mib, pss/mib)
			switch r.Method {
			case results.Fork:
				if rss <= 256*mib {
					t.Errorf("fork task %d: peak rss %d MiB, want above the lab's 256 MiB", i, rss/mib)
				}
				if float64(pss) >= 0.75*float64(rss) {
					t.Errorf("fork task %d: peak pss %d MiB not well below peak rss %d MiB", i, pss/mib, rss/mib)
				}
			case results.Spawn:
				if rss >= 128*mib {
					t.Errorf("spawn task %d: peak rss %d MiB, want a fresh image far below the lab's 256 MiB", i, rss/mib)
				}
			}
		}
	}
	s := res.Sampler
	if s == nil || s.Samples == 0 || s.CPUNS <= 0 || s.ChildCPUNS <= 0 || s.IntervalNS != 5e6 {
		t.Errorf("sampler stats %+v", s)
	}
	assertNoChildren(t)
}

// checkSamples checks one task's series: several samples, in time order,
// inside the task's life, with sane figures.
func checkSamples(t *testing.T, m results.Method, tk results.Task) {
	t.Helper()
	if len(tk.Samples) < 2 {
		t.Fatalf("%s task %d: %d samples of a %v task sampled every 5ms", m, tk.Task, len(tk.Samples), time.Duration(tk.RunNS))
	}
	prev := int64(0)
	for j, s := range tk.Samples {
		if s.TNS <= prev || s.TNS > tk.TotalNS {
			t.Errorf("%s task %d sample %d: t_ns %d after %d, task total %d", m, tk.Task, j, s.TNS, prev, tk.TotalNS)
		}
		prev = s.TNS
		if s.RSSBytes <= 0 || s.PSSBytes <= 0 || s.PSSBytes > s.RSSBytes || s.USSBytes > s.PSSBytes {
			t.Errorf("%s task %d sample %d: rss %d pss %d uss %d", m, tk.Task, j, s.RSSBytes, s.PSSBytes, s.USSBytes)
		}
		if s.Threads < 1 || s.CPUPercent < 0 {
			t.Errorf("%s task %d sample %d: threads %d cpu %.1f%%", m, tk.Task, j, s.Threads, s.CPUPercent)
		}
	}
	// The hot loop keeps the child on a CPU: somewhere it shows.
	busy := false
	for _, s := range tk.Samples {
		busy = busy || s.CPUPercent > 0
	}
	if !busy {
		t.Errorf("%s task %d: no sample saw CPU use: %+v", m, tk.Task, tk.Samples)
	}
}

func TestSamplingOff(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Fork, results.Thread}, NTasks: 2, NIters: 100_000})
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			if tk.Samples != nil || tk.PeakRSSBytes != nil || tk.PeakPSSBytes != nil {
				t.Errorf("%s task %d: samples without sampling: %+v", r.Method, tk.Task, tk)
			}
		}
	}
	if res.Sampler != nil || res.Spec.SampleIntervalNS != 0 {
		t.Errorf("sampler %+v, interval %d", res.Sampler, res.Spec.SampleIntervalNS)
	}
	checkHost(t, res.Host)
}

// A thread task has no process of its own: nothing to sample.
func TestSamplingSkipsThreads(t *testing.T) {
	res := runSpec(t, Spec{Methods: []results.Method{results.Thread, results.Single}, NTasks: 2, NIters: 100_000,
		SampleInterval: time.Millisecond})
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			if tk.Samples != nil || tk.PeakRSSBytes != nil {
				t.Errorf("%s task %d: %+v", r.Method, tk.Task, tk)
			}
		}
	}
	if res.Sampler == nil || res.Sampler.Samples != 0 {
		t.Errorf("sampler %+v", res.Sampler)
	}
}

func TestSampleIntervalValidate(t *testing.T) {
	for _, d := range []time.Duration{-time.Millisecond, time.Nanosecond, 999 * time.Microsecond} {
		s := Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1, SampleInterval: d}
		if err := s.Validate(); err == nil {
			t.Errorf("--sample-interval %v accepted", d)
		}
	}
	for _, d := range []time.Duration{0, time.Millisecond, DefaultSampleInterval} {
		s := Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1, SampleInterval: d}
		if err := s.Validate(); err != nil {
			t.Errorf("--sample-interval %v: %v", d, err)
		}
	}
}

// BenchmarkSample is one sample (a full gopsutil reading; a quick one,
// Times and MemoryInfo; or the sampler's quick reading, a pread of
// /proc/PID/stat held open) of a live fork child running the hot loop, for a lab holding 0 and 256
// MiB. cpu-ns/op is the sampling thread's own CPU: what a sample costs
// the machine.
func BenchmarkSample(b *testing.B) {
	for _, size := range []int64{0, 256 * mib} {
		for _, kind := range []string{"full", "quick", "stat"} {
			b.Run(fmt.Sprintf("parent=%dMiB/%s", size/mib, kind), func(b *testing.B) {
				pid := liveChild(b, size)
				r := newProcReader(pid)
				read := r.read
				switch kind {
				case "quick":
					read = r.readQuick
				case "stat": // the sampler's quick reading
					q := newStatReader(pid)
					defer q.close()
					var buf [1024]byte
					read = func(context.Context) (rd procReading, gone bool, err error) {
						rd.cpuSeconds, rd.rss, gone, err = q.read(buf[:])
						return rd, gone, err
					}
				}
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				ctx := context.Background()
				var rd procReading
				cpu0 := threadCPU()
				b.ResetTimer()
				for b.Loop() {
					var gone bool
					var err error
					if rd, gone, err = read(ctx); err != nil || gone {
						b.Fatalf("read: gone %v, %v", gone, err)
					}
				}
				b.ReportMetric(float64(threadCPU()-cpu0)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(rd.rss)/mib, "rss-MiB")
				b.ReportMetric(float64(rd.pss)/mib, "pss-MiB")
			})
		}
	}
}

// liveChild forks a child of a lab holding size bytes that runs the hot
// loop until the benchmark ends; then it is killed and reaped.
func liveChild(b *testing.B, size int64) int {
	ballast, err := holdMemory(size, false)
	if err != nil {
		b.Fatal(err)
	}
	r, w, err := resultPipe()
	if err != nil {
		b.Fatal(err)
	}
	c, err := csys.ForkRun(csys.Task{NIters: 1 << 50}, w)
	unix.Close(w)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		syscall.Kill(c.PID, syscall.SIGKILL)
		csys.Wait4(c.PID)
		r.Close()
		ballast.free()
	})
	return c.PID
}

// BenchmarkSamplerOverhead runs the command's default run (fork, 4 tasks,
// 5 rounds; 10M iterations, and 10 times that) with sampling off and on,
// alternately, so both share the machine's noise. It reports the children's
// CPU (rusage) per run for each, the sampler's own CPU per run, and that as
// a percentage of the children's CPU: the overhead the default interval
// must keep <= 1 %.
func BenchmarkSamplerOverhead(b *testing.B) {
	intervals := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond}
	for _, iters := range []uint64{10_000_000, 100_000_000} {
		for _, size := range []int64{0, 256 * mib} {
			for _, iv := range intervals {
				b.Run(fmt.Sprintf("iters=%dM/parent=%dMiB/interval=%v", iters/1e6, size/mib, iv), func(b *testing.B) {
					benchOverhead(b, Spec{Methods: []results.Method{results.Fork}, NTasks: 4, NIters: iters, Repeat: 5,
						ParentRSS: []int64{size}}, iv)
				})
			}
		}
	}
}

// benchOverhead alternates spec without and with sampling every iv.
func benchOverhead(b *testing.B, spec Spec, iv time.Duration) {
	var off, on, sampler, samples int64
	for b.Loop() {
		spec.SampleInterval = 0
		off += childCPUOf(b, spec).cpu
		spec.SampleInterval = iv
		r := childCPUOf(b, spec)
		on += r.cpu
		sampler += r.sampler.CPUNS
		samples += int64(r.sampler.Samples)
	}
	n := float64(b.N * spec.Repeat)
	b.ReportMetric(float64(off)/n, "child-cpu-off-ns/run")
	b.ReportMetric(float64(on)/n, "child-cpu-on-ns/run")
	b.ReportMetric(float64(sampler)/n, "sampler-cpu-ns/run")
	b.ReportMetric(float64(samples)/n, "samples/run")
	b.ReportMetric(float64(sampler)/float64(samples), "sampler-cpu-ns/sample")
	b.ReportMetric(100*float64(sampler)/float64(on), "overhead-%")
}

type cpuFigures struct {
	cpu     int64
	sampler results.SamplerStats
}

func childCPUOf(b *testing.B, spec Spec) cpuFigures {
	res, err := Run(context.Background(), spec)
	if err != nil {
		b.Fatal(err)
	}
	var f cpuFigures
	for _, r := range res.Runs {
		ns, _ := processCPU(r.Tasks)
		f.cpu += ns
	}
	if res.Sampler != nil {
		f.sampler = *res.Sampler
	}
	return f
}

// A budget makes the sampler skip readings instead of costing more: with
// a budget far below one reading's cost, it takes at most one and counts
// the rest as skipped; without one, the same run is sampled.
func TestSampleBudget(t *testing.T) {
	spec := Spec{Methods: []results.Method{results.Fork}, NTasks: 2, NIters: 100_000_000, SampleInterval: 5 * time.Millisecond}
	free := runSpec(t, spec)
	spec.SampleBudget = 1e-7
	tight := runSpec(t, spec)
	if free.Sampler.Samples < 4 || free.Sampler.Skipped != 0 {
		t.Errorf("unlimited: %+v", free.Sampler)
	}
	if tight.Sampler.Samples > 1 || tight.Sampler.Skipped < 4 || tight.Sampler.Budget != 1e-7 {
		t.Errorf("budget 1e-7: %+v", tight.Sampler)
	}
}

// A Python forkserver's children are reaped by its server: the lab gets
// no rusage for them, and their CPU counted 0, so that the sampler's
// line read "0.0% of the children's" over 11 ms of sampling. They count
// with their own CPU around the loop (task_cpu_ns), never more than
// their process used.
func TestSamplerCountsPythonChildren(t *testing.T) {
	needPython(t)
	res := runSpec(t, Spec{Methods: []results.Method{results.PyForkserver}, NTasks: 2, NIters: 300_000, Repeat: 1,
		SampleInterval: DefaultSampleInterval, SampleBudget: DefaultSampleBudget})
	var cpu int64
	for _, tk := range res.Runs[0].Tasks {
		if tk.ParentPID == nil || tk.TaskCPUNS == nil {
			t.Fatalf("task %d: %+v", tk.Task, tk)
		}
		if tk.UserNS != nil && tk.SysNS != nil {
			cpu += *tk.UserNS + *tk.SysNS
		} else {
			cpu += *tk.TaskCPUNS
		}
	}
	s := res.Sampler
	if s == nil || cpu <= 0 || s.ChildCPUNS != cpu || s.Overhead != float64(s.CPUNS)/float64(cpu) {
		t.Errorf("sampler %+v; the children's CPU %d", s, cpu)
	}
}

// parseStat reads utime, stime and rss from /proc/PID/stat, whatever the
// command name holds.
func TestParseStat(t *testing.T) {
	rest := " S 1 2 3 4 5 6 7 8 9 10 120 30 13 14 15 16 17 18 19 20 777 22 23\n"
	for _, comm := range []string{"(sh)", "(a b) c)", "()", "(x))(y)"} {
		u, s, rss, ok := parseStat([]byte("42 " + comm + rest))
		if !ok || u != 120 || s != 30 || rss != 777 {
			t.Errorf("%s: utime %d stime %d rss %d ok %v", comm, u, s, rss, ok)
		}
	}
	for _, bad := range []string{"", "42 (sh) S 1 2", "42 sh S", "42 (sh) S 1 2 3 4 5 6 7 8 9 10 x 30"} {
		if _, _, _, ok := parseStat([]byte(bad)); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	r := newStatReader(os.Getpid())
	defer r.close()
	cpu, rss, gone, err := r.read(make([]byte, 1024))
	if err != nil || gone || rss <= 0 || cpu < 0 {
		t.Errorf("own stat: cpu %v rss %d gone %v %v", cpu, rss, gone, err)
	}
}

// The CPU of a child another process reaped (a forkserver's, the Python
// driver's) is not in the lab's RUSAGE_CHILDREN: told by ended, it earns
// the sampler its budget as a child the lab reaped does. Before, the
// budget of a py-* run came from its children alive alone.
func TestSamplerBudgetCountsChildrenReapedElsewhere(t *testing.T) {
	s := startSampler(DefaultSampleInterval, DefaultSampleBudget)
	before, _ := s.allowance()
	s.ended(int64(time.Second))
	after, _ := s.allowance()
	s.finish(0, 0)
	if want := budgetAim * DefaultSampleBudget * float64(time.Second); after-before < want {
		t.Errorf("allowance %v, then %v after a child of 1 s ended elsewhere: want %v more", before, after, want)
	}
}
