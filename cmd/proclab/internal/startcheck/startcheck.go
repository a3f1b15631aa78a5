// Package startcheck refuses, with one line and exit status 2, to start
// proclab under resource limits it cannot run in (ulimit -v, ulimit -n),
// before other packages' init functions run: gopsutil's cpu package opens
// /proc/stat in its init, and under ulimit -n 5 that alone aborts the Go
// runtime ("netpollinit failed", 170 lines of trace).
//
// Imported for its side effect by package main. Go initializes packages
// in import-path order among those whose imports are ready (Go 1.21+);
// this one and lab/rlimit import only the standard library, and
// "github.com/proclab/..." sorts before "github.com/shirou/gopsutil/...".
// TestStartcheckInitOrder checks that with GODEBUG=inittrace=1.
package startcheck

import (
	"os"
	"strings"

	"github.com/proclab/proclab/lab/rlimit"
)

func init() {
	// A re-exec'd worker or the forkserver runs the same binary under the
	// lab's own limits, which passed this check; it must not print.
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "__proclab_") {
		return
	}
	if err := rlimit.CheckStart(); err != nil {
		os.Stderr.WriteString("proclab: " + err.Error() + "\n")
		os.Exit(2)
	}
}
