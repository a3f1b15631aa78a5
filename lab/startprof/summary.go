package startprof

import (
	"path"
	"sort"
	"strings"

	"github.com/google/pprof/profile"
	"github.com/proclab/proclab/lab/results"
)

// TopN is how many functions a PhaseSummary ranks.
const TopN = 5

// Summarize reads a start profile (as Build writes it) back into one
// summary per method, parent size and phase, in that order.
func Summarize(p *profile.Profile) []results.PhaseSummary {
	type key struct {
		method string
		rss    int64
		phase  string
	}
	type acc struct {
		s          results.PhaseSummary
		kern, user map[string]int
		parts      map[string]int
		kernel     int
	}
	accs := map[key]*acc{}
	cpu := 0
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			cpu = i
		}
	}
	for _, s := range p.Sample {
		k := key{first(s.Label["method"]), firstNum(s.NumLabel["parent_rss"]), first(s.Label["phase"])}
		a := accs[k]
		if a == nil {
			a = &acc{s: results.PhaseSummary{Method: k.method, ParentRSSBytes: k.rss, Phase: k.phase},
				kern: map[string]int{}, user: map[string]int{}, parts: map[string]int{}}
			accs[k] = a
		}
		a.s.Samples++
		a.s.CPUNS += s.Value[cpu]
		userSeen := false
		for j, l := range s.Location {
			kernel := l.Mapping != nil && l.Mapping.File == kernelFile
			if j == 0 && kernel {
				a.kernel++
				a.kern[funcOf(l)]++
			}
			if !kernel {
				a.user[funcOf(l)]++
				userSeen = true
				break
			}
		}
		if !userSeen {
			a.user["[kernel only]"]++
		}
		a.parts[Part(s)]++
	}
	var out []results.PhaseSummary
	for _, a := range accs {
		a.s.KernelShare = float64(a.kernel) / float64(a.s.Samples)
		a.s.Kernel = top(a.kern, a.s.Samples)
		a.s.User = top(a.user, a.s.Samples)
		a.s.Parts = top(a.parts, a.s.Samples)
		out = append(out, a.s)
	}
	order := map[string]int{}
	for i, ph := range []string{PhaseCreate, PhaseServer, PhaseChildStart, PhaseLoop, PhaseChildExit, PhaseReap} {
		order[ph] = i
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Method != b.Method {
			return a.Method < b.Method
		}
		if a.ParentRSSBytes != b.ParentRSSBytes {
			return a.ParentRSSBytes < b.ParentRSSBytes
		}
		return order[a.Phase] < order[b.Phase]
	})
	return out
}

func funcOf(l *profile.Location) string {
	if len(l.Line) == 0 || l.Line[0].Function == nil {
		return "[unknown]"
	}
	return l.Line[0].Function.Name
}

func top(counts map[string]int, total int) []results.FuncShare {
	var fs []results.FuncShare
	for f, n := range counts {
		fs = append(fs, results.FuncShare{Func: f, Share: float64(n) / float64(total)})
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Share != fs[j].Share {
			return fs[i].Share > fs[j].Share
		}
		return fs[i].Func < fs[j].Func
	})
	if len(fs) > TopN {
		fs = fs[:TopN]
	}
	return fs
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func firstNum(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[0]
}

// The parts of a start, in plain words, in the order a sample is matched
// against them: kernel work named by a function on its stack first, then
// where in user space it was.
const (
	PartPageTableCopy = "copying page tables"  // fork: copy_page_range under dup_mmap
	PartTeardown      = "tearing down an mm"   // exit or exec dropping an address space: exit_mmap, unmap_vmas
	PartExec          = "exec in the kernel"   // the rest of execve: loading the image
	PartMemRead       = "reading smaps_rollup" // the child's own memory figures (the lab's instrument)
	PartPageFault     = "page faults"          // first touches, copy-on-write
	PartLoader        = "the dynamic loader"   // ld-linux
	PartGoRuntime     = "the Go runtime"       // a runtime.* leaf: the worker's runtime start, or the lab's
	PartLoop          = "the task's loop"      // proclab_hot_loop
	PartOtherKernel   = "other kernel work"
	PartOtherUser     = "other user code"
)

var kernelParts = []struct {
	part  string
	funcs []string
}{
	{PartPageTableCopy, []string{"copy_page_range"}},
	{PartTeardown, []string{"exit_mmap", "unmap_vmas"}},
	{PartExec, []string{"bprm_execve", "do_execveat_common"}},
	{PartMemRead, []string{"show_smaps_rollup"}},
	{PartPageFault, []string{"exc_page_fault", "asm_exc_page_fault", "handle_mm_fault"}},
}

// Part says what a sample of a start profile was doing.
func Part(s *profile.Sample) string {
	for _, kp := range kernelParts {
		for _, l := range s.Location {
			if l.Mapping == nil || l.Mapping.File != kernelFile {
				break
			}
			for _, f := range kp.funcs {
				if funcOf(l) == f {
					return kp.part
				}
			}
		}
	}
	for _, l := range s.Location {
		if l.Mapping != nil && l.Mapping.File == kernelFile {
			continue
		}
		fn := funcOf(l)
		switch {
		case l.Mapping != nil && strings.Contains(path.Base(l.Mapping.File), "ld-linux"), strings.HasPrefix(fn, "_dl_"):
			return PartLoader
		case strings.HasPrefix(fn, "proclab_hot_loop"):
			return PartLoop
		case strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/"):
			return PartGoRuntime
		}
		break // the leaf user frame says it: every Go stack has runtime frames at its root
	}
	if len(s.Location) > 0 && s.Location[0].Mapping != nil && s.Location[0].Mapping.File == kernelFile {
		return PartOtherKernel
	}
	return PartOtherUser
}
