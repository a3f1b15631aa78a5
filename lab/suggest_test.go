package lab

import (
	"testing"

	"github.com/proclab/proclab/lab/results"
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
