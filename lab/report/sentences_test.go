package report

import (
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// gridResult is a compare result of the given cells (Crossovers from
// stats, as the lab fills them).
func gridResult(cells ...results.Cell) *results.Result {
	res := &results.Result{Schema: results.Schema, Cells: cells, Crossover: stats.Crossovers(cells)}
	for _, c := range cells {
		res.Spec.NItersGrid = appendNew(res.Spec.NItersGrid, c.NIters)
	}
	return res
}

func appendNew[T comparable](xs []T, x T) []T {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func cell(nt int, ni uint64, single, multi, thread int64) results.Cell {
	c := results.Cell{NTasks: nt, NIters: ni, Method: results.PyFork, SingleNS: single, MultiNS: multi, ThreadNS: thread,
		Parallelism: min(nt, 2), Rounds: 3}
	c.Speedup = stats.Ratio(float64(single), float64(multi))
	c.ThreadUp = stats.Ratio(float64(single), float64(thread))
	c.Efficiency = c.Speedup / float64(c.Parallelism)
	return c
}

func joined(lines []string) string { return strings.Join(lines, "\n") }

// The issue's sentence: "With 1 tasks, py-fork processes start to pay off
// at n_iters = 100k (41.6ms per task in one process)" quoted the 4-task
// cell divided by 4 while the 1-task cell is 96.6 ms. Each n_tasks' sentence
// quotes its own cell, and says "1 task".
func TestSpeedupSentenceQuotesItsOwnCell(t *testing.T) {
	res := gridResult(
		cell(1, 10_000, 10e6, 30e6, 10e6), cell(1, 100_000, 96.6e6, 80e6, 96e6),
		cell(4, 10_000, 40e6, 50e6, 40e6), cell(4, 100_000, 166.4e6, 60e6, 170e6),
	)
	md := joined(speedupSentences(res))
	if !strings.Contains(md, "With 1 task, py-fork processes start to pay off at **n_iters = 100k** (speedup 1.21× there; one process takes 96.6ms per task)") {
		t.Errorf("1 task's sentence:\n%s", md)
	}
	if !strings.Contains(md, "With 4 tasks, py-fork processes start to pay off at **n_iters = 100k** (speedup 2.77× there; one process takes 41.6ms per task)") {
		t.Errorf("4 tasks' sentence:\n%s", md)
	}
	if strings.Contains(md, "1 tasks") {
		t.Errorf("'1 tasks':\n%s", md)
	}
}

// "4 processes finish 0.97x faster" read as a gain; a speedup below 1 is a
// loss, within 5% of 1 a tie.
func TestSpeedupWords(t *testing.T) {
	for _, c := range []struct {
		single, multi int64
		want          string
	}{
		{100, 50, "finish 2.00× faster than"},
		{97, 100, "finish about as fast as (0.97×)"},
		{80, 100, "take 1.25× as long as"},
	} {
		res := gridResult(cell(4, 1000, 10, 20, 10), cell(4, 1_000_000, c.single, c.multi, c.single))
		md := joined(speedupSentences(res))
		if !strings.Contains(md, "4 processes "+c.want+" one process") {
			t.Errorf("speedup %d/%d: want %q in\n%s", c.single, c.multi, c.want, md)
		}
		if strings.Contains(md, "0.97× faster") || strings.Contains(md, "0.80× faster") {
			t.Errorf("a loss read as faster:\n%s", md)
		}
	}
}

// Ties are said apart: speedups 0.9, 1.04, 1.3 at 10k, 100k, 1M cross 1
// near 52k, pay off clearly from 1M on, and tie at 100k.
func TestCrossoverSentences(t *testing.T) {
	res := gridResult(cell(2, 10_000, 90, 100, 100), cell(2, 100_000, 104, 100, 100), cell(2, 1_000_000, 130, 100, 100))
	md := joined(speedupSentences(res))
	for _, want := range []string{"start to pay off at **n_iters = 1M**", "crosses 1× at n_iters ≈ 52k with 2 tasks", "a tie rather than a win or a loss: n_iters 100k with 2 tasks"} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q:\n%s", want, md)
		}
	}
}

// sweep is a parent sweep with the given median startups (ns) per method
// at 1 and 3 GiB.
func sweep(at map[results.Method][2]int64) *results.Result {
	res := &results.Result{Schema: results.Schema, Spec: results.SpecInfo{NTasks: 1, NIters: 1000, ParentRSSBytes: []int64{1 << 30, 3 << 30}}}
	for _, m := range []results.Method{results.Fork, results.ForkExec, results.Spawn} {
		v, ok := at[m]
		if !ok {
			continue
		}
		res.Spec.Methods = append(res.Spec.Methods, m)
		for i, size := range res.Spec.ParentRSSBytes {
			r := results.RunResult{Method: m, NTasks: 1, NIters: 1000, ParentRSSBytes: size, WallNS: v[i] + 1000,
				Tasks: []results.Task{{StartupNS: ns(v[i]), TotalNS: v[i] + 1000, ChecksumOK: results.Ptr(true)}}}
			res.Runs = append(res.Runs, r)
		}
	}
	return res
}

