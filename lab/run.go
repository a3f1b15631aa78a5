package lab

import (
	"context"
	"fmt"
	"github.com/proclab/proclab/lab/symbols"
	"os"
	"runtime"
	"slices"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// env is what every run of one invocation shares.
type env struct {
	spec     *Spec
	exe      string // the worker binary: this executable
	labPID   int
	expected uint64         // the hot loop's checksum, once verify.go has computed it
	obs      observer       // live sampler of children; nil when sampling is off
	fs       *forkserver    // the run's forkserver; nil unless a method needs it
	py       *pydriver      // the run's Python driver; nil unless a py-* method runs
	pyErr    error          // why the Python driver did not start: its methods fail with it, the others run
	worker   *csys.Worker   // spawn and fork-exec workers, prepared once (csys/worker.go)
	warnings []string       // what the current run wants the reader to know
	prof     *startProfiler // the start profile while it records; nil when off (startprofile.go)
	beat     *heartbeat     // sees the lab's own pauses (paused.go)
	// heapMarkErr is why the lab's Go heap could not be kept out of fork
	// children (labheap.go); nil while it can.
	heapMarkErr error
}

// observer watches live children while they run (sampler.go).
type observer interface {
	watch(task, pid int, createNS int64)
	// unwatch stops watching pid and returns its samples. It is called
	// before the child is reaped, so it never reads a recycled pid.
	unwatch(pid int) []results.Sample
	// ended tells the CPU of a child reaped by another process (a
	// forkserver, the Python driver): the lab's RUSAGE_CHILDREN does not
	// count it.
	ended(cpuNS int64)
}

// newEnv prepares what every run of spec shares.
func newEnv(spec *Spec) (*env, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the worker binary: %w", err)
	}
	e := &env{spec: spec, exe: exe, labPID: os.Getpid()}
	// Workers exec the lab's own image, whatever is at exe by now.
	e.worker = csys.NewWorkerImage(csys.SelfExe, exe, e.labPID)
	return e, nil
}

// close frees what newEnv prepared.
func (e *env) close() { e.worker.Close() }

