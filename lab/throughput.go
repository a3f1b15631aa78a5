package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// MaxRateProcs bounds --max-procs of `proclab rate`: each loop holds an OS
// thread of the lab, and threads count against the same limits children do.
const MaxRateProcs = 256

// ThroughputSpec is what Throughput measures.
type ThroughputSpec struct {
	Methods []results.Method // process methods (not py-*); nil means every one
	Tasks   int              // near-empty tasks per method; >= 1
	// MaxProcs is the most children alive at once: the number of loops
	// that each create one task, read its record and reap it, over and
	// over. 0 means one loop per CPU, as stress-ng runs one worker per CPU.
	MaxProcs int
	// InheritLabHeap lets fork children inherit the lab's Go heap
	// (labheap.go); false keeps it out, as in a run.
	InheritLabHeap bool
}

// RateMethods are the methods `proclab rate` measures by default: every
// method that creates a process, without the Python ones (their driver's
// rate is Python's, not the lab's).
func RateMethods() []results.Method {
	var out []results.Method
	for _, m := range results.Methods {
		if m.CreatesProcess() && !m.IsPython() {
			out = append(out, m)
		}
	}
	return out
}

// Validate checks ts as bad input: every error is the user's.
func (ts *ThroughputSpec) Validate() error {
	if ts.Tasks < 1 || ts.Tasks > MaxNTasks {
		return fmt.Errorf("--tasks must be between 1 and %d, got %d", MaxNTasks, ts.Tasks)
	}
	if ts.MaxProcs < 0 || ts.MaxProcs > MaxRateProcs {
		return fmt.Errorf("--max-procs must be between 1 and %d (0: one per CPU), got %d", MaxRateProcs, ts.MaxProcs)
	}
	for _, m := range ts.Methods {
		if !m.Valid() || !m.CreatesProcess() || m.IsPython() {
			return fmt.Errorf("rate measures the lab's process methods; %q is not one", m)
		}
	}
	return nil
}

// MeasureRates creates ts.Tasks near-empty tasks (n_iters 1) per method as
// fast as the method allows, with MaxProcs loops at once, each locked to
// its own OS thread and looping create, read the record, reap. Each
// method's C floor runs right before it with as many loops. Every child is
// reaped before MeasureRates returns, on every path.
func MeasureRates(ctx context.Context, ts ThroughputSpec) (*results.Throughput, error) {
	if err := ts.Validate(); err != nil {
		return nil, err
	}
	methods := ts.Methods
	if methods == nil {
		methods = RateMethods()
	}
	loops := ts.MaxProcs
	if loops == 0 {
		loops = runtime.NumCPU()
	}
	loops = min(loops, ts.Tasks)
	spec := Spec{Methods: methods, NTasks: ts.Tasks, NIters: 1, MaxProcs: loops, InheritLabHeap: ts.InheritLabHeap}
	e, err := newEnv(&spec)
	if err != nil {
		return nil, err
	}
	defer e.close()
	e.expected = csys.HotLoop(spec.NIters)
	out := &results.Throughput{Schema: results.ThroughputSchema, CPUs: runtime.NumCPU()}
	if l, err := load1(); err == nil {
		out.Load1 = &l
	}

	var prog string
	for _, m := range methods {
		if pairedFloor(m) != floorFork && prog == "" {
			p, cleanup, why, err := tempFloorProgram("proclab-rate-")
			if err != nil {
				return nil, err
			}
			defer cleanup()
			if why != nil {
				out.Warnings = append(out.Warnings, fmt.Sprintf("no static floor program (%v): exec floors run /bin/true", why))
			}
			prog = p
		}
		if m == results.Forkserver && e.fs == nil {
			fs, err := startForkserver(ctx, e)
			if err != nil {
				out.Rates = append(out.Rates, results.MethodRate{Method: m, Tasks: ts.Tasks, MaxProcs: loops, Error: err.Error()})
				continue
			}
			e.fs = fs
			defer fs.close()
		}
	}

	for _, m := range methods {
		if ctx.Err() != nil {
			break
		}
		if m == results.Forkserver && e.fs == nil {
			continue // its row says why above
		}
		r := results.MethodRate{Method: m, Tasks: ts.Tasks, MaxProcs: loops, Floor: pairedFloor(m), ChildMemRead: m != results.Fork}
		e.markHeap() // the floor forks the lab's address space too
		if wall, err := floorRate(r.Floor, prog, []string{prog}, ts.Tasks, loops); err != nil {
			r.FloorError = err.Error()
		} else if wall > 0 {
			r.FloorTasksPerSec = stats.TasksPerSec(ts.Tasks, wall)
		}
		if m == results.Spawn || m == results.ForkExec || m == results.Exec {
			// The exec'd methods start the proclab image, a Go program of
			// ~1 ms: beside the 5 KiB C program's floor, the floor of
			// exec'ing that image itself (stopped in its C constructor,
			// before the Go runtime) says how much is the program's start.
			r.ImageFloor = floorSpawnImage
			if wall, err := floorRate(floorSpawnImage, e.exe, []string{e.exe, csys.FloorArg}, ts.Tasks, loops); err != nil {
				r.ImageFloorError = err.Error()
			} else if wall > 0 {
				r.ImageFloorTasksPerSec = stats.TasksPerSec(ts.Tasks, wall)
			}
		}
		var run results.RunResult
		e.markHeap()
		e.measureLab(&run)
		r.LabAnonBytes, r.LabVMAs, r.LabDontForkBytes = run.LabAnonBytes, run.LabVMAs, run.LabDontForkBytes
		wall, failed, err := e.rateRun(ctx, m, ts.Tasks, loops)
		r.Failed = failed
		if err != nil {
			r.Error = err.Error()
		}
		if wall > 0 && failed == 0 && err == nil {
			r.WallNS = wall
			r.TasksPerSec = stats.TasksPerSec(ts.Tasks, wall)
			r.Ratio = stats.Ratio(r.TasksPerSec, r.FloorTasksPerSec)
			r.ImageRatio = stats.Ratio(r.TasksPerSec, r.ImageFloorTasksPerSec)
		}
		out.Rates = append(out.Rates, r)
	}
	out.Warnings = append(out.Warnings, e.warnings...)
	out.ForkLabHeap = e.forkLabHeap()
	return out, ctx.Err()
}

