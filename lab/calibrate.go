package lab

import (
	"context"
	"fmt"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// CalibrateSpec is what Calibrate runs. Zero values are documented beside
// each field.
type CalibrateSpec struct {
	Rounds  int              // interleaved rounds, each one floor sample and one task per method; >= 1
	Warmup  int              // rounds run first and not recorded
	Methods []results.Method // process methods to compare; nil means every process method
	// RateTasks lists task counts to measure fork throughput and the lab's
	// peak RSS at (rate.go); nil measures none.
	RateTasks []int
	// InheritLabHeap lets fork children inherit the lab's Go heap
	// (labheap.go); false keeps it out, as in a run.
	InheritLabHeap bool
	// Progress, if set, is called after each round with rounds done and total.
	Progress func(done, total int)
}

// floorRun is one floor loop as calibrate takes it: one sample a round.
type floorRun struct {
	name    string
	kind    csys.FloorKind
	path    string
	argv    []string
	samples []csys.FloorSample
	err     error
}

func (f *floorRun) sample() {
	if f.err != nil {
		return
	}
	ss, err := csys.Floor(f.kind, f.path, f.argv, 1)
	f.samples = append(f.samples, ss...)
	f.err = err
}

func (f *floorRun) drop() { f.samples = f.samples[:0] }

// Floor names, the rows of the floor table.
const (
	floorFork       = "fork+_exit+wait4"
	floorVfork      = "vfork+_exit+wait4"
	floorForkExec   = "fork+execve+wait4"
	floorSpawn      = "posix_spawn+wait4"
	floorSpawnTrue  = "posix_spawn(/bin/true)+wait4"
	floorSpawnImage = "posix_spawn(proclab image, to its constructor)+wait4"
)

// Calibrate measures the machine's floor in C (csys.Floor) and proclab's
// own process methods on a near-empty task, interleaved round by round so
// that both share the machine's noise, and reports each method's overhead
// above its floor as a ratio of medians. The floor programs are the
// smallest static program (built with the C compiler if there is one, else
// /bin/true stands in and exec startups have no floor) and, for context,
// /bin/true and proclab's own image stopped in its C constructor.
func Calibrate(ctx context.Context, cs CalibrateSpec) (*results.Calibration, error) {
	if cs.Rounds < 1 {
		return nil, fmt.Errorf("--n must be at least 1, got %d", cs.Rounds)
	}
	if cs.Warmup < 0 {
		return nil, fmt.Errorf("--warmup must be 0 or more, got %d", cs.Warmup)
	}
	methods := cs.Methods
	if methods == nil {
		for _, m := range results.Methods {
			if m.CreatesProcess() {
				methods = append(methods, m)
			}
		}
	}
	for _, n := range cs.RateTasks {
		if n < 1 || n > MaxNTasks {
			return nil, fmt.Errorf("--rate-tasks must be between 1 and %d, got %d", MaxNTasks, n)
		}
	}
	for _, m := range methods {
		if !m.Valid() || !m.CreatesProcess() {
			return nil, fmt.Errorf("calibrate compares process methods; %q is not one", m)
		}
	}
	spec := Spec{Methods: methods, NTasks: 1, NIters: 1, InheritLabHeap: cs.InheritLabHeap}
	e, err := newEnv(&spec)
	if err != nil {
		return nil, err
	}
	defer e.close()
	e.expected = csys.HotLoop(spec.NIters) // n_iters 1: instant
	host, _ := gatherHost(ctx)
	cal := &results.Calibration{Schema: results.CalibrationSchema, Host: host, Rounds: cs.Rounds,
		Warmup: cs.Warmup, NIters: spec.NIters}

	prog, cleanup, why, err := tempFloorProgram("proclab-calibrate-")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if why != nil {
		cal.Warnings = append(cal.Warnings, fmt.Sprintf("no static floor program (%v): exec floors use /bin/true and have no startup", why))
	}
	floors := []*floorRun{
		{name: floorFork, kind: csys.FloorFork},
		{name: floorVfork, kind: csys.FloorVfork},
		{name: floorForkExec, kind: csys.FloorForkExec, path: prog, argv: []string{prog}},
		{name: floorSpawn, kind: csys.FloorSpawn, path: prog, argv: []string{prog}},
		{name: floorSpawnTrue, kind: csys.FloorSpawn, path: "/bin/true", argv: []string{"/bin/true"}},
		{name: floorSpawnImage, kind: csys.FloorSpawn, path: e.exe, argv: []string{e.exe, csys.FloorArg}},
	}
	byName := map[string]*floorRun{}
	for _, f := range floors {
		byName[f.name] = f
	}

	type methodRun struct {
		m     results.Method
		floor *floorRun
		tasks []results.Task // every recorded task; stats.Overhead counts what counts
		err   string
	}
	var runs []*methodRun
	for _, m := range methods {
		r := &methodRun{m: m, floor: byName[pairedFloor(m)]}
		if m == results.Forkserver {
			fs, err := startForkserver(ctx, e)
			if err != nil {
				r.err = err.Error()
			} else {
				e.fs = fs
				defer fs.close()
			}
		}
		runs = append(runs, r)
	}

	total := cs.Warmup + cs.Rounds
	for round := 0; round < total && ctx.Err() == nil; round++ {
		e.markHeap() // before the round's floors and methods: the heap may have grown
		if round == cs.Warmup {
			for _, f := range floors {
				f.drop()
			}
			for _, r := range runs {
				r.tasks = r.tasks[:0]
			}
		}
		// Each method next to its own floor, the floor first on even rounds
		// and second on odd ones, so that neither always follows the same
		// neighbour; the context floors last.
		done := map[*floorRun]bool{}
		floorFirst := round%2 == 0
		for _, r := range runs {
			if floorFirst && !done[r.floor] {
				r.floor.sample()
				done[r.floor] = true
			}
			if r.err == "" {
				for _, t := range e.runOnce(ctx, r.m).Tasks {
					if t.ChecksumPending {
						t.ChecksumOK = ptr(t.Checksum == e.expected)
					}
					r.tasks = append(r.tasks, t)
				}
			}
			if !done[r.floor] {
				r.floor.sample()
				done[r.floor] = true
			}
		}
		for _, f := range floors {
			if !done[f] {
				f.sample()
			}
		}
		if cs.Progress != nil {
			cs.Progress(round+1, total)
		}
	}

	for _, f := range floors {
		cal.Floors = append(cal.Floors, f.summary())
	}
	for _, r := range runs {
		mo := results.MethodOverhead{Method: r.m, Floor: r.floor.name, Error: r.err}
		if r.err == "" {
			mo = stats.Overhead(r.m, calibrationFloor(cal, r.floor.name), r.tasks)
		}
		cal.Methods = append(cal.Methods, mo)
	}
	cal.Goals = stats.Goals(cal.Methods)
	for _, n := range cs.RateTasks {
		if ctx.Err() != nil {
			break
		}
		cal.Rates = append(cal.Rates, rates(ctx, n)...)
	}
	cal.Warnings = append(cal.Warnings, floorNoiseWarnings(floors)...)
	cal.Warnings = append(cal.Warnings, e.warnings...)
	cal.ForkLabHeap = e.forkLabHeap()
	return cal, ctx.Err()
}

// pairedFloor is the floor a method is compared with: the C loop that
// makes the same system calls with nothing around them. os/exec (and the
// forkserver's fork) have no floor of their own.
func pairedFloor(m results.Method) string {
	switch m {
	case results.ForkExec:
		return floorForkExec
	case results.Spawn, results.Exec:
		return floorSpawn
	}
	return floorFork
}

func (f *floorRun) summary() results.Floor {
	ss := make([]stats.FloorSample, len(f.samples))
	for i, s := range f.samples {
		ss[i] = stats.FloorSample{StartupNS: s.StartupNS, TotalNS: s.TotalNS, MinFlt: s.MinFlt}
	}
	return stats.FloorOf(f.name, f.path, ss, f.err)
}

func calibrationFloor(c *results.Calibration, name string) results.Floor {
	for _, f := range c.Floors {
		if f.Name == name {
			return f
		}
	}
	return results.Floor{}
}

// floorNoiseWarnings flags floors whose samples spread widely.
func floorNoiseWarnings(floors []*floorRun) []string {
	var out []string
	for _, f := range floors {
		var tt []float64
		for _, s := range f.samples {
			tt = append(tt, float64(s.TotalNS))
		}
		if w := stats.FloorNoise(f.name, tt); w != "" {
			out = append(out, w)
		}
	}
	return out
}
