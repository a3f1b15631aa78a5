package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A worker's task starts in one of the program's first package inits
// (csys/workerinit), not after the ~100 package inits of the rest of the
// program: in the binary users run, workerinit is initialized right after
// the runtime, and long before csys (where the task used to start) and the
// libraries that sort before it.
func TestWorkerInitFirst(t *testing.T) {
	cmd := exec.Command(labBin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var order []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "init" {
			order = append(order, f[1])
		}
	}
	pos := func(pkg string) int {
		for i, p := range order {
			if p == pkg {
				return i
			}
		}
		return -1
	}
	wi, cs := pos("github.com/proclab/proclab/csys/workerinit"), pos("github.com/proclab/proclab/csys")
	if wi < 0 || cs < 0 {
		t.Fatalf("workerinit at %d, csys at %d in %d inits", wi, cs, len(order))
	}
	if wi > 5 {
		t.Errorf("workerinit is init %d of %d, after %v: want it right after the runtime's own", wi, len(order), order[:wi])
	}
	t.Logf("workerinit is init %d, csys %d, of %d", wi, cs, len(order))
}
