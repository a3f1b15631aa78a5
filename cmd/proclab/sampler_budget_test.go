package main

import (
	"testing"
)

// The sampler's budget holds at any task count: with thousands of short
// fork tasks (50 alive at once) at the default 0.5% budget, everything
// sampling costs (the sampler thread, wake-ups included, and watch and
// unwatch on the create and reap paths) stays near the budget. Before,
// the same run cost 5-8% (8.4% in the issue) with not one sample taken:
// the sampler was woken for every child, and the budget counted 50 queued
// children's lifetimes as CPU (issue 11 item 19). The bound asserted is
// twice the budget (measured 0.3-0.5% on a busy 2-vCPU VM): CPU figures,
// not timings, but a loaded machine moves them.
func TestSamplerBudgetHoldsWithManyTasks(t *testing.T) {
	r := runLab(t, "--method", "fork", "--n-tasks", "2000", "--max-procs", "50", "--n-iters", "1000", "--repeat", "1", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	res := decodeResult(t, r.stdout)
	s := res.Sampler
	if s == nil || s.Budget != 0.005 || s.ChildCPUNS <= 0 {
		t.Fatalf("sampler stats %+v", s)
	}
	t.Logf("sampler: %.2f%% of the children's CPU (%.1f ms of %.0f ms), %d samples, %d skipped",
		100*s.Overhead, float64(s.CPUNS)/1e6, float64(s.ChildCPUNS)/1e6, s.Samples, s.Skipped)
	if s.Overhead > 2*s.Budget {
		t.Errorf("sampling cost %.2f%% of the children's CPU, budget %.1f%%", 100*s.Overhead, 100*s.Budget)
	}
}
