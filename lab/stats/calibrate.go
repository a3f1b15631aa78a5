package stats

import (
	"fmt"

	"github.com/proclab/proclab/lab/results"
)

// Calibrate's goals: how close to the machine's floor proclab's own fork
// must be, startup and total per task (issue 13's 1.10x).
const (
	GoalForkStartupRatio = 1.10
	GoalForkTotalRatio   = 1.10
)

// FloorSample is one sample of a C floor loop: the figures of one child.
type FloorSample struct {
	StartupNS int64 // 0 when the program writes no stamp
	TotalNS   int64
	MinFlt    int64
}

// FloorOf summarises a floor loop's samples: the medians of every round.
// Its startup is null unless every sample has one (a program that writes
// no stamp has none).
func FloorOf(name, program string, samples []FloorSample, err error) results.Floor {
	out := results.Floor{Name: name, Program: program, N: len(samples)}
	if err != nil {
		out.Error = err.Error()
	}
	var st, tt, mf []float64
	for _, s := range samples {
		if s.StartupNS > 0 {
			st = append(st, float64(s.StartupNS))
		}
		tt = append(tt, float64(s.TotalNS))
		mf = append(mf, float64(s.MinFlt))
	}
	out.MinFlt = Median(mf)
	if len(st) > 0 && len(st) == len(tt) {
		out.StartupNS = results.Ptr(Median(st))
	}
	out.TotalNS = Median(tt)
	return out
}

// FloorNoise says, when a floor's totals spread widely, that the ratios of
// the run say more about the machine's other load than about proclab; ""
// otherwise.
func FloorNoise(name string, totals []float64) string {
	s := Summarize(totals)
	if s.N >= 10 && s.Median > 0 && s.P90/s.Median > 2 {
		return fmt.Sprintf("%s: p90 is %.1fx the median; the machine is noisy: rerun on a quiet machine or raise --n", name, s.P90/s.Median)
	}
	return ""
}

// Overhead is method m's figures on a near-empty task beside floor f: the
// medians of its tasks that count, and each over the floor's as a ratio
// and a difference. tasks are every recorded task of m; the ones that do
// not count are its Failed.
func Overhead(m results.Method, f results.Floor, tasks []results.Task) results.MethodOverhead {
	mo := results.MethodOverhead{Method: m, Floor: f.Name}
	run := &results.RunResult{Tasks: tasks}
	counted := RunValues(run, Total)
	mo.N = len(counted)
	mo.Failed = len(tasks) - mo.N
	if mo.N == 0 {
		return mo
	}
	mo.StartupNS = Median(RunValues(run, Startup))
	mo.TotalNS = Median(counted)
	mo.MinFlt = Median(RunValues(run, MinFlt))
	if xs := RunValues(run, ExecDone); len(xs) > 0 {
		mo.ExecDoneNS = results.Ptr(Median(xs))
	}
	if xs := RunValues(run, RuntimeReady); len(xs) > 0 {
		mo.RuntimeReadyNS = results.Ptr(Median(xs))
	}
	if f.StartupNS != nil && *f.StartupNS > 0 && mo.StartupNS > 0 {
		mo.StartupRatio = Ratio(mo.StartupNS, *f.StartupNS)
		mo.StartupOverNS = mo.StartupNS - *f.StartupNS
	}
	if f.TotalNS > 0 {
		mo.TotalRatio = Ratio(mo.TotalNS, f.TotalNS)
		mo.TotalOverNS = mo.TotalNS - f.TotalNS
	}
	return mo
}

// Goals are calibrate's verdicts: fork's startup and total per task
// against their floor.
func Goals(methods []results.MethodOverhead) []results.Goal {
	var out []results.Goal
	for _, mo := range methods {
		if mo.Method != results.Fork || mo.N == 0 {
			continue
		}
		if mo.StartupRatio > 0 {
			out = append(out, results.Goal{Name: "fork startup", Ratio: mo.StartupRatio, Limit: GoalForkStartupRatio,
				Met: mo.StartupRatio <= GoalForkStartupRatio})
		}
		if mo.TotalRatio > 0 {
			out = append(out, results.Goal{Name: "fork total per task", Ratio: mo.TotalRatio, Limit: GoalForkTotalRatio,
				Met: mo.TotalRatio <= GoalForkTotalRatio})
		}
	}
	return out
}

// TasksPerSec is n tasks over a wall of wallNS nanoseconds: every tasks/s
// proclab prints (rate, calibrate's rate rows); 0 without a wall.
func TasksPerSec(n int, wallNS int64) float64 {
	if wallNS <= 0 || n <= 0 {
		return 0
	}
	return float64(n) / (float64(wallNS) / 1e9)
}
