package main

import (
	"errors"
	"syscall"
)

// A reader of stdout may leave before the lab has written all (proclab
// --json | head -1, a pager quit early). Go would die of SIGPIPE on that
// write to fd 1 unless SIGPIPE is watched (os/signal: "If the program is
// not calling Notify for SIGPIPE, a write to a broken pipe on fd 1 or 2
// exits the program"); watchInterrupts watches it, so the write fails
// with EPIPE instead, and readerLeft says that this is not a failure of
// the lab: the files of --out are written before stdout, and the exit
// status is what it would have been had the reader stayed.

// readerLeft reports whether err is a write to a pipe whose reader has
// gone.
func readerLeft(err error) bool { return errors.Is(err, syscall.EPIPE) }
