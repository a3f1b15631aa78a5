package startprof

import (
	"sort"

	"github.com/google/pprof/profile"
)

// PhaseSummary is what a start profile says about one phase of one
// method at one parent size: how much CPU it took, and where.
type PhaseSummary struct {
	Method         string `json:"method"`
	ParentRSSBytes int64  `json:"parent_rss_bytes"`
	Phase          string `json:"phase"`
	CPUNS          int64  `json:"cpu_ns"`  // sampled CPU of the phase, all its tasks together
	Samples        int    `json:"samples"` //
	Tasks          int    `json:"tasks"`   // tasks of the method at the size (the caller fills it in)
	// KernelShare is the share of the samples taken in the kernel.
	KernelShare float64 `json:"kernel_share"`
	// Kernel ranks the kernel functions the samples were taken in (the
	// leaf frame); User ranks the user-space function each sample was in
	// or had called the kernel from (its first user frame). Shares are of
	// all the phase's samples; at most TopN each.
	Kernel []FuncShare `json:"kernel"`
	User   []FuncShare `json:"user"`
}

// FuncShare is a function and the share of a phase's samples it holds.
type FuncShare struct {
	Func  string  `json:"func"`
	Share float64 `json:"share"`
}

// TopN is how many functions a PhaseSummary ranks.
const TopN = 5

// Summarize reads a start profile (as Build writes it) back into one
// summary per method, parent size and phase, in that order.
func Summarize(p *profile.Profile) []PhaseSummary {
	type key struct {
		method string
		rss    int64
		phase  string
	}
	type acc struct {
		s          PhaseSummary
		kern, user map[string]int
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
			a = &acc{s: PhaseSummary{Method: k.method, ParentRSSBytes: k.rss, Phase: k.phase},
				kern: map[string]int{}, user: map[string]int{}}
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
	}
	var out []PhaseSummary
	for _, a := range accs {
		a.s.KernelShare = float64(a.kernel) / float64(a.s.Samples)
		a.s.Kernel = top(a.kern, a.s.Samples)
		a.s.User = top(a.user, a.s.Samples)
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

func top(counts map[string]int, total int) []FuncShare {
	var fs []FuncShare
	for f, n := range counts {
		fs = append(fs, FuncShare{f, float64(n) / float64(total)})
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