// "fork-exec grows 1.1x as fast as fork … paid for twice" printed whenever
// both slopes were positive: "paid for twice" only when fork-exec's slope
// is clearly above fork's, and the ratio is stats'.
func TestParentSentences(t *testing.T) {
	twice := joined(parentSentences(sweep(map[results.Method][2]int64{
		results.Fork: {20e6, 60e6}, results.ForkExec: {30e6, 110e6}, results.Spawn: {1e6, 1.1e6}})))
	for _, want := range []string{"**fork grows with the parent**: a median 20.0ms at 1GiB, 60.0ms at 3GiB, about 20.0ms more per GiB",
		"fork-exec grows 2.0× as fast as fork (40.0ms against 20.0ms per GiB)", "paid for twice",
		"Startup grows far less for spawn (1.00ms at 1GiB, 1.10ms at 3GiB)", "With 3GiB in the parent, spawn starts 55× sooner than fork (1.10ms against 60.0ms)"} {
		if !strings.Contains(twice, want) {
			t.Errorf("lacks %q:\n%s", want, twice)
		}
	}
	alike := joined(parentSentences(sweep(map[results.Method][2]int64{results.Fork: {20e6, 60e6}, results.ForkExec: {22e6, 66e6}})))
	if strings.Contains(alike, "paid for twice") || !strings.Contains(alike, "fork-exec grows 1.1× as fast as fork") {
		t.Errorf("slopes 22 and 20 ms/GiB:\n%s", alike)
	}
}

// The startup sentences rank by stats' medians and say the ratios stats
// computed; a failed task is in none of them.
func TestStartupSentences(t *testing.T) {
	res := oneRun(results.Fork, []int64{0}, 300_000, 320_000, 340_000)
	sp := oneRun(results.Spawn, []int64{0}, 1_500_000, 1_600_000, 1_700_000)
	th := oneRun(results.Thread, []int64{0}, 10_000, 10_000, 10_000)
	res.Runs = append(res.Runs, sp.Runs[0], th.Runs[0])
	res.Spec.Methods = []results.Method{results.Fork, results.Spawn, results.Thread}
	res.Runs[0].Tasks[2].Error = "killed by SIGKILL"
	res.Runs[0].Tasks[2].StartupNS = ns(90_000_000)
	md := joined(startupSentences(res))
	for _, want := range []string{"**fork** starts fastest on this machine: a median 310µs", "2 tasks)",
		"spawn 5.2× as long (1.60ms)", "A goroutine (thread) is running its task after a median 10.0µs, 31× sooner than fork"} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q:\n%s", want, md)
		}
	}
}

// The memory sentence says what a fork child's peak is.
func TestMemorySentenceSaysWhatHWMIs(t *testing.T) {
	md := joined(rssSentences(oneRun(results.Fork, []int64{0}, 1000, 2000)))
	if !strings.Contains(md, "a fork child's starts at the lab's pages it maps") || strings.Contains(md, "never the lab's") {
		t.Errorf("memory sentence:\n%s", md)
	}
}

// The summary lines of a single method are per parent size, of what
// counts, and say what they left out.
func TestSummaryLinesPerParentSize(t *testing.T) {
	res := oneRun(results.Fork, []int64{0, 256 << 20}, 300_000, 320_000)
	res.Runs[1].Tasks[0].StartupNS = ns(30_000_000)
	res.Runs[1].Tasks[0].Error = "killed"
	var b strings.Builder
	summaryLines(&b, res)
	out := b.String()
	for _, want := range []string{
		"The start method is fork, the parent holding 0B\nAverage execution time:    0.00200 sec  (wall per run of 2 tasks, mean of 1 run)\nMedian startup latency:    0.31000 ms",
		"The start method is fork, the parent holding 256MiB\nAverage execution time: none: no run ended with every task well; 1 run left out",
		"Median startup latency:    0.32000 ms   (p10 320µs, p90 320µs, 1 task; 1 task left out",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, " 1 runs") || strings.Contains(out, " 1 tasks") {
		t.Errorf("a singular counted as plural:\n%s", out)
	}
	if n := strings.Count(out, "Median startup latency"); n != 2 {
		t.Errorf("%d startup lines, want one per parent size:\n%s", n, out)
	}
}
