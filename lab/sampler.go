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
// the lab at most 0.5% of the CPU its children used, a cap. Everything
// sampling costs counts: the sampler's events (readings, looks: each
// handled on a thread locked for it only meanwhile), and watch and
// unwatch on the create and reap paths (20-40 µs per child, mostly
// copy-on-write faults). The sampler aims at 4/5 of it (budgetAim) and
// keeps its costs within it by registering, looking and reading only
// when the credit covers the cost predicted; deciding to skip a child
// writes nothing. Measured on a busy 2-vCPU VM (load 9-17, with and
// without stress-ng --cpu 2 beside it; docs/metrics.md has the table):
// fork, 4 tasks of 10M iterations: 0.32-0.36%, 8-12 of 20 tasks with a
// quick reading; 1 task: 0.04-0.27%, none; 2,000 and 10,000 tasks of
// 1,000 iterations, 50 at a time: 0.38-0.40%. Before (a thread kept
// locked for the sampler, woken by every look): 0.8-1.4% with no sample.
const DefaultSampleBudget = 0.005

// MinSampleInterval is the shortest interval accepted: a full sample
// costs a few tenths of a millisecond.
const MinSampleInterval = time.Millisecond

// sampler is the observer that samples every watched child (quick
// readings from /proc/PID/stat, full ones with gopsutil): one goroutine,
// two timers. A child is sampled once promptly after it is
// watched (so a short task still gets a sample, budget allowing: as soon
// as the lab has stopped creating children for createQuiet), then at
// every tick.
type sampler struct {
	interval time.Duration
	budget   float64 // own CPU / children's possible CPU; 0: unlimited
	ncpu     int
	load     float64 // the 1-minute load average at start (runnable tasks, the lab's own included)
	startNS  int64
	ownNS    int64 // the sampler goroutine's CPU in the events it handled
	evStart  int64 // the thread CPU clock at the start of the event being handled; 0: none
	child0   int64 // RUSAGE_CHILDREN user+sys at start
	// What the next full reading will likely cost: the latest one
	// measured (at first: an estimate, gopsutil's first reading in a
	// process costing more).
	fullNS int64
	// quickNS is what the next quick reading will likely cost, regNS
	// registering a child (watch and unwatch): up at once to a cost
	// measured, down slowly (a reading after a storm of forks costs
	// several times one in a quiet moment).
	quickNS, regNS atomic.Int64
	readNS         int64 // CPU of the readings of the current event
	statBuf        [1024]byte

	// Sampler CPU spent on other threads: watch and unwatch run on the
	// lab's create and reap paths (a gopsutil handle made, a map entry, a
	// wake-up sent, and above all the copy-on-write faults of writing
	// that memory right after a fork: ~16 µs per child measured). It is
	// the sampler's cost too, and counts against the budget with the
	// sampler thread's own.
	extraNS atomic.Int64
	// credit is what the budget had left at the latest look or renewal
	// (ns; allowance minus spent), less what watch and unwatch spent
	// since. watch registers a child only while it is positive: past the
	// budget, a child costs the lab a few reads of memory and no write
	// (a write after a fork is a copy-on-write fault).
	credit atomic.Int64
	// threadNS is the sampler thread's CPU up to the end of its latest
	// event, aliveNS its estimate then of the CPU of the children alive:
	// what renew, off the sampler thread, recomputes the credit from.
	threadNS, aliveNS atomic.Int64
	// lookNS is what a look will likely cost the sampler thread without
	// its readings: the wake-up (after a storm of forks, up to a few ms
	// of copy-on-write faults) and the bookkeeping. The sampler looks
	// only when the credit covers it and a quick reading.
	lookNS atomic.Int64
	// renewAt is when the create and reap paths may next renew the
	// credit (csys.Now); asleep is set while the sampler waits with no
	// timer armed, or one armed past the interval, for the credit to
	// cover a look: a renewal that finds it does wakes it (look).
	renewAt atomic.Int64
	asleep  atomic.Bool
	// nWatched is how many children are registered: unwatch of a child
	// never registered reads it and returns, writing nothing.
	nWatched atomic.Int64
	// registered counts the children ever registered: the others (finish
	// is told how many children there were) are counted as skipped, one
	// reading each, without a count on the create path.
	registered atomic.Int64
	// otherNS is the CPU of the children that ended reaped by another
	// process (ended): RUSAGE_CHILDREN leaves it out.
	otherNS atomic.Int64
	// skipped counts the readings the registered children that ended
	// did not get for want of budget (unwatch): a first one, then one an
	// interval.
	skipped atomic.Int64
	// lifeNS and lives sum the lifetimes of the registered children that
	// ended (advance).
	lifeNS, lives atomic.Int64
	// pending is set while the first-sample pass of new children is
	// waiting for the creates to pause: more watches meanwhile arm
	// nothing (one look per batch, not per child).
	pending atomic.Bool
	// lastWatchNS is when the latest child was watched, firstWatchNS
	// when the first of the children waiting for a first sample was
	// (csys.Now).
	lastWatchNS, firstWatchNS atomic.Int64
	// quiet fires the first-sample pass: watch arms it itself (a wake-up
	// of the sampler thread only to arm a timer would be one look more).
	quiet *time.Timer

	mu      sync.Mutex
	watched map[int]*watchedProc

	look chan struct{} // renew found the credit for a look
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
	pid      int
	createNS int64
	r        procReader
	q        *statReader // the quick reading's, from the first one; closed by unwatch
	samples  []results.Sample
	prevNS   int64   // when the previous reading was taken (at first: the create call)
	prevCPU  float64 // its CPU seconds
	stopped  bool    // unwatched, gone or unreadable: read no more
	gone     bool    // found exited or unreadable: no reading skipped after
}

