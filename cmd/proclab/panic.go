package main

import (
	"fmt"
	"io"
	"strings"
)

// recoverPanic, deferred at the top of proclab, turns a panic (a bug: no
// renderer should panic on any result) into one line on stderr and exit
// status 1, not a trace and Go's status 2, which means bad input here.
// By then every child is reaped (lab.Run's defers) and writeFile has
// removed its temporary file (out.go).
func recoverPanic(stderr io.Writer, code *int) {
	if p := recover(); p != nil {
		fmt.Fprintf(stderr, "proclab: internal error (a bug, please report it): %s\n", oneLine(fmt.Sprint(p)))
		*code = 1
	}
}

// oneLine joins the lines of s.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
