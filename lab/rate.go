package lab

import (
	"context"
	"os"

	"github.com/proclab/proclab/csys"
)

// Rate is one throughput figure: Tasks near-empty fork tasks (n_iters 1),
// created and reaped as fast as they go.
type Rate struct {
	Name        string  `json:"name"`
	Tasks       int     `json:"tasks"`
	MaxProcs    int     `json:"max_procs"` // most children alive at once; 0 means no limit
	WallNS      int64   `json:"wall_ns"`   // first create call to last task reaped
	TasksPerSec float64 `json:"tasks_per_s"`
	// FloorRatio is proclab's rate over the C floor's at the same limit
	// (1 is the floor; lower is slower); 0 on the floor's own rows.
	FloorRatio float64 `json:"floor_ratio,omitempty"`
	// LabPeakRSSBytes is the lab process's peak RSS over the run (VmHWM,
	// reset before it); null on floor rows or where the kernel cannot
	// reset it.
	LabPeakRSSBytes *int64 `json:"lab_peak_rss_bytes"`
	Failed          int    `json:"failed"`
	Error           string `json:"error,omitempty"`
}

// floorRateLimits are the concurrency limits the floor's rate is measured
// at besides "no limit": issue 7's --max-procs 2 and 64.
var floorRateLimits = []int{2, 64}

// rates measures, for n tasks, the floor's fork rate at each limit and
// with none, then proclab's fork method.
//
// TODO(max-procs): when Spec.MaxProcs lands (reliability branch), run
// proclab at floorRateLimits too and compare each with the floor at the
// same limit; until then proclab creates every task before collecting
// (no limit).
func rates(ctx context.Context, n int) []Rate {
	var out []Rate
	floorRate := map[int]float64{}
	for _, limit := range append(append([]int(nil), floorRateLimits...), 0) {
		r := Rate{Name: "floor: fork+_exit+wait4", Tasks: n, MaxProcs: limit}
		max := limit
		if max == 0 {
			max = n
		}
		wall, err := csys.FloorForkRate(n, max)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.WallNS = wall.Nanoseconds()
			r.TasksPerSec = float64(n) / wall.Seconds()
			floorRate[limit] = r.TasksPerSec
		}
		out = append(out, r)
		if ctx.Err() != nil {
			return out
		}
	}

	r := Rate{Name: "proclab --method fork", Tasks: n}
	spec := Spec{Methods: []Method{Fork}, NTasks: n, NIters: 1}
	pe, err := newEnv(&spec)
	if err != nil {
		r.Error = err.Error()
		return append(out, r)
	}
	defer pe.close()
	pe.expected = csys.HotLoop(spec.NIters) // a near-empty task: instant
	reset := resetPeakRSS()
	run := pe.runOnce(ctx, Fork)
	if reset {
		if hwm, err := peakRSS(); err == nil {
			r.LabPeakRSSBytes = ptr(hwm)
		}
	}
	for _, t := range run.Tasks {
		if t.Error != "" || t.Checksum != pe.expected {
			r.Failed++
		}
	}
	r.WallNS = run.WallNS
	if run.WallNS > 0 {
		r.TasksPerSec = float64(n) / (float64(run.WallNS) / 1e9)
	}
	if f := floorRate[0]; f > 0 {
		r.FloorRatio = r.TasksPerSec / f
	}
	return append(out, r)
}

// resetPeakRSS resets this process's VmHWM to its current RSS (Linux 4.0+),
// so that the next peakRSS is the peak of what follows.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS reads this process's VmHWM from /proc/self/status.
func peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	return kBField(b, "VmHWM")
}
