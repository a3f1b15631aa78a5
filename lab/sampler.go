package lab

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
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

// DefaultSampleBudget is the command's --sample-budget: sampling may cost
// the lab at most 0.5% of the CPU its children used. Everything sampling
// costs counts: the sampler thread (readings, and every wake-up of it,
// which after a storm of forks costs up to 3 ms of copy-on-write faults),
// and watch and unwatch on the create and reap paths (20-40 µs per child,
// mostly copy-on-write faults). The sampler aims at 4/5 of it (budgetAim)
// and keeps its costs within it by skipping: readings it cannot afford,
// children it cannot afford to register (short ones, while out of
// credit), and looks (its tick backs off). Measured on a busy 2-vCPU VM
// (side by side with the sampler before this accounting, which took
// 1.4-2.7% on the first three and 5-6% on the last): fork, 4 tasks of
// 10M iterations, 5 rounds: 0.48% (no sample: a first reading costs
// ~2 ms, more than 0.5% of 370 ms); 300M, 3 rounds: 0.52%, every task
// sampled; spawn and forkserver, 100M: 0.32%; 5,000 tasks of 1,000
// iterations, 50 at a time: 0.41%. Short tasks get fewer samples, or
// none; the skipped readings are counted in the results.
const DefaultSampleBudget = 0.005

// MinSampleInterval is the shortest interval accepted: a sample costs a
// few tenths of a millisecond.
const MinSampleInterval = time.Millisecond

// sampler is the observer that samples every watched child with gopsutil:
// one goroutine, one timer. A child is sampled once promptly after it is
// watched (so a short task still gets a sample, budget allowing: as soon
// as the lab has stopped creating children for createQuiet), then at
// every tick.
type sampler struct {
	interval time.Duration
	budget   float64 // own CPU / children's possible CPU; 0: unlimited
	ncpu     int
	startNS  int64
	cpu0     int64 // the sampler thread's CPU clock at start
	child0   int64 // RUSAGE_CHILDREN user+sys at start
	costNS   int64 // CPU of the latest reading: what the next one will likely cost

	// Sampler CPU spent on other threads: watch and unwatch run on the
	// lab's create and reap paths (a gopsutil handle made, a map entry, a
	// wake-up sent, and above all the copy-on-write faults of writing
	// that memory right after a fork: ~16 µs per child measured). It is
	// the sampler's cost too, and counts against the budget with the
	// sampler thread's own.
	extraNS atomic.Int64
	// credit is what the budget had left at the sampler's latest look
	// (ns; allowance minus spent), less what watch and unwatch spent
	// since. watch registers a child only while it is positive: past the
	// budget, a child costs the lab one read of it and nothing else.
	credit atomic.Int64
	// nWatched is how many children are registered: unwatch of a child
	// never registered reads it and returns, writing nothing.
	nWatched atomic.Int64
	// notWatched counts children left unregistered to keep the budget;
	// each would have had at least one reading (counted as skipped).
	notWatched atomic.Int64
	// lifeNS and lives sum the lifetimes of the registered children that
	// ended (longLived).
	lifeNS, lives atomic.Int64
	// pending is set while a wake-up for new children is on its way or
	// their first-sample pass is waiting for the creates to pause: more
	// watches meanwhile send nothing (one wake per batch, not per child).
	pending atomic.Bool
	// lastWatchNS is when the latest child was watched (csys.Now).
	lastWatchNS atomic.Int64

	mu      sync.Mutex
	watched map[int]*watchedProc

	wake chan struct{} // a child was watched
	stop chan struct{}
	done chan struct{}

	// The sampler's own cost, valid after finish.
	stats results.SamplerStats
}

// watchedProc is one child being sampled. Its lock is held for the whole
// of a reading, so unwatch waits for a reading in flight: after unwatch
// returns, nothing reads the pid again, and the caller may reap it.
type watchedProc struct {
	mu       sync.Mutex
	createNS int64
	r        procReader
	samples  []results.Sample
	prevNS   int64   // when the previous reading was taken (at first: the create call)
	prevCPU  float64 // its CPU seconds
	stopped  bool    // unwatched, gone or unreadable: read no more
}

