package startprof

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/pprof/profile"
)

// ExeFrame symbolizes an address of the lab's own executable: its
// function, file and line; ok false if the address is not in it.
type ExeFrame func(addr uint64) (fn, file string, line int, ok bool)

// Symbolizer turns sampled addresses into pprof locations: kernel ones
// from kallsyms, the lab's executable with exe, other files (the dynamic
// loader, libc, python) from their ELF symbols through the mappings the
// kernel reported; what none of them covers is "[unknown]".
type Symbolizer struct {
	Kernel  *Kallsyms
	ExePath string
	Exe     ExeFrame
	// Maps are mappings of the processes whose own the kernel did not
	// report: the lab's (read from /proc/self/maps when sampling began),
	// inherited by its fork children.
	Maps []Mapping
}

// Build writes the labelled samples as a pprof profile: sample types
// cpu/nanoseconds (each sample weighs the sampling period) and
// samples/count; labels method, phase (strings), task, pid, parent_rss
// (numbers).
func Build(samples []Labeled, rec *Recording, sym *Symbolizer, comment string) *profile.Profile {
	b := &builder{
		p: &profile.Profile{
			SampleType:        []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}, {Type: "samples", Unit: "count"}},
			PeriodType:        &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
			DefaultSampleType: "cpu",
			Period:            rec.PeriodNS,
			Comments:          []string{comment},
		},
		sym:   sym,
		rec:   rec,
		locs:  map[locKey]*profile.Location{},
		funcs: map[funcKey]*profile.Function{},
		maps:  map[string]*profile.Mapping{},
		dsos:  map[string]*dso{},
		byPID: map[uint32][]Mapping{},
	}
	for _, m := range rec.Mappings {
		b.byPID[m.PID] = append(b.byPID[m.PID], m)
	}
	var first, last int64
	for _, s := range samples {
		if first == 0 || s.TimeNS < first {
			first = s.TimeNS
		}
		last = max(last, s.TimeNS)
		ps := &profile.Sample{
			Value: []int64{rec.PeriodNS, 1},
			// Who a sample belongs to is a string label (pprof's key:regexp
			// form, combined in one -tagfocus: 'method:fork$,task:0$'), the
			// parent's size a number of bytes (-tagfocus=parent_rss=1gb).
			Label: map[string][]string{"method": {s.Method}, "phase": {s.Phase},
				"task": {strconv.Itoa(s.Task)}, "pid": {strconv.FormatUint(uint64(s.PID), 10)}},
			NumLabel: map[string][]int64{"parent_rss": {s.ParentRSS}},
			NumUnit:  numUnits,
		}
		for i, pc := range s.Stack {
			ps.Location = append(ps.Location, b.location(s.PID, pc, i > 0))
		}
		b.p.Sample = append(b.p.Sample, ps)
	}
	b.p.TimeNanos = time.Now().UnixNano()
	b.p.DurationNanos = last - first
	return b.p
}

// numUnits gives the numeric label its unit: pprof drops a numeric label
// whose value and unit are both zero (parent_rss 0), and with "bytes" it
// reads -tagfocus=parent_rss=1gb.
var numUnits = map[string][]string{"parent_rss": {"bytes"}}

type locKey struct {
	file string
	addr uint64
}

type funcKey struct{ name, file string }

type builder struct {
	p     *profile.Profile
	sym   *Symbolizer
	rec   *Recording
	locs  map[locKey]*profile.Location
	funcs map[funcKey]*profile.Function
	maps  map[string]*profile.Mapping
	dsos  map[string]*dso
	byPID map[uint32][]Mapping
}

const kernelFile = "[kernel.kallsyms]"

// location is the pprof location of pc sampled in process pid; a caller's
// pc is a return address, so its call is at pc-1.
func (b *builder) location(pid uint32, pc uint64, caller bool) *profile.Location {
	look := pc
	if caller {
		look--
	}
	var file, fn, src string
	var line int
	addr := pc
	switch {
	case IsKernel(pc):
		file = kernelFile
		if b.sym.Kernel != nil {
			fn = b.sym.Kernel.Func(look)
		}
	default:
		if b.sym.Exe != nil {
			if f, s, l, ok := b.sym.Exe(look); ok {
				file, fn, src, line = b.sym.ExePath, f, s, l
				break
			}
		}
		if m, ok := b.mappingOf(pid, pc); ok {
			file = m.File
			d := b.dso(m.File)
			off := pc - m.Start + m.Pgoff
			if d != nil {
				if va, ok := d.vaddr(off); ok {
					addr = va
					fn = d.funcName(va - (pc - look))
				}
			} else {
				addr = off
			}
			if fn == "" {
				fn = fmt.Sprintf("%s+%#x", filepath.Base(m.File), addr)
			}
		}
	}
	if fn == "" {
		fn = "[unknown]"
	}
	key := locKey{file, addr}
	if file == "" {
		key.file = fmt.Sprintf("[pid %d]", pid) // an address means nothing outside its process
	}
	if l := b.locs[key]; l != nil {
		return l
	}
	l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Address: addr, Mapping: b.mapping(file)}
	l.Line = []profile.Line{{Function: b.function(fn, src), Line: int64(line)}}
	b.locs[key] = l
	b.p.Location = append(b.p.Location, l)
	return l
}

// mappingOf finds the file mapping holding pc in process pid: the kernel's
// reports for it, then for the process it was forked from, and so on up to
// the lab, whose mappings were read when sampling began.
func (b *builder) mappingOf(pid uint32, pc uint64) (Mapping, bool) {
	for range 64 {
		ms := b.byPID[pid]
		// The latest report wins: an exec replaces the image.
		for i := len(ms) - 1; i >= 0; i-- {
			if pc >= ms[i].Start && pc < ms[i].Limit {
				return ms[i], true
			}
		}
		parent, ok := b.rec.Parents[pid]
		if !ok || len(ms) > 0 { // its own mappings: it exec'd, its parent's say nothing
			break
		}
		pid = parent
	}
	for _, m := range b.sym.Maps {
		if pc >= m.Start && pc < m.Limit {
			return m, true
		}
	}
	return Mapping{}, false
}

func (b *builder) mapping(file string) *profile.Mapping {
	if file == "" {
		file = "[unknown]"
	}
	if m := b.maps[file]; m != nil {
		return m
	}
	m := &profile.Mapping{ID: uint64(len(b.p.Mapping) + 1), File: file, HasFunctions: true}
	if file == b.sym.ExePath {
		m.HasFilenames, m.HasLineNumbers = true, true
	}
	b.maps[file] = m
	b.p.Mapping = append(b.p.Mapping, m)
	return m
}

func (b *builder) function(name, file string) *profile.Function {
	k := funcKey{name, file}
	if f := b.funcs[k]; f != nil {
		return f
	}
	f := &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: name, SystemName: name, Filename: file}
	b.funcs[k] = f
	b.p.Function = append(b.p.Function, f)
	return f
}

func (b *builder) dso(path string) *dso {
	if d, ok := b.dsos[path]; ok {
		return d
	}
	d, _ := openDSO(path) // nil: the file is gone or not ELF; its frames keep their offsets
	b.dsos[path] = d
	return d
}
