package lab

import (
	"bytes"
	"context"
	"github.com/proclab/proclab/lab/symbols"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
)

// pageTableCopy names the kernel functions that copy a parent's page
// tables in fork (copy_page_range and what it calls, when not inlined).
func pageTableCopy(fn string) bool {
	switch fn {
	case "copy_page_range", "copy_p4d_range", "copy_pud_range", "copy_pmd_range", "copy_pte_range",
		"copy_present_ptes", "copy_present_pte", "copy_nonpresent_pte":
		return true
	}
	return false
}

// startProfileOf runs spec with the start profile on and reads the
// profile back from its bytes, as go tool pprof would.
func startProfileOf(t *testing.T, spec Spec) (*results.Result, *profile.Profile) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("kernel call chains need root (or CAP_PERFMON) here")
	}
	spec.StartProfile = true
	res, err := Run(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if res.StartProfile == nil || res.StartProfile.Error != "" || res.StartPprof == nil {
		t.Fatalf("no start profile: %+v", res.StartProfile)
	}
	var buf bytes.Buffer
	if err := res.StartPprof.Write(&buf); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sample) != res.StartProfile.Samples {
		t.Errorf("%d samples in the profile, the result says %d", len(p.Sample), res.StartProfile.Samples)
	}
	return res, p
}

func label(s *profile.Sample, key string) string {
	if v := s.Label[key]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// kernelTop ranks the kernel functions where samples of method and phase
// were taken (flat: the leaf frame).
func kernelTop(p *profile.Profile, method, phase string) []string {
	flat := map[string]int{}
	for _, s := range p.Sample {
		if label(s, "method") != method || label(s, "phase") != phase || len(s.Location) == 0 {
			continue
		}
		l := s.Location[0]
		if l.Mapping != nil && l.Mapping.File == "[kernel.kallsyms]" {
			flat[l.Line[0].Function.Name]++
		}
	}
	var fns []string
	for f := range flat {
		fns = append(fns, f)
	}
	sort.Slice(fns, func(i, j int) bool { return flat[fns[i]] > flat[fns[j]] })
	return fns
}

// With a 256 MiB parent, fork's create phase is the kernel copying page
// tables; the forkserver's create (a request over a socket) has none of
// it; a spawned worker's start shows the loader or the Go runtime; every
// sample carries every label.
func TestStartProfile(t *testing.T) {
	// A short period and three rounds: the server's own fork of its small
	// image takes ~0.2 ms a task, which a 250 µs period may not see at all
	// in two tasks.
	res, p := startProfileOf(t, Spec{Methods: []results.Method{results.Fork, results.Forkserver, results.Spawn}, NTasks: 2, NIters: 100_000,
		Repeat: 3, ParentRSS: []int64{256 << 20}, StartProfilePeriod: 50 * time.Microsecond})
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			if !tk.Good() {
				t.Fatalf("%s task %d: %s", r.Method, tk.Task, tk.Error)
			}
		}
	}
	phases := map[string]bool{PhaseNames[0]: true}
	for _, ph := range PhaseNames {
		phases[ph] = true
	}
	seen := map[string]int{}
	for i, s := range p.Sample {
		m, ph := label(s, "method"), label(s, "phase")
		if m == "" || !phases[ph] || len(s.Label["task"]) != 1 || len(s.Label["pid"]) != 1 ||
			len(s.NumLabel["parent_rss"]) != 1 || s.NumLabel["parent_rss"][0] != 256<<20 {
			t.Fatalf("sample %d lacks a label: %v %v", i, s.Label, s.NumLabel)
		}
		seen[m+"/"+ph]++
	}
	t.Logf("samples per method/phase: %v", seen)

	top := kernelTop(p, "fork", "create")
	if len(top) > 3 {
		top = top[:3]
	}
	if !slicesAny(top, pageTableCopy) {
		t.Errorf("fork's create phase at 256 MiB: top kernel functions %v, want copy_page_range (or its callees) among them", top)
	}
	for _, s := range p.Sample {
		if label(s, "method") != "forkserver" || label(s, "phase") != "create" {
			continue
		}
		for _, l := range s.Location {
			if pageTableCopy(l.Line[0].Function.Name) {
				t.Fatalf("the forkserver's create phase copies page tables in the lab: %s", l.Line[0].Function.Name)
			}
		}
	}
	// The JSON's summary says the same in plain words.
	var forkCreate *results.PhaseSummary
	for i, ph := range res.StartProfile.Phases {
		if ph.Method == "fork" && ph.Phase == "create" {
			forkCreate = &res.StartProfile.Phases[i]
		}
	}
	if forkCreate == nil || len(forkCreate.Parts) == 0 || forkCreate.Parts[0].Func != startprof.PartPageTableCopy ||
		forkCreate.Tasks != 6 || forkCreate.CPUNS <= 0 {
		t.Errorf("fork's create phase summary: %+v, want copying page tables first, 6 tasks (2 a round)", forkCreate)
	}
	if seen["forkserver/server"] == 0 {
		t.Errorf("no sample of the forkserver itself")
	}
	loader := 0
	for _, s := range p.Sample {
		if label(s, "method") != "spawn" || label(s, "phase") != "child-start" {
			continue
		}
		for _, l := range s.Location {
			fn := l.Line[0].Function.Name
			// A static image has no loader; a stripped one (go test's)
			// names no function: its frames are still the image's.
			inImage := res.BinaryLinking == "static" && l.Mapping != nil && l.Mapping.File == res.Binary
			if strings.HasPrefix(fn, "runtime.") || inImage || l.Mapping != nil && strings.Contains(l.Mapping.File, "ld-linux") {
				loader++
				break
			}
		}
	}
	if loader == 0 {
		t.Errorf("no child-start sample of spawn in the dynamic loader or the Go runtime (%s image)", res.BinaryLinking)
	}
}

