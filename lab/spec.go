// Package lab runs proclab's experiments: it starts tasks with each start
// method (through csys), collects every child's record and resource usage,
// and returns a Result for the renderers.
package lab

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/proclab/proclab/lab/results"
)

// Spec is what to run. The zero value of each optional field is documented
// beside it.
type Spec struct {
	Methods []results.Method // methods to compare; run interleaved round by round
	NTasks  int              // tasks per run, each in its own process/goroutine; >= 1
	NIters  uint64           // hot-loop iterations per task; >= 1
	Repeat  int              // recorded rounds; 0 means 1
	Warmup  int              // rounds run first and not recorded

	ParentRSS []int64 // bytes of anonymous memory the lab holds while creating; nil means {0}
	ParentTHP bool    // back ParentRSS with transparent huge pages (madvise)
	// InheritLabHeap lets fork children inherit the lab's own Go heap;
	// false (the default) keeps it out of them (labheap.go).
	InheritLabHeap bool

	ProfileHz int // per-task sampling rate of the hot loop; 0 = no profile (see DefaultProfileHz)

	SampleInterval time.Duration // live gopsutil samples of each child; 0 = off
	SampleBudget   float64       // most sampler CPU per child CPU (0.01 = 1%); 0 = unlimited

	// MaxProcs caps the tasks alive at once (children created and not yet
	// reaped, or threads running); a new one starts as soon as one ends.
	// 0 means no cap: all NTasks are created before any is joined.
	MaxProcs int
	// Timeout is how long a task may run, from its create call, before it
	// is killed and reported as timed out. 0 means no limit.
	Timeout time.Duration

	// StartProfile records where the CPU goes while tasks start and end
	// (perf events, kernel and user frames): Result.StartPprof.
	StartProfile bool
	// StartProfilePeriod is its cpu-clock sampling period; 0 means
	// startprof.DefaultPeriod. Shorter sees more and costs more.
	StartProfilePeriod time.Duration

	// Progress, if set, is called after each run with runs done and total.
	Progress func(done, total int)
}

// MaxNTasks bounds n_tasks to keep a typo from creating a million processes.
const MaxNTasks = 1 << 20

// Validate reports the first problem with s as a plain sentence.
func (s *Spec) Validate() error {
	switch {
	case len(s.Methods) == 0:
		return errors.New("no method given")
	case s.NTasks < 1:
		return fmt.Errorf("--n-tasks must be at least 1, got %d", s.NTasks)
	case s.NTasks > MaxNTasks:
		return fmt.Errorf("--n-tasks %d is more than %d, the most one run keeps the figures of; run fewer tasks", s.NTasks, MaxNTasks)
	case s.NIters < 1:
		return fmt.Errorf("--n-iters must be at least 1, got %d", s.NIters)
	case s.Repeat < 0:
		return fmt.Errorf("--repeat must be at least 1, got %d", s.Repeat)
	case s.Warmup < 0:
		return fmt.Errorf("--warmup must be 0 or more, got %d", s.Warmup)
	case s.StartProfilePeriod != 0 && s.StartProfilePeriod < 10*time.Microsecond:
		return fmt.Errorf("--start-profile-period must be at least 10µs (the kernel's floor for cpu-clock), got %s", s.StartProfilePeriod)
	case s.ProfileHz < 0 || s.ProfileHz > 10000:
		return fmt.Errorf("--profile-hz must be between 0 and 10000, got %d", s.ProfileHz)
	case s.SampleBudget < 0 || s.SampleBudget > 1:
		return fmt.Errorf("--sample-budget must be between 0 and 100 (percent), got %g", 100*s.SampleBudget)
	case s.SampleInterval < 0 || (s.SampleInterval > 0 && s.SampleInterval < MinSampleInterval):
		return fmt.Errorf("--sample-interval must be 0 (off) or at least %v, got %v", MinSampleInterval, s.SampleInterval)
	case s.MaxProcs < 0:
		return fmt.Errorf("--max-procs must be 0 (no cap) or more, got %d", s.MaxProcs)
	case s.Timeout < 0:
		return fmt.Errorf("--timeout must be 0 (none) or more, got %v", s.Timeout)
	}
	for _, m := range s.Methods {
		if !m.Valid() {
			return fmt.Errorf("unknown method %q", m)
		}
		if m.IsPython() {
			if _, err := Python(); err != nil {
				return fmt.Errorf("--method %s: %w", m, err)
			}
		}
	}
	for i, b := range s.ParentRSS {
		if b < 0 {
			return fmt.Errorf("--parent-rss must not be negative, got %d", b)
		}
		if slices.Contains(s.ParentRSS[:i], b) {
			return fmt.Errorf("--parent-rss names %s twice; name each size once (each is one row of the results; --repeat gives more rounds)", iec(b))
		}
	}
	return nil
}

func (s *Spec) rounds() int {
	if s.Repeat == 0 {
		return 1
	}
	return s.Repeat
}

// alive is how many tasks run at once at most.
func (s *Spec) alive() int {
	if s.MaxProcs > 0 && s.MaxProcs < s.NTasks {
		return s.MaxProcs
	}
	return s.NTasks
}

func (s *Spec) parentSizes() []int64 {
	if len(s.ParentRSS) == 0 {
		return []int64{0}
	}
	return s.ParentRSS
}
