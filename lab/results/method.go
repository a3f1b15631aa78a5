package results

import (
	"slices"
	"strings"
)

// Method is a way to start the work of one task: one row of the results.
type Method string

// The lab's start methods (DESIGN.md).
const (
	Fork       Method = "fork"       // fork(); the child runs the loop in place
	ForkExec   Method = "fork-exec"  // fork() then execve() of the worker
	Spawn      Method = "spawn"      // posix_spawn() of the worker
	Forkserver Method = "forkserver" // a small server forks each child
	Exec       Method = "exec"       // Go's os/exec starting the worker
	Thread     Method = "thread"     // a goroutine per task, no process
	Single     Method = "single"     // the tasks one after another in the lab
)

// Python's own multiprocessing start methods, driven by the lab with the
// same clock and the same task (the loop's algorithm in pure Python):
// the tutorial proclab grew from, measured with the lab's instruments.
const (
	PyFork       Method = "py-fork"       // multiprocessing, start method fork
	PySpawn      Method = "py-spawn"      // multiprocessing, start method spawn
	PyForkserver Method = "py-forkserver" // multiprocessing, start method forkserver
	PyThread     Method = "py-thread"     // threading.Thread per task in one Python process (the GIL)
	PySingle     Method = "py-single"     // the tasks one after another in one Python process
)

// Methods lists the lab's own methods in the order tables show them.
var Methods = []Method{Fork, ForkExec, Spawn, Forkserver, Exec, Thread, Single}

// PythonMethods are the Python rows `--method all` includes when python3
// is found.
var PythonMethods = []Method{PyFork, PySpawn, PyForkserver}

// PythonInProcess are the Python methods that start no process per task;
// `compare --method py-*` runs them as its single and thread columns.
var PythonInProcess = []Method{PyThread, PySingle}

// KnownMethods is every method there is, in the order tables show them:
// the lab's, then Python's.
func KnownMethods() []Method {
	return slices.Concat(Methods, PythonMethods, PythonInProcess)
}

// Valid reports whether m is a known method.
func (m Method) Valid() bool { return slices.Contains(KnownMethods(), m) }

// CreatesProcess reports whether m starts a child process per task.
func (m Method) CreatesProcess() bool {
	return m.Valid() && m != Thread && m != Single && m != PyThread && m != PySingle
}

// IsPython reports whether m runs in Python (the lab's Python driver).
func (m Method) IsPython() bool {
	return slices.Contains(PythonMethods, m) || slices.Contains(PythonInProcess, m)
}

// Order is m's place in the order tables show methods in (KnownMethods);
// an unknown method sorts last.
func (m Method) Order() int {
	if i := slices.Index(KnownMethods(), m); i >= 0 {
		return i
	}
	return len(KnownMethods())
}

// SingleOf and ThreadOf are the in-process rows a process method is
// compared with in a compare grid: the lab's own for its methods, Python's
// for Python's (one Python process running the tasks one after another,
// and Python threads under the GIL).
func SingleOf(m Method) Method {
	if m.IsPython() {
		return PySingle
	}
	return Single
}

// ThreadOf: see SingleOf.
func ThreadOf(m Method) Method {
	if m.IsPython() {
		return PyThread
	}
	return Thread
}

// MethodNames is every known method's name, comma-separated.
func MethodNames() string {
	var names []string
	for _, m := range KnownMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// What a fork child gets of the lab's own Go heap (SpecInfo.ForkLabHeap,
// --fork-lab-heap).
const (
	// ForkLabHeapDontFork: the Go heap, and the runtime's own memory about
	// it (span records, GC bitmaps, profiling buckets), are marked
	// MADV_DONTFORK before each run, so fork children, the in-lab floors
	// and calibrate's fork loops start without them; the ballast, the
	// binary, C's heap and thread stacks are inherited as always. The
	// default: that memory is the instrument's (results, buffers, the
	// libraries' caches), no child can use it (fork children run only C),
	// and it grows as the lab runs (0.6 to 1.9 MiB over the first 20 runs
	// of a fork run here), so inheriting it would make a fork's cost
	// depend on how long the lab has been running rather than on the
	// parent asked for.
	ForkLabHeapDontFork = "dontfork"
	// ForkLabHeapInherit: fork children inherit the whole lab, Go heap
	// included, as a plain fork() of any Go program would.
	ForkLabHeapInherit = "inherit"
)
