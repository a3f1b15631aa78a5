package lab

import (
	"context"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// DefaultSampleInterval is the command's --sample-interval: how fine the
// series of a long task is. The budget (DefaultSampleBudget) bounds what
// it costs. Without a budget (BenchmarkSamplerOverhead, shared 2-vCPU VM)
// one sample of a small child costs the lab 0.3-0.4 ms of CPU while
// children compete for the CPUs (0.13 ms in a quiet loop, BenchmarkSample):
// 4 tasks of 150 ms sampled every 250 ms cost 1.0% of the children's CPU,
// every 100 ms 1.8%. PSS costs ~6 ms per sample of a 256 MiB process (the
// kernel walks its page tables).
const DefaultSampleInterval = 100 * time.Millisecond

// DefaultSampleBudget is the command's --sample-budget: the sampler skips
// a reading rather than let its own CPU pass 0.5% of the CPU the children
// can have used so far. That keeps the overhead at or below 1% whatever
// the interval, task length or process size (without it, the first sample
// of a 15 ms task alone costs 2-3%, and one sample of a 256 MiB child
// 5 ms). The budget is half the goal because its estimate of the
// children's CPU is generous (lifetime, capped by the CPU count) and
// gopsutil's first reading costs more than the next ones. Measured (fork,
// 4 tasks, 3 rounds): 0.5% at 10M iterations, 0.9% at 100M, 0.8% at
// 300M with a 256 MiB parent. Short tasks then get fewer samples; the
// skipped readings are counted in the results.
const DefaultSampleBudget = 0.005

// MinSampleInterval is the shortest interval accepted: a sample costs a
// few tenths of a millisecond.
const MinSampleInterval = time.Millisecond

// sampler is the observer that samples every watched child with gopsutil:
// one goroutine, one ticker. A child is sampled once promptly after it is
// watched (so a short task still gets a sample: as soon as the lab has
// stopped creating children for createQuiet), then at every tick.
type sampler struct {
	interval time.Duration
	budget   float64 // own CPU / children's possible CPU; 0: unlimited
	ncpu     int
	startNS  int64
	cpu0     int64 // the sampler thread's CPU clock at start
	endedNS  int64 // lifetime of the children already unwatched, summed
	costNS   int64 // CPU of the latest reading: what the next one will likely cost

	mu      sync.Mutex
	watched map[int]*watchedProc

	wake chan struct{} // a child was watched
	stop chan struct{}
	done chan struct{}

	// The sampler's own cost, valid after finish.
	stats SamplerStats
}

// watchedProc is one child being sampled. Its lock is held for the whole
// of a reading, so unwatch waits for a reading in flight: after unwatch
// returns, nothing reads the pid again, and the caller may reap it.
type watchedProc struct {
	mu       sync.Mutex
	createNS int64
	r        procReader
	samples  []Sample
	prevNS   int64   // when the previous reading was taken (at first: the create call)
	prevCPU  float64 // its CPU seconds
	stopped  bool    // unwatched, gone or unreadable: read no more
}

// SamplerStats is what live sampling cost the lab: the sampler's own CPU
// against the CPU of every child process it ran beside (warmup included).
type SamplerStats struct {
	IntervalNS int64   `json:"interval_ns"`
	Samples    int     `json:"samples"`      // readings taken (one process each)
	CPUNS      int64   `json:"cpu_ns"`       // the sampler thread's CPU time
	ChildCPUNS int64   `json:"child_cpu_ns"` // user+sys of all child processes
	Overhead   float64 `json:"overhead"`     // cpu_ns / child_cpu_ns
	Budget     float64 `json:"budget"`       // the most overhead allowed; 0: unlimited
	Skipped    int     `json:"skipped"`      // readings left out to stay within the budget
}

func startSampler(interval time.Duration, budget float64) *sampler {
	s := &sampler{interval: interval, budget: budget, ncpu: runtime.NumCPU(), startNS: csys.Now(),
		watched: map[int]*watchedProc{},
		wake:    make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.stats.IntervalNS = interval.Nanoseconds()
	s.stats.Budget = budget
	started := make(chan struct{})
	go s.loop(started)
	<-started
	return s
}

// withinBudget reports whether the sampler's CPU so far is within its
// budget of the CPU the children can have used: their lifetimes so far,
// capped by the CPUs the machine has. That estimate is generous (a child
// waiting for a CPU uses none), so overhead measured afterwards against
// the children's rusage may sit slightly above the budget.
func (s *sampler) withinBudget() bool {
	if s.budget <= 0 {
		return true
	}
	now := csys.Now()
	s.mu.Lock()
	alive := s.endedNS
	for _, w := range s.watched {
		alive += now - w.createNS
	}
	s.mu.Unlock()
	alive = min(alive, int64(s.ncpu)*(now-s.startNS))
	return float64(threadCPU()-s.cpu0+s.costNS) <= s.budget*float64(alive)
}

// watch only registers the pid: the create path never calls gopsutil.
func (s *sampler) watch(_, pid int, createNS int64) {
	w := &watchedProc{createNS: createNS, r: newProcReader(pid), prevNS: createNS}
	s.mu.Lock()
	s.watched[pid] = w
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func (s *sampler) unwatch(pid int) []Sample {
	s.mu.Lock()
	w := s.watched[pid]
	delete(s.watched, pid)
	if w != nil {
		s.endedNS += csys.Now() - w.createNS
	}
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	return w.samples
}

// finish stops the sampler goroutine and returns its own cost beside
// childCPU, the CPU of the child processes it ran beside.
func (s *sampler) finish(childCPU int64) *SamplerStats {
	close(s.stop)
	<-s.done
	st := s.stats
	st.ChildCPUNS = childCPU
	if childCPU > 0 {
		st.Overhead = float64(st.CPUNS) / float64(childCPU)
	}
	return &st
}

// processCPU is the user+system CPU of the tasks that ran in child
// processes (the ones the sampler can watch).
func processCPU(ts []Task) int64 {
	var ns int64
	for _, t := range ts {
		if t.ParentPID != nil {
			ns += t.UserNS + t.SysNS
		}
	}
	return ns
}

func (s *sampler) loop(started chan<- struct{}) {
	defer close(s.done)
	// The loop keeps one OS thread, so that the thread's CPU clock is the
	// sampler's own CPU: what sampling costs the machine.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s.cpu0 = threadCPU()
	close(started)
	defer func() { s.stats.CPUNS = threadCPU() - s.cpu0 }()

	ctx := context.Background()
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	// A child's first sample waits until no child has been created for
	// a moment (but not longer than an interval), so that it does not
	// compete for a CPU with the lab creating the next children.
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	var firstWatch time.Time // of the children waiting for a first sample
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
			now := time.Now()
			if firstWatch.IsZero() {
				firstWatch = now
			}
			quiet.Reset(min(createQuiet, s.interval-now.Sub(firstWatch)))
		case <-quiet.C:
			firstWatch = time.Time{}
			s.sampleAll(ctx, true)
		case <-tick.C:
			s.sampleAll(ctx, false)
		}
	}
}

// createQuiet is how long no child must have been created before the
// new children get their first sample.
const createQuiet = 2 * time.Millisecond

// sampleAll reads every watched child, or with fresh only the children
// not read yet.
func (s *sampler) sampleAll(ctx context.Context, fresh bool) {
	s.mu.Lock()
	ws := make([]*watchedProc, 0, len(s.watched))
	for _, w := range s.watched {
		ws = append(ws, w)
	}
	s.mu.Unlock()
	for _, w := range ws {
		s.sampleOne(ctx, w, fresh)
	}
}

func (s *sampler) sampleOne(ctx context.Context, w *watchedProc, fresh bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || (fresh && len(w.samples) > 0) {
		return
	}
	if !s.withinBudget() {
		s.stats.Skipped++
		return
	}
	now := csys.Now()
	c0 := threadCPU()
	rd, gone, err := w.r.read(ctx)
	s.costNS = threadCPU() - c0
	s.stats.Samples++
	if err != nil || gone {
		// The child exited (it is reaped only after unwatch) or its
		// /proc entry could not be read: nothing more to learn.
		w.stopped = true
		return
	}
	// CPU percent of one CPU since the previous reading; the first
	// reading's reference is the create call, when the child had used
	// no CPU.
	var pct float64
	if dt := now - w.prevNS; dt > 0 {
		pct = (rd.cpuSeconds - w.prevCPU) * 1e9 / float64(dt) * 100
	}
	w.prevNS, w.prevCPU = now, rd.cpuSeconds
	w.samples = append(w.samples, Sample{
		TNS: now - w.createNS, CPUPercent: pct,
		RSSBytes: rd.rss, PSSBytes: rd.pss, USSBytes: rd.uss,
		Threads: rd.threads, VolCtxSw: rd.volCtx, InvolCtxSw: rd.involCtx,
	})
}

// threadCPU is the calling thread's CPU time in nanoseconds. The thread
// CPU clock includes the running slice, which getrusage(RUSAGE_THREAD)
// leaves out until the next tick or switch.
func threadCPU() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return ts.Nano()
}

// setSamples keeps a task's live samples and their peaks.
func (t *Task) setSamples(ss []Sample) {
	if len(ss) == 0 {
		return
	}
	t.Samples = ss
	var rss, pss int64
	for _, s := range ss {
		rss = max(rss, s.RSSBytes)
		pss = max(pss, s.PSSBytes)
	}
	t.PeakRSSBytes, t.PeakPSSBytes = ptr(rss), ptr(pss)
}
