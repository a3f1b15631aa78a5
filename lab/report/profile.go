package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/proclab/proclab/lab/symbols"

	"github.com/google/pprof/profile"

	"github.com/proclab/proclab/lab/results"
)

// Profile writes the hot-loop samples of every task in res as one gzipped
// pprof profile (read it with `go tool pprof`). Samples are labelled with
// their method (string), task, pid, n_iters and round (numbers), so
// `-tags` splits them and `-tagfocus=method=fork` selects one method.
func Profile(w io.Writer, res *results.Result) error {
	p, err := BuildProfile(res)
	if err != nil {
		return err
	}
	return p.Write(w)
}

// ErrNoProfile means the result holds no task profiles: profiling was off
// (ProfileHz 0), or no task ran. A caller writing every output can skip the
// profile on it.
var ErrNoProfile = errors.New("no task profiles in the result (profiling off, or no task ran)")

// ErrOtherBinary means the executable at the result's binary path is not
// the image the run's tasks ran (it was rebuilt since): the profile is not
// symbolized against it.
var ErrOtherBinary = errors.New("profile: not the binary that ran")

// BuildProfile turns the task profiles in res into one pprof profile, its
// addresses symbolized against res.Binary.
//
// There are two sample types: samples/count, and cpu/nanoseconds, where
// each sample of a task weighs the task's own CPU (task_cpu_ns) over the
// samples it took. The kernel delivers profiling signals at most once
// per tick (CONFIG_HZ), so the rate asked for is not always the rate had;
// the measured CPU is the truth. Addresses become file addresses of the
// executable, so the tasks of PIE workers loaded at different bases share
// locations.
func BuildProfile(res *results.Result) (*profile.Profile, error) {
	hz := res.Spec.ProfileHz
	if hz <= 0 || !hasProfiles(res) {
		return nil, ErrNoProfile
	}
	syms, err := symbols.Load(res.Binary)
	if err != nil {
		return nil, err
	}
	// Results read back after the binary was rebuilt: its symbols would
	// name the wrong functions.
	if res.BinaryBuildID != "" && syms.BuildID != "" && syms.BuildID != res.BinaryBuildID {
		return nil, fmt.Errorf("%w: %s has build ID %s, the run's image had %s", ErrOtherBinary, res.Binary, syms.BuildID, res.BinaryBuildID)
	}
	b := newProfileBuilder(syms, hz)
	for _, run := range res.Runs {
		for _, t := range run.Tasks {
			if t.Profile != nil {
				b.addTask(run, t)
			}
		}
	}
	b.p.DurationNanos = totalWall(res)
	b.comment(fmt.Sprintf("proclab hot-loop profile: methods %v, %d task(s) of %d iterations, %d round(s), %d Hz per task",
		res.Spec.Methods, res.Spec.NTasks, res.Spec.NIters, res.Spec.Repeat, hz))
	b.comment("binary: " + res.Binary)
	if !syms.HasFunctions {
		b.comment("the binary is stripped: locations are addresses only")
	}
	if res.Incomplete {
		b.comment("incomplete: the run was interrupted")
	}
	b.finish()
	if err := b.p.CheckValid(); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return b.p, nil
}

func hasProfiles(res *results.Result) bool {
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			if t.Profile != nil {
				return true
			}
		}
	}
	return false
}

func totalWall(res *results.Result) int64 {
	var ns int64
	for _, r := range res.Runs {
		ns += r.WallNS
	}
	return ns
}

// profileBuilder accumulates samples, interning mappings, locations and
// functions.
type profileBuilder struct {
	p         *profile.Profile
	syms      *symbols.Symbols
	mapping   *profile.Mapping
	locs      map[uint64]*profile.Location // by file address, in the image
	foreign   map[uint64]*profile.Location // by raw PC, outside it (libc, vDSO)
	funcs     map[[2]string]*profile.Function
	nForeign  int
	nDropped  int
	nFailed   int
	firstFail string
}

func newProfileBuilder(syms *symbols.Symbols, hz int) *profileBuilder {
	m := &profile.Mapping{
		ID: 1, Start: syms.Start, Limit: syms.Limit, Offset: 0,
		File: syms.Path, BuildID: syms.BuildID,
		HasFunctions: syms.HasFunctions, HasFilenames: syms.HasLines, HasLineNumbers: syms.HasLines,
	}
	return &profileBuilder{
		p: &profile.Profile{
			SampleType: []*profile.ValueType{
				{Type: "samples", Unit: "count"},
				{Type: "cpu", Unit: "nanoseconds"},
			},
			DefaultSampleType: "cpu",
			PeriodType:        &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
			Period:            int64(1e9 / hz),
			Mapping:           []*profile.Mapping{m},
		},
		syms:    syms,
		mapping: m,
		locs:    map[uint64]*profile.Location{},
		foreign: map[uint64]*profile.Location{},
		funcs:   map[[2]string]*profile.Function{},
	}
}

