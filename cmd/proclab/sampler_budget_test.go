package main

import (
	"testing"
)

// The sampler's budget is a cap at any task count: with thousands of
// short fork tasks (50 alive at once) at the default 0.5% budget,
// everything sampling costs (its looks, the decisions to skip, and watch
// and unwatch on the create and reap paths) stays within the budget of
// the children's CPU the run itself measured. Before, the same run cost
// 5-8% (issue 11), then 0.8-1.4% with not one sample taken (issue 21:
// every look woke a thread locked for the sampler, 0.2-4 ms each after a
// storm of forks, and the last one, when the run ended, up to 8 ms).
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
	if s.Overhead > s.Budget {
		t.Errorf("sampling cost %.2f%% of the children's CPU, budget %.1f%%", 100*s.Overhead, 100*s.Budget)
	}
}
