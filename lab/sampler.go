package lab

import (
	"context"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// DefaultSampleInterval is the command's --sample-interval, chosen by
// measurement (BenchmarkSamplerOverhead, a shared 2-vCPU VM): one sample of
// a small child costs the lab 0.3-0.4 ms of CPU while children compete for
// the CPUs (0.13 ms in a quiet loop, BenchmarkSample), so 4 tasks of 150 ms
// sampled every 250 ms cost the lab 1.0 % of the children's CPU (100 ms:
// 1.8 %). Each task's first sample is a floor no interval removes: 2-3 %
// of a 15 ms task. PSS costs ~6 ms per sample of a 256 MiB process (the
// kernel walks its page tables): sample large parents sparingly or not at
// all when timing matters.
const DefaultSampleInterval = 250 * time.Millisecond

// MinSampleInterval is the shortest interval accepted: a sample costs a
// few tenths of a millisecond.
const MinSampleInterval = time.Millisecond

// sampler is the observer that samples every watched child with gopsutil:
// one goroutine, one ticker. A child is sampled once promptly after it is
// watched (so a short task still gets a sample: as soon as the lab has
// stopped creating children for createQuiet), then at every tick.
type sampler struct {
	interval time.Duration

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
}

func startSampler(interval time.Duration) *sampler {
	s := &sampler{interval: interval, watched: map[int]*watchedProc{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.stats.IntervalNS = interval.Nanoseconds()
	go s.loop()
	return s
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

func (s *sampler) loop() {
	defer close(s.done)
	// The loop keeps one OS thread, so that the thread's CPU clock is the
	// sampler's own CPU: what sampling costs the machine.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	defer func() { s.stats.CPUNS = threadCPU() - cpu0 }()

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
	now := csys.Now()
	rd, gone, err := w.r.read(ctx)
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