// rateRun runs n tasks of method m with loops loops at once and returns
// the span from the first create to the last reap and how many tasks
// failed. A failed create stops every loop; the children already created
// are still collected.
func (e *env) rateRun(ctx context.Context, m results.Method, n, loops int) (int64, int, error) {
	start := e.starter(m)
	if m == results.Forkserver {
		// One server forks one child at a time: its requests go one by one.
		var mu sync.Mutex
		inner := start
		start = func(t csys.Task, w int) (child, error) {
			mu.Lock()
			defer mu.Unlock()
			return inner(t, w)
		}
	}
	live := newLiveSet()
	slots := newRateSlots(loops)
	stop := context.AfterFunc(ctx, func() {
		live.killAll(killInterrupted)
		slots.killAll()
	})
	defer stop()
	direct, flags := e.directCreate(m)

	var (
		next     atomic.Int64 // the next task index to create
		failed   atomic.Int64
		firstErr error
		errOnce  sync.Once
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		next.Store(int64(n)) // stop every loop
	}
	// One P more than there are loops: the loops spend their time in
	// system calls (fork, read, wait4), and with no idle P the runtime's
	// monitor takes each one's P away after 20 µs and hands it on, waking
	// threads that find nothing to do (perf: sysmon and its handoffs were
	// ~8% of a fork rate run's CPU). With an idle P it leaves them be.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), loops+1)))
	wall := lockedLoops(loops, func(loop int) {
		var buf [csys.RecordHeaderSize]byte
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			t := e.task(i)
			t.SkipSelfMem = m == results.Fork
			if direct != nil {
				ok, err := e.directTask(direct, flags, t, loop, slots, &buf)
				if err != nil {
					failed.Add(1)
					fail(err)
					return
				}
				if !ok {
					failed.Add(1)
				}
				continue
			}
			task, err := e.rateTask(start, t, live)
			if err != nil {
				failed.Add(1)
				fail(err)
				return
			}
			if task.Error != "" || task.Checksum != e.expected {
				failed.Add(1)
			}
		}
	})
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if int(next.Load()) < n && firstErr == nil {
		firstErr = errors.New("stopped early")
	}
	return wall, int(failed.Load()), firstErr
}

// rateTask creates task t with start (forkserver, exec), reads its record
// and reaps it, all on the calling goroutine (locked to its thread),
// through a run's collect path: a blocking pipe and, for the lab's own
// children, a blocking wait4.
func (e *env) rateTask(start starter, t csys.Task, live *liveSet) (results.Task, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return results.Task{}, fmt.Errorf("pipe: %w", err)
	}
	r := os.NewFile(uintptr(p[0]), "result") // blocking: reads block this thread only
	c, err := start(t, p[1])
	unix.Close(p[1])
	if err != nil {
		r.Close()
		return results.Task{}, err
	}
	live.add(c.pid, c.kill)
	return e.collect(int(t.Index), c, r, live), nil
}

// floorRate runs the named floor n times over loops C loops at once, each
// on its own locked thread, and returns the span from start to the last
// reap in nanoseconds. path and argv are what the exec floors run.
func floorRate(name, path string, argv []string, n, loops int) (int64, error) {
	var kind csys.FloorKind
	switch name {
	case floorFork:
		kind = csys.FloorFork
	case floorForkExec:
		kind = csys.FloorForkExec
	case floorSpawn, floorSpawnImage:
		kind = csys.FloorSpawn
	default:
		return 0, fmt.Errorf("no floor %q", name)
	}
	var (
		mu       sync.Mutex
		firstErr error
	)
	wall := lockedLoops(loops, func(l int) {
		share := n / loops
		if l < n%loops {
			share++
		}
		if share == 0 {
			return
		}
		var err error
		if kind == csys.FloorFork {
			_, err = csys.FloorForkRate(share, 1)
		} else {
			_, err = csys.Floor(kind, path, argv, share)
		}
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}
	})
	return wall, firstErr
}

// lockedLoops runs body(loop) for loop 0..loops-1, each on its own
// goroutine locked to its own OS thread, all released at once when every
// one is ready, and returns the nanoseconds from the release to the last
// return: the rate loops and their floors are timed alike.
func lockedLoops(loops int, body func(loop int)) int64 {
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	ready.Add(loops)
	done.Add(loops)
	for l := range loops {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Done()
			<-release
			body(l)
		}()
	}
	ready.Wait()
	t0 := csys.Now()
	close(release)
	done.Wait()
	return csys.Now() - t0
}

// load1 reads the machine's 1-minute load average.
func load1() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	var l float64
	_, err = fmt.Sscan(string(b), &l)
	return l, err
}
