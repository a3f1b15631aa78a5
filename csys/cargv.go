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
// The pointer arrays are C memory too, not Go's: a fork child reads them
// in execve, and it may not have the Go heap at all (DontForkGoHeap).
type cArgv struct {
	path *C.char
	args []*C.char // NULL-terminated, in C memory
	env  []*C.char // NULL-terminated, in C memory
	kept []func()  // KeepInForkChildren of each: a fork-exec child reads them
}

func newCArgv(path string, argv []string) *cArgv {
	a := &cArgv{path: C.CString(path)}
	a.args = cStrings(argv)
	a.env = cStrings(os.Environ())
	a.keep(unsafe.Pointer(a.path))
	for _, list := range [][]*C.char{a.args, a.env} {
		a.keep(unsafe.Pointer(&list[0]))
		for _, s := range list {
			if s != nil {
				a.keep(unsafe.Pointer(s))
			}
		}
	}
	return a
}

func (a *cArgv) keep(p unsafe.Pointer) { a.kept = append(a.kept, KeepInForkChildren(p)) }

// cStrings copies ss to a NULL-terminated array of C strings, the array
// itself allocated by C.
func cStrings(ss []string) []*C.char {
	p := C.calloc(C.size_t(len(ss)+1), C.size_t(unsafe.Sizeof((*C.char)(nil))))
	out := unsafe.Slice((**C.char)(p), len(ss)+1)
	for i, s := range ss {
		out[i] = C.CString(s)
	}
	return out
}

func (a *cArgv) argv() **C.char { return &a.args[0] }
func (a *cArgv) envp() **C.char { return &a.env[0] }

func (a *cArgv) free() {
	for _, release := range a.kept {
		release()
	}
	C.free(unsafe.Pointer(a.path))
	for _, list := range [][]*C.char{a.args, a.env} {
		for _, p := range list {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(&list[0]))
	}
}