func startSampler(interval time.Duration, budget float64) *sampler {
	s := &sampler{interval: interval, budget: budget, ncpu: runtime.NumCPU(), startNS: csys.Now(), child0: childrenCPU(),
		watched: map[int]*watchedProc{},
		wake:    make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.stats.IntervalNS = interval.Nanoseconds()
	s.stats.Budget = budget
	// Before the first look at the budget, enough credit to register the
	// first children (a long task must not go unwatched for want of a
	// budget that it has not yet had the time to earn).
	s.credit.Store(startCredit)
	s.costNS = firstReadingNS
	if budget <= 0 {
		s.credit.Store(math.MaxInt64 / 2)
	}
	started := make(chan struct{})
	go s.loop(started)
	<-started
	return s
}

// allowance is the sampler CPU the budget allows now: budget times the
// CPU the children have used. For children already reaped that is exact:
// getrusage(RUSAGE_CHILDREN), one system call. For children alive it is
// their CPU at their latest reading plus their share of the CPUs since,
// capped by the CPU time the machine had since the oldest of them started
// (and since the sampler started, less what ended children used): a
// generous estimate (other programs take CPUs too), but the cap keeps 50
// young children queued for 2 CPUs from counting 50 lifetimes.
// (Lifetimes for ended children too, as before, let the budget grow with
// every short task while 50 of them waited for 2 CPUs: 5,000 tasks of
// 1,000 iterations then cost 5-8% instead of 0.5%.) A forkserver's
// children are reaped by the server, so they count only when it is: the
// budget is then stricter, never looser. It costs O(children watched): a
// pass computes it once.
func (s *sampler) allowance() float64 {
	if s.budget <= 0 {
		return math.Inf(1)
	}
	now := csys.Now()
	s.mu.Lock()
	// A child's CPU so far: what its latest reading said (10 ms steps),
	// then its share of the CPUs since (all of one while the children
	// are no more than the CPUs).
	share := 1.0
	if n := len(s.watched); n > s.ncpu {
		share = float64(s.ncpu) / float64(n)
	}
	var alive int64
	oldest := now
	for _, w := range s.watched {
		alive += int64(w.prevCPU*1e9) + int64(float64(now-w.prevNS)*share)
		oldest = min(oldest, w.createNS)
	}
	s.mu.Unlock()
	ended := max(childrenCPU()-s.child0, 0)
	alive = min(alive, int64(s.ncpu)*(now-oldest), max(int64(s.ncpu)*(now-s.startNS)-ended, 0))
	return budgetAim * s.budget * float64(ended+alive)
}

// childrenCPU is the user+system CPU of this process's reaped children.
func childrenCPU() int64 {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_CHILDREN, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// spent is every CPU nanosecond sampling has cost so far: the sampler
// thread's own and what watch and unwatch cost other threads. Called on
// the sampler thread.
func (s *sampler) spent() int64 { return threadCPU() - s.cpu0 + s.extraNS.Load() }

// affords reports whether one more reading stays within allowed.
func (s *sampler) affords(allowed float64) bool {
	return float64(s.spent()+s.costNS) <= allowed
}

// watch only registers the pid: the create path never calls gopsutil.
// Its own CPU is charged to the sampler. Out of credit, it does nothing.
func (s *sampler) watch(_, pid int, createNS int64) {
	if s.credit.Load() <= 0 && !s.longLived() {
		s.notWatched.Add(1)
		return
	}
	// Locked, so that both readings of the thread CPU clock are of one
	// thread (the caller's lock, if any, nests).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0 := threadCPU()
	w := &watchedProc{createNS: createNS, r: newProcReader(pid), prevNS: createNS}
	s.mu.Lock()
	s.watched[pid] = w
	s.mu.Unlock()
	s.nWatched.Add(1)
	s.lastWatchNS.Store(csys.Now())
	if s.pending.CompareAndSwap(false, true) {
		select {
		case s.wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
	s.charge(threadCPU() - c0)
}

// longLived reports whether the children watched so far lived an
// interval or more on average (or none has ended yet): such a child earns
// the sampler far more budget than registering it costs, so it is
// registered even out of credit (its readings still wait for the budget).
// Short children (a storm of 1 ms tasks) are registered only on credit.
func (s *sampler) longLived() bool {
	n := s.lives.Load()
	return n == 0 || s.lifeNS.Load()/n >= int64(s.interval)
}

// charge counts ns of sampler CPU spent outside the sampler thread.
func (s *sampler) charge(ns int64) {
	ns = max(ns, 0)
	s.extraNS.Add(ns)
	s.credit.Add(-ns)
}

func (s *sampler) unwatch(pid int) []results.Sample {
	if s.nWatched.Load() == 0 {
		return nil // nothing registered: this child was not watched
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0 := threadCPU()
	defer func() { s.charge(threadCPU() - c0) }()
	s.mu.Lock()
	w := s.watched[pid]
	delete(s.watched, pid)
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	s.nWatched.Add(-1)
	s.lifeNS.Add(csys.Now() - w.createNS)
	s.lives.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	return w.samples
}

// finish stops the sampler goroutine and returns its own cost beside
// childCPU, the CPU of the child processes it ran beside.
func (s *sampler) finish(childCPU int64) *results.SamplerStats {
	close(s.stop)
	<-s.done
	st := s.stats
	st.Skipped += int(s.notWatched.Load())
	st.ChildCPUNS = childCPU
	if childCPU > 0 {
		st.Overhead = float64(st.CPUNS) / float64(childCPU)
	}
	return &st
}

// processCPU is the user+system CPU of the tasks that ran in child
// processes (the ones the sampler can watch).
func processCPU(ts []results.Task) int64 {
	var ns int64
	for _, t := range ts {
		if t.ParentPID != nil && t.UserNS != nil && t.SysNS != nil {
			ns += *t.UserNS + *t.SysNS
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
	defer func() { s.stats.CPUNS = s.spent() }()

	ctx := context.Background()
	// The tick is a timer, not a ticker: out of credit, the sampler looks
	// less and less often (each look wakes its locked thread, tens of
	// microseconds), up to maxBackoff intervals apart; with credit again,
	// every interval.
	tick := time.NewTimer(s.interval)
	defer tick.Stop()
	period := s.interval
	// A child's first sample waits until no child has been created for
	// a moment (but not longer than an interval), so that it does not
	// compete for a CPU with the lab creating the next children.
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	var firstWatch int64 // csys.Now of the wake-up for the children waiting for a first sample
	wait := createQuiet  // the quiet timer's current wait: doubles while creates go on
	// lookNS is what the latest tick cost the sampler thread, wake-up
	// included (the thread's CPU from the end of the event before): the
	// next look is made at the interval only if the credit covers one.
	var lookNS int64
	lastEnd := threadCPU()
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
			firstWatch, wait = csys.Now(), createQuiet
			quiet.Reset(min(wait, s.interval))
		case <-quiet.C:
			// Wait while children are still being created (but not past
			// an interval from the wake-up), then sample the new ones.
			// Each wait doubles: a locked thread's wake-up costs tens of
			// microseconds, and 1,000 creates a second must not cost the
			// sampler 1,000 of them.
			now := csys.Now()
			calm := time.Duration(now - s.lastWatchNS.Load())
			waited := time.Duration(now - firstWatch)
			if calm < createQuiet && waited < s.interval && s.credit.Load() > lookNS {
				wait *= 2
				quiet.Reset(min(wait, s.interval-waited))
				continue
			}
			s.pending.Store(false)
			s.sampleAll(ctx, true)
		case <-tick.C:
			s.sampleAll(ctx, false)
			lookNS = threadCPU() - lastEnd
			if s.credit.Load() > lookNS {
				period = s.interval
			} else {
				period = min(2*period, maxBackoff*s.interval)
			}
			tick.Reset(period)
		}
		lastEnd = threadCPU()
	}
}

// budgetAim is the part of the budget the sampler plans to spend: a
// look's cost is known only after it (after a storm of forks, one wake-up
// of the sampler thread costs up to 3 ms of copy-on-write faults), so the
// rest is kept for the overshoot. Measured (5,000 fork tasks of 1,000
// iterations, 50 at a time, 0.5% budget): 0.52-0.57% spent aiming at the
// whole budget.
const budgetAim = 0.8

// maxBackoff bounds how far apart the sampler's looks grow when out of
// credit, in intervals.
const maxBackoff = 16

// firstReadingNS is what the first reading is assumed to cost before one
// is measured: gopsutil's first reading in a process costs more than the
// next ones (1-3 ms measured on a busy 2-vCPU VM, against 0.1-0.4 ms).
const firstReadingNS = int64(2 * time.Millisecond)

// startCredit is the sampler's credit before its first pass: about ten
// registrations of children (20-40 µs each, watch and unwatch).
const startCredit = int64(250 * time.Microsecond)

// createQuiet is how long no child must have been created before the
// new children get their first sample.
const createQuiet = 2 * time.Millisecond

// sampleAll reads every watched child, or with fresh only the children
// not read yet, as long as the budget allows, and then sets the credit
// watch spends from.
func (s *sampler) sampleAll(ctx context.Context, fresh bool) {
	s.mu.Lock()
	ws := make([]*watchedProc, 0, len(s.watched))
	for _, w := range s.watched {
		ws = append(ws, w)
	}
	s.mu.Unlock()
	allowed := s.allowance()
	for _, w := range ws {
		s.sampleOne(ctx, w, fresh, allowed)
	}
	s.credit.Store(int64(min(allowed-float64(s.spent()), math.MaxInt64/2)))
}

// sampleOne reads w unless it needs no reading; it returns false when
// the budget could not afford it (the reading is counted as skipped).
func (s *sampler) sampleOne(ctx context.Context, w *watchedProc, fresh bool, allowed float64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || (fresh && len(w.samples) > 0) {
		return true
	}
	if !s.affords(allowed) {
		s.stats.Skipped++
		return false
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
		return true
	}
	// CPU percent of one CPU since the previous reading; the first
	// reading's reference is the create call, when the child had used
	// no CPU.
	var pct float64
	if dt := now - w.prevNS; dt > 0 {
		pct = (rd.cpuSeconds - w.prevCPU) * 1e9 / float64(dt) * 100
	}
	w.prevNS, w.prevCPU = now, rd.cpuSeconds
	w.samples = append(w.samples, results.Sample{
		TNS: now - w.createNS, CPUPercent: pct,
		RSSBytes: rd.rss, PSSBytes: rd.pss, USSBytes: rd.uss,
		Threads: rd.threads, VolCtxSw: rd.volCtx, InvolCtxSw: rd.involCtx,
	})
	return true
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
func setSamples(t *results.Task, ss []results.Sample) {
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