func slicesAny(s []string, f func(string) bool) bool {
	for _, v := range s {
		if f(v) {
			return true
		}
	}
	return false
}

// Where perf events are refused, the run goes on without the profile and
// says why in one line (PROCLAB_START_PROFILE_DENY takes that path here).
func TestStartProfileRefused(t *testing.T) {
	t.Setenv("PROCLAB_START_PROFILE_DENY", "1")
	res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Fork, results.Forkserver}, NTasks: 1, NIters: 1000, Repeat: 1,
		StartProfile: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.StartPprof != nil || res.StartProfile == nil || !strings.HasPrefix(res.StartProfile.Error, "start profile off: ") ||
		strings.Contains(res.StartProfile.Error, "\n") {
		t.Fatalf("start profile %+v, want it off with one line saying why", res.StartProfile)
	}
	for _, r := range res.Runs {
		if !r.Tasks[0].Good() {
			t.Errorf("%s: %s", r.Method, r.Tasks[0].Error)
		}
	}
}

// A lab sample counts for a create call or a wait by its Go frames; a
// stack that reaches a goroutine's root without them is other work (the
// live sampler, say), and one cut short in C cannot tell.
func TestInLabCall(t *testing.T) {
	syms, err := symbols.Load(buildProclab(t, false)) // test binaries are stripped
	if err != nil {
		t.Fatal(err)
	}
	addr := func(name string) uint64 {
		if a, ok := syms.Addr(name); ok {
			return a + 1 // a return address inside it
		}
		t.Fatalf("no symbol %s in the test binary", name)
		return 0
	}
	in := inLabCall(syms)
	collect, goexit := addr("github.com/proclab/proclab/lab.(*env).collect"), addr("runtime.goexit.abi0")
	create, hot := addr("github.com/proclab/proclab/lab.(*env).createStamped"), addr("proclab_hot_loop")
	const kernel = 0xffffffff81000000
	for _, c := range []struct {
		phase     string
		stack     []uint64
		in, known bool
	}{
		{PhaseNames[4], []uint64{kernel, collect, goexit}, true, true},  // reap: in collect
		{PhaseNames[4], []uint64{kernel, hot + 8, goexit}, false, true}, // reap: another goroutine
		{PhaseNames[0], []uint64{kernel, create, goexit}, true, true},   // create: in createStamped
		{PhaseNames[0], []uint64{kernel, collect, goexit}, false, true}, // create: a wait meanwhile
		{PhaseNames[0], []uint64{kernel, hot + 8}, false, false},        // cut short in C
	} {
		gotIn, gotKnown := in(c.phase, startprof.Sample{Stack: c.stack})
		if gotIn != c.in || gotKnown != c.known {
			t.Errorf("%s %x: in %v known %v, want %v %v", c.phase, c.stack, gotIn, gotKnown, c.in, c.known)
		}
	}
}
