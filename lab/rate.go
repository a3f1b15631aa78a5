package lab

import (
	"fmt"

	"context"
	"os"

	"github.com/proclab/proclab/lab/stats"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

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
func rates(ctx context.Context, n int) []results.Rate {
	var out []results.Rate
	floorRate := map[int]float64{}
	for _, limit := range append(append([]int(nil), floorRateLimits...), 0) {
		r := results.Rate{Name: "floor: fork+_exit+wait4", Tasks: n, MaxProcs: limit}
		max := limit
		if max == 0 {
			max = n
		}
		wall, err := csys.FloorForkRate(n, max)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.WallNS = wall.Nanoseconds()
			r.TasksPerSec = stats.TasksPerSec(n, r.WallNS)
			floorRate[limit] = r.TasksPerSec
		}
		out = append(out, r)
		if ctx.Err() != nil {
			return out
		}
	}

	r := results.Rate{Name: "proclab --method fork", Tasks: n}
	spec := Spec{Methods: []results.Method{results.Fork}, NTasks: n, NIters: 1}
	pe, err := newEnv(&spec)
	if err != nil {
		r.Error = err.Error()
		return append(out, r)
	}
	defer pe.close()
	pe.expected = csys.HotLoop(spec.NIters) // a near-empty task: instant
	reset := resetPeakRSS()
	run := pe.runOnce(ctx, results.Fork)
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
	if r.Failed > 0 {
		// A rate with failed tasks measured the failures: none is given,
		// as proclab rate gives none.
		r.Error = fmt.Sprintf("%d of %d tasks failed: no rate", r.Failed, n)
		return append(out, r)
	}
	r.TasksPerSec = stats.TasksPerSec(n, run.WallNS)
	r.FloorRatio = stats.Ratio(r.TasksPerSec, floorRate[0])
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
