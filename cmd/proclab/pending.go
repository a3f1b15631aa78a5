package main

import (
	"os"
	"sync"
)

// pending are the temporary files this process is writing (out.go,
// profile.go) and has not yet renamed into place or removed: an exit
// forced by a repeated signal (signals.go) removes them first, so that no
// .NAME.tmp-* file is left behind.
var pending = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// addPending notes name as written by this process.
func addPending(name string) {
	pending.Lock()
	pending.names[name] = true
	pending.Unlock()
}

// donePending notes that name was renamed into place or removed.
func donePending(name string) {
	pending.Lock()
	delete(pending.names, name)
	pending.Unlock()
}

// removePending removes every temporary file still pending. It keeps the
// lock, so that no file is added after it ran: the process exits next.
func removePending() {
	pending.Lock()
	for name := range pending.names {
		os.Remove(name)
	}
}