// dueReadings is how many readings a child that lived life is due at
// interval: a first one once the creates have paused (createQuiet), then
// one an interval (rounded down: the ticks are not the child's own).
func dueReadings(life int64, interval time.Duration) int {
	if life <= int64(createQuiet) {
		return 0
	}
	return 1 + int((life-int64(createQuiet))/int64(interval))
}

func startSampler(interval time.Duration, budget float64) *sampler {
	s := &sampler{interval: interval, budget: budget, ncpu: runtime.NumCPU(), startNS: csys.Now(), child0: childrenCPU(),
		watched: map[int]*watchedProc{},
		look:    make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.quiet = time.NewTimer(time.Hour)
	s.quiet.Stop()
	s.stats.IntervalNS = interval.Nanoseconds()
	s.stats.Budget = budget
	// No credit before the children have earned it (advance lets the
	// first children be registered).
	s.fullNS = firstReadingNS
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		s.load = float64(si.Loads[0]) / (1 << unix.SI_LOAD_SHIFT)
	}
	s.quickNS.Store(firstQuickNS)
	s.regNS.Store(firstRegNS)
	s.lookNS.Store(firstLookNS)
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
func (s *sampler) allowance() (allowed float64, alive int64) {
	if s.budget <= 0 {
		return math.Inf(1), 0
	}
	now := csys.Now()
	s.mu.Lock()
	// A child's CPU so far: what its latest reading said (10 ms steps),
	// then its share of the CPUs since: the CPUs over the children and
	// the other programs that want them (the load when the sampler
	// started), one CPU at most. On a loaded machine a child gets far
	// less than a CPU (16% of one beside a load of 12 on 2 CPUs): counted
	// as a whole one, a 1-task run's budget read 5 times what it was,
	// and a reading it paid for took the run over the budget.
	share := min(1, float64(s.ncpu)/(float64(len(s.watched))+s.load))
	oldest := now
	for _, w := range s.watched {
		alive += int64(w.prevCPU*1e9) + int64(float64(now-w.prevNS)*share)
		oldest = min(oldest, w.createNS)
	}
	s.mu.Unlock()
	ended := max(childrenCPU()-s.child0, 0) + s.otherNS.Load()
	alive = min(alive, int64(s.ncpu)*(now-oldest), max(int64(s.ncpu)*(now-s.startNS)-ended, 0))
	return budgetAim * s.budget * float64(ended+alive), alive
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
func (s *sampler) spent() int64 {
	ns := s.ownNS + s.extraNS.Load()
	if s.evStart != 0 {
		ns += threadCPU() - s.evStart
	}
	return ns
}

// affords reports whether one more reading costing costNS stays within
// allowed.
func (s *sampler) affords(allowed float64, costNS int64) bool {
	return float64(s.spent()+costNS) <= allowed
}

// watch only registers the pid: the create path never calls gopsutil.
// Its own CPU is charged to the sampler. Out of credit, it does nothing
// (it may renew the credit, at most four times an interval).
func (s *sampler) watch(_, pid int, createNS int64) {
	if need := s.need(); s.credit.Load() < need && !s.advance() && s.renew() < need {
		return
	}
	// Locked, so that both readings of the thread CPU clock are of one
	// thread (the caller's lock, if any, nests).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0 := threadCPU()
	w := &watchedProc{pid: pid, createNS: createNS, r: newProcReader(pid), prevNS: createNS}
	s.mu.Lock()
	s.watched[pid] = w
	s.mu.Unlock()
	s.nWatched.Add(1)
	s.registered.Add(1)
	now := csys.Now()
	s.lastWatchNS.Store(now)
	if s.pending.CompareAndSwap(false, true) {
		s.firstWatchNS.Store(now)
		s.quiet.Reset(createQuiet)
	}
	cost := threadCPU() - c0
	s.charge(cost)
	predict(&s.regNS, 2*cost) // unwatch costs about as much
}

// advance reports whether a child is registered out of credit: while no
// registered child has ended, the first as many as there are CPUs (a long
// task must not go unwatched for want of a budget it has not yet had the
// time to earn); later, while the children lived an interval or more on
// average (such a child earns the sampler far more budget than
// registering it costs). Its readings still wait for the budget. Short
// children (a storm of 1 ms tasks) are registered only on credit.
func (s *sampler) advance() bool {
	n := s.lives.Load()
	if n == 0 {
		return s.nWatched.Load() < int64(s.ncpu)
	}
	return s.lifeNS.Load()/n >= int64(s.interval)
}

// renew recomputes the credit on the create or reap path, at most four
// times an interval (the check in between reads memory, writes none), so
// that the budget earned by children that ended reaches watch without a
// look of the sampler; and wakes a sampler waiting for the credit to
// cover a look. Its CPU is charged. It returns the credit.
func (s *sampler) renew() int64 {
	if s.budget <= 0 {
		return s.credit.Load() // unlimited
	}
	now := csys.Now()
	at := s.renewAt.Load()
	if now < at || !s.renewAt.CompareAndSwap(at, now+int64(s.interval)/4) {
		return s.credit.Load()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0 := threadCPU()
	ended := max(childrenCPU()-s.child0, 0) + s.otherNS.Load()
	allowed := budgetAim * s.budget * float64(ended+s.aliveNS.Load())
	s.credit.Store(int64(allowed) - s.threadNS.Load() - s.extraNS.Load())
	if s.asleep.Load() && s.nWatched.Load() > 0 && s.credit.Load() >= s.lookNS.Load() {
		select {
		case s.look <- struct{}{}:
		default:
		}
	}
	s.charge(threadCPU() - c0)
	return s.credit.Load()
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
		if s.asleep.Load() {
			s.renew()
		}
		return nil
	}
	s.nWatched.Add(-1)
	life := csys.Now() - w.createNS
	s.lifeNS.Add(life)
	s.lives.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	if w.q != nil {
		w.q.close()
	}
	if s.budget > 0 && !w.gone {
		s.skipped.Add(int64(max(dueReadings(life, s.interval)-len(w.samples), 0)))
	}
	return w.samples
}

// finish stops the sampler goroutine and returns its own cost beside
// childCPU, the CPU of the procs child processes it ran beside (each
// watched: those it did not register had no reading).
func (s *sampler) finish(childCPU int64, procs int) *results.SamplerStats {
	close(s.stop)
	<-s.done
	st := s.stats
	st.Skipped = int(s.skipped.Load()) + max(procs-int(s.registered.Load()), 0)
	st.ChildCPUNS = childCPU
	if childCPU > 0 {
		st.Overhead = float64(st.CPUNS) / float64(childCPU)
	}
	return &st
}

// processCPU is the user+system CPU of the tasks that ran in child
// processes (the ones the sampler can watch), and how many there were.
// A child whose rusage the lab did not get (a Python forkserver's: its
// server reaps it) counts with its own CPU around the loop, task_cpu_ns:
// less than its process used, so the overhead read from it is never
// lower than the truth.
func processCPU(ts []results.Task) (ns int64, procs int) {
	for i := range ts {
		if ts[i].ParentPID != nil {
			procs++
			ns += taskProcessCPU(&ts[i])
		}
	}
	return ns, procs
}

// taskProcessCPU is the CPU of the process of t, as processCPU counts it.
func taskProcessCPU(t *results.Task) int64 {
	switch {
	case t.UserNS != nil && t.SysNS != nil:
		return *t.UserNS + *t.SysNS
	case t.TaskCPUNS != nil:
		return *t.TaskCPUNS
	}
	return 0
}

// ended counts the CPU of a child another process reaped into the
// budget (from its rusage or its own CPU around the loop, as processCPU).
func (s *sampler) ended(cpuNS int64) { s.otherNS.Add(max(cpuNS, 0)) }

func (s *sampler) loop(started chan<- struct{}) {
	defer close(s.done)
	close(started)

	ctx := context.Background()
	// The tick is a timer, armed only while children are registered, at
	// the interval while the credit covers a look, else when the children
	// alive will have earned one (renew, on the create and reap paths,
	// may wake the sampler sooner).
	tick := time.NewTimer(time.Hour)
	tick.Stop()
	// A child's first sample waits until no child has been created for
	// a moment (but not longer than an interval), so that it does not
	// compete for a CPU with the lab creating the next children.
	quiet := s.quiet
	wait := createQuiet // the quiet timer's current wait: doubles while creates go on
	ticking := false
	for {
		const (
			evStop = iota
			evQuiet
			evLook
			evTick
		)
		var ev int
		select {
		case <-s.stop:
			ev = evStop
		case <-quiet.C:
			ev = evQuiet
		case <-s.look:
			ev = evLook
		case <-tick.C:
			ev = evTick
		}
		// Each event is handled on a locked thread, so that the thread's
		// CPU clock is the sampler's own CPU; between events the
		// goroutine waits like any other (a thread kept locked for it
		// would be woken by every look: 1-8 ms each after a storm of
		// forks, measured).
		runtime.LockOSThread()
		s.evStart, s.readNS = threadCPU(), 0
		switch ev {
		case evStop:
			s.stats.CPUNS = s.spent()
			runtime.UnlockOSThread()
			return
		case evQuiet:
			// Wait while children are still being created (but not past
			// an interval from the wake-up), then sample the new ones.
			// Each wait doubles: a wake-up costs tens of microseconds,
			// and 1,000 creates a second must not cost the sampler 1,000
			// of them.
			now := csys.Now()
			calm := time.Duration(now - s.lastWatchNS.Load())
			waited := time.Duration(now - s.firstWatchNS.Load())
			if calm < createQuiet && waited < s.interval && s.credit.Load() > s.need()+s.lookNS.Load() {
				wait *= 2
				quiet.Reset(min(wait, s.interval-waited))
				break
			}
			wait = createQuiet
			s.pending.Store(false)
			s.sampleAll(ctx, true)
			if !ticking {
				ticking = s.arm(tick)
			}
		case evLook:
			tick.Stop()
			s.sampleAll(ctx, false)
			ticking = s.arm(tick)
		case evTick:
			s.sampleAll(ctx, false)
			ticking = s.arm(tick)
		}
		cost := threadCPU() - s.evStart
		s.ownNS += cost
		s.evStart = 0
		// What this look cost besides its readings: what the next one
		// will likely cost (up at once, down slowly).
		predict(&s.lookNS, cost-s.readNS)
		s.threadNS.Store(s.ownNS)
		runtime.UnlockOSThread()
	}
}

// arm sets the tick for the sampler's next look, and reports whether it
// did: none while no child is registered (the next watch wakes the
// sampler); at the interval if the credit covers a look and a quick
// reading; else when the children registered will have earned that, at
// most one CPU each (renew may wake the sampler sooner).
func (s *sampler) arm(tick *time.Timer) bool {
	n := s.nWatched.Load()
	if n == 0 {
		s.asleep.Store(true)
		return false
	}
	need := s.need()
	credit := s.credit.Load()
	if credit >= need {
		s.asleep.Store(false)
		tick.Reset(s.interval)
		return true
	}
	s.asleep.Store(true)
	rate := budgetAim * s.budget * float64(min(n, int64(s.ncpu))) // budget earned per ns, at most
	tick.Reset(max(s.interval, time.Duration(min(float64(need-credit)/rate, float64(time.Hour)))))
	return true
}

// need is the credit a look needs: its own cost and a quick reading,
// and the cost of one more look kept for the sampler's last wake-up, when
// the run ends.
func (s *sampler) need() int64 { return 2*s.lookNS.Load() + s.quickNS.Load() + s.regNS.Load() }

// predict sets p to a cost just measured, if more; else moves it a
// quarter of the way down to it.
func predict(p *atomic.Int64, cost int64) {
	if old := p.Load(); cost < old {
		cost = (3*old + cost) / 4
	}
	p.Store(cost)
}

// budgetAim is the part of the budget the sampler plans to spend: a
// look's cost is known only after it (after a storm of forks, one wake-up
// of the sampler thread costs up to a few ms of copy-on-write faults), so
// the rest is kept for the overshoot, and for the sampler's last wake-up,
// when the run ends.
const budgetAim = 0.8

// firstReadingNS is what the first full reading is assumed to cost
// before one is measured: gopsutil's first reading in a process costs
// more than the next ones (1-3 ms measured on a busy 2-vCPU VM, against
// 0.2-0.4 ms).
const firstReadingNS = int64(2 * time.Millisecond)

// firstQuickNS is what the first quick reading is assumed to cost: 5 µs
// in a quiet loop (BenchmarkSample), 10-70 µs in a run (the page faults
// after a fork), and up to 250 µs the first time in a process (measured
// on a busy 2-vCPU VM).
const firstQuickNS = int64(250 * time.Microsecond)

// firstRegNS is what registering a child is assumed to cost before one
// is measured (watch and unwatch: 20-40 µs each, up to 100 µs the first
// time).
const firstRegNS = int64(100 * time.Microsecond)

// firstLookNS is what a look is assumed to cost before one is measured.
const firstLookNS = int64(100 * time.Microsecond)

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
	allowed, alive := s.allowance()
	for _, w := range ws {
		s.sampleOne(ctx, w, fresh, allowed)
	}
	s.aliveNS.Store(alive)
	s.credit.Store(int64(min(allowed-float64(s.spent()), math.MaxInt64/2)))
}

// sampleOne reads w unless it needs no reading; it returns false when
// the budget could not afford it (the reading is counted as skipped). A
// child's first reading is quick (so that every child can have one);
// the next ones are full where the budget affords them, else quick.
// Without a budget every reading is full.
func (s *sampler) sampleOne(ctx context.Context, w *watchedProc, fresh bool, allowed float64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || (fresh && len(w.samples) > 0) {
		return true
	}
	full := s.budget <= 0 || (len(w.samples) > 0 && s.affords(allowed, s.fullNS))
	if !full && !s.affords(allowed, s.quickNS.Load()) {
		return false // counted by unwatch
	}
	now := csys.Now()
	c0 := threadCPU()
	var rd procReading
	var gone bool
	var err error
	if full {
		rd, gone, err = w.r.read(ctx)
	} else {
		if w.q == nil {
			w.q = newStatReader(w.pid)
		}
		rd.quick = true
		rd.cpuSeconds, rd.rss, gone, err = w.q.read(s.statBuf[:])
	}
	cost := threadCPU() - c0
	s.readNS += cost
	if full {
		s.fullNS = cost
	} else {
		predict(&s.quickNS, cost)
	}
	s.stats.Samples++
	if err != nil || gone {
		// The child exited (it is reaped only after unwatch) or its
		// /proc entry could not be read: nothing more to learn.
		w.stopped, w.gone = true, true
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
		Threads: rd.threads, VolCtxSw: rd.volCtx, InvolCtxSw: rd.involCtx, Quick: rd.quick,
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
	full := false
	for _, s := range ss {
		rss = max(rss, s.RSSBytes)
		pss = max(pss, s.PSSBytes)
		full = full || !s.Quick
	}
	t.PeakRSSBytes = ptr(rss)
	if full { // quick readings have no PSS
		t.PeakPSSBytes = ptr(pss)
	}
}
