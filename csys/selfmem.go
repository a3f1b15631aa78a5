package csys

// #include <stdlib.h>
// #include "csys.h"
import "C"

import "unsafe"

// kibField parses "<key> <n> kB" out of a /proc text the way a child does
// (selfmem.c): bytes, or -1 when there is no such line. For tests of the
// C parser, which test files cannot call.
func kibField(text, key string) int64 {
	t, k := C.CString(text), C.CString(key)
	defer C.free(unsafe.Pointer(t))
	defer C.free(unsafe.Pointer(k))
	return int64(C.proclab_kib_field(t, k))
}