// Run runs spec: for each parent size, Warmup unrecorded rounds and then
// Repeat recorded rounds, each round running every method once, so that
// methods are interleaved and share the machine's noise. Every child is
// reaped before Run returns. If ctx is cancelled (Ctrl-C), the children are
// killed and reaped, and Run returns what was measured so far, marked
// Incomplete, together with ctx's error.
func Run(ctx context.Context, spec Spec) (res *results.Result, err error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := spec.CheckSystem(); err != nil {
		return nil, err
	}
	e, err := newEnv(&spec)
	if err != nil {
		return nil, err
	}
	defer e.close()
	exe := e.exe
	host, hostWarnings := gatherHost(ctx) // before any measurement
	if slices.ContainsFunc(spec.Methods, results.Method.CreatesProcess) && threadsAtRisk(spec.alive()) {
		reserveThreads(threadReserve)
	}
	if spec.StartProfile { // before the forkserver: it and its children are sampled too
		e.prof, res = e.openStartProfile()
		defer e.finishStartProfile(&res)
	}
	// The forkserver starts before the lab holds any large memory.
	if slices.Contains(spec.Methods, results.Forkserver) {
		if e.fs, err = startForkserver(ctx, e); err != nil {
			return nil, err
		}
		defer e.fs.close()
	}

	buildID, linking := symbols.SelfImage()
	res = &results.Result{
		StartProfile: startProfileOff(res),
		Schema:       results.Schema,
		Spec: results.SpecInfo{
			Methods: spec.Methods, NTasks: spec.NTasks, NIters: spec.NIters,
			Repeat: spec.rounds(), Warmup: spec.Warmup, ParentRSSBytes: spec.parentSizes(),
			ParentTHP: spec.ParentTHP, ProfileHz: spec.ProfileHz,
			SampleIntervalNS: spec.SampleInterval.Nanoseconds(),
		},
		Runs:          []results.RunResult{},
		Binary:        exe,
		BinaryBuildID: buildID,
		BinaryLinking: linking,
		Host:          host,
		Warnings:      hostWarnings,
	}
	var childCPU int64 // of every run, warmup included, for the sampler's overhead
	var procs int      // child processes, each watched
	if spec.SampleInterval > 0 {
		s := startSampler(spec.SampleInterval, spec.SampleBudget)
		e.obs = s
		defer func() { res.Sampler = s.finish(childCPU, procs) }()
	}
	if e.fs != nil {
		res.Forkserver = &e.fs.info
	}
	if slices.ContainsFunc(spec.Methods, results.Method.IsPython) {
		if e.py, err = startPython(ctx, e.labPID, spec.Methods); err != nil {
			if ctx.Err() != nil {
				res.Incomplete = true
				return res, err
			}
			// A broken python3 costs Python's methods, not the others.
			e.pyErr = err
			res.Warnings = append(res.Warnings, fmt.Sprintf("Python's methods not run: %v", err))
		} else {
			defer e.py.close()
			res.Python = &e.py.info
		}
	}
	// The Go heap is not returned to the OS (debug.FreeOSMemory) before
	// the runs: it shrinks lab_anon_bytes by ~1 MiB but, measured side by
	// side (issue 13), made fork slower, released before every run (total
	// per task +12%) or once before the first (+10%): the runs fault the
	// pages back in, some inside the timed sections.
	e.beat = startHeartbeat()
	defer e.beat.stop()
	total := len(spec.parentSizes()) * (spec.Warmup + spec.rounds()) * len(spec.Methods)
	done := 0
	defer func() {
		res.LabPeakRSSBytes = labPeakRSS()
		res.Spec.ForkLabHeap = e.forkLabHeap()
		res.Summary = stats.Summaries(res)
	}()
	for _, size := range spec.parentSizes() {
		ballast, err := holdMemoryContext(ctx, size, spec.ParentTHP)
		if err != nil {
			res.Incomplete = ctx.Err() != nil
			return res, err
		}
		for round := -spec.Warmup; round < spec.rounds(); round++ {
			for _, m := range spec.Methods {
				run := e.runOnce(ctx, m)
				run.ParentRSSBytes = size
				ns, n := processCPU(run.Tasks)
				childCPU, procs = childCPU+ns, procs+n
				for _, w := range e.warnings {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s round %d: %s", m, round, w))
				}
				e.warnings = nil
				if round >= 0 || ctx.Err() != nil {
					run.Round = round
					res.Runs = append(res.Runs, run)
				}
				done++
				if spec.Progress != nil {
					spec.Progress(done, total)
				}
				if ctx.Err() != nil {
					ballast.free()
					res.Incomplete = true
					res.Warnings = append(res.Warnings, "interrupted: checksums not verified")
					return res, ctx.Err()
				}
			}
		}
		ballast.free()
	}
	if err := e.verifyChecksums(ctx, res); err != nil {
		res.Incomplete = true
		return res, err
	}
	res.Warnings = append(res.Warnings, stats.NoiseWarnings(stats.Rows(res), spec.Warmup, spec.NTasks, runtime.NumCPU())...)
	return res, nil
}

// runOnce runs NTasks tasks with method m.
func (e *env) runOnce(ctx context.Context, m results.Method) results.RunResult {
	run := results.RunResult{Method: m, NTasks: e.spec.NTasks, NIters: e.spec.NIters}
	e.markHeap()       // the heap grew since the last run: keep it out of fork children
	e.measureLab(&run) // before the first create, outside every timed section
	if m.IsPython() && e.py == nil {
		run.Tasks = make([]results.Task, e.spec.NTasks)
		for i := range run.Tasks {
			run.Tasks[i] = results.Task{Task: i, Error: "not started: " + e.pyErr.Error()}
		}
		return run
	}
	var load *float64
	if l, err := load1(); err == nil {
		load = &l
	}
	before := markHost()
	switch m {
	case results.Thread:
		run.Tasks = e.runThreads(ctx)
	case results.Single:
		run.Tasks = e.runSingle(ctx)
	case results.PyThread, results.PySingle:
		run.Tasks = e.py.runInProcess(ctx, m, e.spec.NTasks, e.spec.NIters, e.spec.Timeout)
	default:
		run.Tasks = e.runProcesses(ctx, e.starter(m))
	}
	run.WallNS = wall(run.Tasks)
	recordHost(&run, before, markHost(), load)
	if e.beat != nil {
		if w := e.beat.mark(&run); w != "" {
			e.warnings = append(e.warnings, w)
		}
	}
	return run
}

// wall is the span from the first create call to the last task done.
func wall(ts []results.Task) int64 {
	var first, last int64
	for i, t := range ts {
		if t.Stamps.CreateNS == 0 {
			continue
		}
		if first == 0 || t.Stamps.CreateNS < first {
			first = t.Stamps.CreateNS
		}
		if end := t.Stamps.CreateNS + t.TotalNS; i == 0 || end > last {
			last = end
		}
	}
	return last - first
}

func (e *env) task(i int) csys.Task {
	return csys.Task{Index: uint32(i), NIters: e.spec.NIters, ProfileHz: uint32(e.spec.ProfileHz)}
}