// addTask adds one Sample per distinct PC of task t.
func (b *profileBuilder) addTask(run results.RunResult, t results.Task) {
	tp := t.Profile
	if tp.Err != "" {
		b.nFailed++
		if b.firstFail == "" {
			b.firstFail = fmt.Sprintf("%s task %d: %s", run.Method, t.Task, tp.Err)
		}
	}
	b.nDropped += tp.Dropped
	taken := len(tp.PCs) + tp.Dropped
	if len(tp.PCs) == 0 {
		return
	}
	// Each sample weighs the task's own CPU time, task_cpu_ns, read around
	// the loop where the task ran, over the samples it took: exec and Go
	// runtime start (workers), fork set-up and exit teardown (children)
	// are not in it, so the hot loop gets the same CPU under every method.
	// Only when task_cpu_ns is null (results of a lab that did not measure
	// it) does the weight fall back to the whole process's CPU (user + sys
	// from rusage), which pours start-up and exit into the loop.
	// Dropped samples count in the divisor: each kept sample stands for
	// the same CPU as any other, the lost ones are simply not shown.
	var cpu int64
	if t.UserNS != nil && t.SysNS != nil {
		cpu = *t.UserNS + *t.SysNS
	}
	if t.TaskCPUNS != nil {
		cpu = *t.TaskCPUNS
	}
	weight := float64(cpu) / float64(taken)
	if weight <= 0 { // no CPU figure (a task that failed): the nominal period
		weight = 1e9 / float64(tp.Hz)
	}
	counts := map[*profile.Location]int64{}
	var order []*profile.Location
	for _, pc := range tp.PCs {
		loc := b.location(pc, tp.TextBase)
		if counts[loc] == 0 {
			order = append(order, loc)
		}
		counts[loc]++
	}
	// Who a sample belongs to (method, task, pid, round) are string
	// labels, so that pprof's key:regexp form selects them and combines
	// them in the one -tagfocus it keeps (-tagfocus='method:fork$,task:0$');
	// the loop's size is a numeric label (-tagfocus=n_iters=1000000:).
	labels := map[string][]string{"method": {string(run.Method)},
		"task": {strconv.Itoa(t.Task)}, "pid": {strconv.Itoa(t.PID)}, "round": {strconv.Itoa(run.Round)}}
	num := map[string][]int64{"n_iters": {int64(run.NIters)}}
	// Values are rounded on the running total, so that a task's samples
	// add up to its CPU exactly, not to it plus each location's rounding.
	var seen int64
	for _, loc := range order {
		n := counts[loc]
		before := int64(math.Round(float64(seen) * weight))
		seen += n
		b.p.Sample = append(b.p.Sample, &profile.Sample{
			Location: []*profile.Location{loc},
			Value:    []int64{n, int64(math.Round(float64(seen)*weight)) - before},
			Label:    labels,
			NumLabel: num,
			NumUnit:  numUnits,
		})
	}
}

// numUnits are the units of the numeric labels. The pprof encoding drops a
// numeric label whose value and unit are both zero; "iterations" is no
// unit pprof scales, so it prints as a plain number.
var numUnits = map[string][]string{"n_iters": {"iterations"}}

// location interns the location of a PC sampled in a process whose ELF
// header was at textBase.
func (b *profileBuilder) location(pc, textBase uint64) *profile.Location {
	addr := b.syms.FileAddr(pc, textBase)
	if !b.syms.Contains(addr) {
		b.nForeign++
		if l := b.foreign[pc]; l != nil {
			return l
		}
		l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Address: pc}
		b.foreign[pc] = l
		b.p.Location = append(b.p.Location, l)
		return l
	}
	if l := b.locs[addr]; l != nil {
		return l
	}
	l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Mapping: b.mapping, Address: addr}
	if fr := b.syms.Frame(addr); fr.Func != "" {
		l.Line = []profile.Line{{Function: b.function(fr.Func, fr.File), Line: int64(fr.Line)}}
	}
	b.locs[addr] = l
	b.p.Location = append(b.p.Location, l)
	return l
}

func (b *profileBuilder) function(name, file string) *profile.Function {
	k := [2]string{name, file}
	if f := b.funcs[k]; f != nil {
		return f
	}
	f := &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: name, SystemName: name, Filename: file}
	b.funcs[k] = f
	b.p.Function = append(b.p.Function, f)
	return f
}

func (b *profileBuilder) comment(c string) { b.p.Comments = append(b.p.Comments, c) }

// finish adds the caveats a reader of the profile should know.
func (b *profileBuilder) finish() {
	if b.nDropped > 0 {
		b.comment(fmt.Sprintf("%d sample(s) dropped: a task's sample buffer was full", b.nDropped))
	}
	if b.nForeign > 0 {
		b.comment(fmt.Sprintf("%d sample(s) outside the executable (shared libraries, vDSO) left as addresses", b.nForeign))
	}
	if b.nFailed > 0 {
		b.comment(fmt.Sprintf("%d task(s) could not be sampled, e.g. %s", b.nFailed, b.firstFail))
	}
}
