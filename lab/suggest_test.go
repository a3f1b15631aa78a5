package lab

import "testing"

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
	for word, want := range map[string]Method{"posix_spawn": Spawn, "spwan": Spawn, "forkexec": ForkExec,
		"threads": Thread, "py_fork": PyFork, "forksever": Forkserver, "xyzzy": ""} {
		if got := SuggestMethod(word); got != want {
			t.Errorf("SuggestMethod(%q) = %q, want %q", word, got, want)
		}
	}
}
