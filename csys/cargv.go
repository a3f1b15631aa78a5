package csys

// #include <stdlib.h>
// #include "csys.h"
import "C"

import (
	"os"
	"unsafe"
)

// cArgv holds a C copy of a path, an argv and the environment, built before
// any process is created, so the create path itself does not allocate.
type cArgv struct {
	path *C.char
	args []*C.char // NULL-terminated
	env  []*C.char // NULL-terminated
}

func newCArgv(path string, argv []string) *cArgv {
	a := &cArgv{path: C.CString(path)}
	a.args = cStrings(argv)
	a.env = cStrings(os.Environ())
	return a
}

func cStrings(ss []string) []*C.char {
	out := make([]*C.char, len(ss)+1)
	for i, s := range ss {
		out[i] = C.CString(s)
	}
	return out
}

func (a *cArgv) argv() **C.char { return (**C.char)(unsafe.Pointer(&a.args[0])) }
func (a *cArgv) envp() **C.char { return (**C.char)(unsafe.Pointer(&a.env[0])) }

func (a *cArgv) free() {
	C.free(unsafe.Pointer(a.path))
	for _, p := range a.args {
		C.free(unsafe.Pointer(p))
	}
	for _, p := range a.env {
		C.free(unsafe.Pointer(p))
	}
}
