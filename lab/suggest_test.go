package lab

import (
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	names := []string{"n-tasks", "n-iters", "method", "repeat", "warmup", "parent-rss"}
	for word, want := range map[string]string{
		"n-task": "n-tasks", "methods": "method", "repeats": "repeat", "n-itres": "n-iters",
		"warmpu": "warmup", "parent": "parent-rss", "zzz": "", "timeout": "",
	} {
		if got := Nearest(word, names); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", word, got, want)
		}
	}
	for word, want := range map[string]results.Method{"posix_spawn": results.Spawn, "spwan": results.Spawn, "forkexec": results.ForkExec,
		"threads": results.Thread, "py_fork": results.PyFork, "forksever": results.Forkserver, "xyzzy": ""} {
		if got := SuggestMethod(word); got != want {
			t.Errorf("SuggestMethod(%q) = %q, want %q", word, got, want)
		}
	}
}

// Noise warnings do not suggest a --warmup the run had, and tasks that
// wait for a CPU (n_tasks above the CPUs) are said once, not called noise.
func TestNoiseWarningsKnowTheRun(t *testing.T) {
	noisy := []stats.MethodStat{{Method: results.Fork, Startup: stats.Summary{N: 20, Outliers: 6},
		Wall: stats.Summary{N: 10, Mean: 100, Stddev: 50}}}
	has := func(ws []string, sub string) bool {
		for _, w := range ws {
			if strings.Contains(w, sub) {
				return true
			}
		}
		return false
	}
	if ws := stats.NoiseWarnings(noisy, 0, 2, 2); !has(ws, "add --warmup 2") || !has(ws, "outliers") {
		t.Errorf("no warmup: %q", ws)
	}
	if ws := stats.NoiseWarnings(noisy, 2, 2, 2); has(ws, "--warmup") || !has(ws, "raise --repeat") {
		t.Errorf("warmup 2 had: %q", ws)
	}
	ws := stats.NoiseWarnings(noisy, 2, 4, 2)
	if has(ws, "outliers") || !has(ws, "more tasks than the 2 CPUs") || len(ws) != 2 {
		t.Errorf("more tasks than CPUs: %q", ws)
	}
}
