package stats

import (
	"fmt"
	"strings"
	"time"

	"github.com/proclab/proclab/lab/results"
)

// Key is the one grouping key: the runs of one method at one parent size,
// n_tasks and n_iters are samples of one thing. Within one document the
// experiment is the same for every run; pooling documents (diff) adds it
// (ExperimentKey).
type Key struct {
	Method         results.Method
	ParentRSSBytes int64
	NTasks         int
	NIters         uint64
}

// KeyOf is run r's key.
func KeyOf(r *results.RunResult) Key {
	return Key{Method: r.Method, ParentRSSBytes: r.ParentRSSBytes, NTasks: r.NTasks, NIters: r.NIters}
}

// Kind says what a results document holds: what part of a lab tree it is,
// whatever its directory is called.
type Kind int

// The kinds of results, in the order a lab report shows them.
const (
	KindMethods      Kind = iota // start methods side by side at one parent size
	KindCompare                  // the compare grid
	KindParentRSS                // a sweep of parent sizes
	KindStartProfile             // a run with the start profile on
)

func (k Kind) String() string {
	return [...]string{"methods", "compare", "parent sweep", "start profile"}[k]
}

// KindOf says what res holds.
func KindOf(res *results.Result) Kind {
	switch {
	case len(res.Cells) > 0 || len(res.Spec.NTasksGrid) > 0:
		return KindCompare
	case res.StartProfile != nil && res.StartProfile.Error == "":
		return KindStartProfile
	case countPositive(res.Spec.ParentRSSBytes) >= 2:
		return KindParentRSS
	}
	return KindMethods
}

func countPositive(xs []int64) int {
	n := 0
	for _, x := range xs {
		if x > 0 {
			n++
		}
	}
	return n
}

// Experiment names what a document's timings were measured under: its
// kind and the settings that change timings (the hot-loop profiler's
// signals, the live sampler's readings, the start profile's sampling, the
// lab heap fork children got, huge pages for the ballast). Runs of two
// documents compare only within one experiment: a start-profile run's
// fork carries the profiler's cost and is not the plain run's fork.
func Experiment(res *results.Result) string {
	s := res.Spec
	parts := []string{KindOf(res).String()}
	if s.ProfileHz > 0 {
		parts = append(parts, fmt.Sprintf("hot-loop profile %d Hz", s.ProfileHz))
	}
	if s.SampleIntervalNS > 0 {
		parts = append(parts, "live samples every "+time.Duration(s.SampleIntervalNS).String())
	}
	if sp := res.StartProfile; sp != nil && sp.Error == "" {
		parts = append(parts, "start profile every "+time.Duration(sp.PeriodNS).String())
	}
	if s.ForkLabHeap != "" {
		parts = append(parts, "fork-lab-heap "+s.ForkLabHeap)
	}
	if s.ParentTHP {
		parts = append(parts, "parent THP")
	}
	return strings.Join(parts, ", ")
}
