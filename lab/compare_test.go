package lab

import (
	"context"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
	"math"
	"testing"
)

// A small real grid: every cell has its three medians, the speedup and
// efficiency follow from them, and no child is left behind.
func TestCompareGrid(t *testing.T) {
	var calls, last, total int
	spec := CompareSpec{NIters: []uint64{200_000, 1000}, NTasks: []int{2, 1}, Repeat: 2, CPUs: 2,
		Progress: func(done, tot int) { calls++; last, total = done, tot }}
	res, err := Compare(context.Background(), spec)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	assertNoChildren(t)
	if len(res.Runs) != 4*3*2 {
		t.Fatalf("%d runs, want 24 (4 cells × 3 methods × 2 rounds)", len(res.Runs))
	}
	if calls != 24 || last != 24 || total != 24 {
		t.Errorf("progress: %d calls, last %d of %d; want 24 of 24", calls, last, total)
	}
	want := []struct {
		nt int
		ni uint64
	}{{1, 1000}, {1, 200_000}, {2, 1000}, {2, 200_000}}
	if len(res.Cells) != len(want) {
		t.Fatalf("%d cells, want %d: %+v", len(res.Cells), len(want), res.Cells)
	}
	for i, c := range res.Cells {
		if c.NTasks != want[i].nt || c.NIters != want[i].ni {
			t.Errorf("cell %d is (%d, %d), want (%d, %d): sorted by n_tasks then n_iters", i, c.NTasks, c.NIters, want[i].nt, want[i].ni)
		}
		if c.SingleNS <= 0 || c.MultiNS <= 0 || c.ThreadNS <= 0 || c.Method != results.Fork || c.Rounds != 2 {
			t.Errorf("cell %d: %+v", i, c)
		}
		if math.Abs(c.Speedup-float64(c.SingleNS)/float64(c.MultiNS)) > 1e-3*c.Speedup {
			t.Errorf("cell %d: speedup %v is not single/multi", i, c.Speedup)
		}
		if c.Parallelism != min(c.NTasks, 2) || math.Abs(c.Efficiency-c.Speedup/float64(c.Parallelism)) > 1e-9 {
			t.Errorf("cell %d: efficiency %v parallelism %d", i, c.Efficiency, c.Parallelism)
		}
	}
	// Single work grows with n_iters: 200 times the iterations cost far
	// more of the loop's own CPU (CPU time: a loaded machine can make one
	// short run's wall time anything).
	cpuAt := func(ni uint64) float64 {
		g, _ := stats.Find(stats.Groups(res), stats.Key{Method: results.Single, NTasks: 2, NIters: ni})
		return stats.Median(stats.Values(g.Runs, stats.TaskCPU))
	}
	if small, large := cpuAt(1000), cpuAt(200_000); !(large > 20*small) {
		t.Errorf("single's task CPU at 200k iterations (%.0f ns) is not clearly above that at 1000 (%.0f ns)", large, small)
	}
	if len(res.Crossover) != 2 || res.Crossover[0].NTasks != 1 || res.Crossover[1].NTasks != 2 {
		t.Errorf("crossovers %+v, want one per n_tasks", res.Crossover)
	}
	if got := res.Spec.NItersGrid; len(got) != 2 || got[0] != 1000 || got[1] != 200_000 {
		t.Errorf("n_iters grid %v", got)
	}
}

func TestCompareSpecValidate(t *testing.T) {
	for _, s := range []CompareSpec{
		{NTasks: []int{1}},
		{NIters: []uint64{1}},
		{NIters: []uint64{0}, NTasks: []int{1}},
		{NIters: []uint64{1}, NTasks: []int{0}},
		{NIters: []uint64{1}, NTasks: []int{1}, Method: results.Thread},
		{NIters: []uint64{1}, NTasks: []int{1}, Method: "vfork"},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}
