// Package workerinit starts a re-exec'd worker's task as soon as the Go
// runtime is up, before the package inits of the rest of the program.
//
// Go initializes packages in the order of their import paths, each once
// its imports are (the Go spec, since Go 1.21). A worker's task used to
// start in csys's init, after the ~50 packages whose paths sort before
// github.com/proclab/proclab/csys or that csys waits for (gonum/plot's
// LaTeX symbol tables, encoding/gob, crypto, ...): 0.3-0.4 ms of every
// exec'd worker's start that was this program's doing, not Go's. This
// package imports nothing that needs an init (not even cgo, which imports
// syscall), so it is ready right after the runtime; the packages whose
// paths sort before it are not, yet, since they wait for sync, os or
// reflect, which sort after github.com: it is the 5th init of 106.
//
// It calls csys's workerMain, which csys pushes by go:linkname;
// workerMain reads C globals only (worker.c), so it may run before csys's
// own init. csys's init calls it too, for programs that do not import
// this package (csys's and lab's test binaries, which double as workers).
package workerinit

import _ "unsafe" // for go:linkname

// workerMain is csys's: in a worker it runs the task and never returns;
// in any other process it returns at once.
//
//go:linkname workerMain github.com/proclab/proclab/csys.workerMain
func workerMain()

func init() { workerMain() }
