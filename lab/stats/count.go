package stats

import "github.com/proclab/proclab/lab/results"

// Counts reports whether task t enters figures: the one rule every figure
// follows. A task counts when, as far as the lab knows, it ran its task to
// the end and reported it: no error (an error covers a child that died or
// exited non-zero, a bad record, a checksum verified not to match), not
// timed out and not interrupted. A task whose checksum is unknown (the run
// was interrupted before the lab computed the loop's checksum) counts: it
// finished and its record checked out; only a checksum known to be wrong
// keeps it out. Nor does a task alive while the lab itself was not running
// (lab_paused_ns): its total holds the pause.
func Counts(t *results.Task) bool {
	return t.Error == "" && !t.TimedOut && (t.ChecksumOK == nil || *t.ChecksumOK) && t.LabPausedNS == nil
}

// Recorded reports whether run r is one of the recorded rounds: a warmup
// round is kept in an interrupted result (negative round) but never enters
// a figure.
func Recorded(r *results.RunResult) bool { return r.Round >= 0 }

// WallCounts reports whether run r's wall time enters figures: a recorded
// run whose every task counts, with all of its n_tasks tasks and a wall
// measured. A run with a task that failed or was cut short measured the
// failure, not the work.
func WallCounts(r *results.RunResult) bool {
	if !Recorded(r) || r.WallNS <= 0 || len(r.Tasks) != r.NTasks || r.NTasks == 0 {
		return false
	}
	for i := range r.Tasks {
		if !Counts(&r.Tasks[i]) {
			return false
		}
	}
	return true
}

// Fig is one per-task figure: nil where the task has none.
type Fig func(*results.Task) *int64

// The per-task figures the tables, plots and sentences read.
var (
	Startup      Fig = func(t *results.Task) *int64 { return t.StartupNS }
	Total        Fig = func(t *results.Task) *int64 { return &t.TotalNS }
	Run          Fig = func(t *results.Task) *int64 { return &t.RunNS }
	TaskCPU      Fig = func(t *results.Task) *int64 { return t.TaskCPUNS }
	ExecDone     Fig = func(t *results.Task) *int64 { return t.ExecDoneNS }
	RuntimeReady Fig = func(t *results.Task) *int64 { return t.RuntimeReadyNS }
	HWM          Fig = func(t *results.Task) *int64 { return t.HWMBytes }
	EndRSS       Fig = func(t *results.Task) *int64 { return t.EndRSSBytes }
	EndPSS       Fig = func(t *results.Task) *int64 { return t.EndPSSBytes }
	EndUSS       Fig = func(t *results.Task) *int64 { return t.EndUSSBytes }
	PeakRSS      Fig = func(t *results.Task) *int64 { return t.PeakRSSBytes }
	PeakPSS      Fig = func(t *results.Task) *int64 { return t.PeakPSSBytes }
	MinFlt       Fig = func(t *results.Task) *int64 { return t.MinFlt }
)

// Values collects fig from every task of runs that counts, skipping tasks
// where the figure is null.
func Values(runs []*results.RunResult, fig Fig) []float64 {
	var out []float64
	for _, r := range runs {
		out = append(out, RunValues(r, fig)...)
	}
	return out
}

// RunValues collects fig from the tasks of one run that count.
func RunValues(r *results.RunResult, fig Fig) []float64 {
	var out []float64
	for j := range r.Tasks {
		t := &r.Tasks[j]
		if !Counts(t) {
			continue
		}
		if v := fig(t); v != nil {
			out = append(out, float64(*v))
		}
	}
	return out
}

// Walls collects the wall times of the runs whose wall counts.
func Walls(runs []*results.RunResult) []float64 {
	var out []float64
	for _, r := range runs {
		if WallCounts(r) {
			out = append(out, float64(r.WallNS))
		}
	}
	return out
}
