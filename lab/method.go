package lab

import (
	"fmt"
	"slices"
	"strings"
)

// Method is a way to start the work of one task.
type Method string

// The start methods (see DESIGN.md).
const (
	Fork       Method = "fork"       // fork(); the child runs the loop in place
	ForkExec   Method = "fork-exec"  // fork() then execve() of the worker
	Spawn      Method = "spawn"      // posix_spawn() of the worker
	Forkserver Method = "forkserver" // a small server forks each child
	Exec       Method = "exec"       // Go's os/exec starting the worker
	Thread     Method = "thread"     // a goroutine per task, no process
	Single     Method = "single"     // the tasks one after another in the lab
)

// Methods lists every method in the order tables show them.
var Methods = []Method{Fork, ForkExec, Spawn, Forkserver, Exec, Thread, Single}

// CreatesProcess reports whether m starts a child process per task.
func (m Method) CreatesProcess() bool {
	return m != Thread && m != Single && m != PyThread && m != PySingle
}

// Valid reports whether m is a known method.
func (m Method) Valid() bool {
	return slices.Contains(Methods, m) || m.IsPython()
}

// ParseMethods reads "all" or a comma-separated list of method names. A
// method named twice ("fork,fork") is refused rather than merged: each
// method is one row of the results, and more rounds come from Repeat.
func ParseMethods(s string) ([]Method, error) {
	if strings.TrimSpace(s) == "all" {
		return AllMethods(), nil
	}
	var out []Method
	for _, f := range strings.Split(s, ",") {
		m := Method(strings.TrimSpace(f))
		if !m.Valid() {
			if hint := SuggestMethod(string(m)); hint != "" {
				return nil, fmt.Errorf("unknown method %q: did you mean %s? (want all or a list of: %s)", string(m), hint, methodNames())
			}
			return nil, fmt.Errorf("unknown method %q (want all or a list of: %s)", string(m), methodNames())
		}
		if slices.Contains(out, m) {
			return nil, fmt.Errorf("%s is named twice; name each method once (each is one row of the results; --repeat gives more rounds)", m)
		}
		out = append(out, m)
	}
	return out, nil
}

// AllMethods is what `--method all` runs: every method, and Python's
// multiprocessing start methods when python3 is found.
func AllMethods() []Method {
	all := append([]Method(nil), Methods...)
	if _, err := Python(); err == nil {
		all = append(all, PythonMethods...)
	}
	return all
}

// KnownMethods is every method --method accepts, in the order tables show
// them: the lab's, then Python's.
func KnownMethods() []Method {
	return slices.Concat(Methods, PythonMethods, pythonInProcess)
}

func methodNames() string {
	var names []string
	for _, m := range KnownMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}
