package csys

// #include "csys.h"
import "C"

import "unsafe"

// cRecordLayout reports the C compiler's layout of struct proclab_record
// (cgo mirrors it exactly), so a test can check record.go's offsets against
// it; test files cannot use cgo.
func cRecordLayout() map[string]uintptr {
	var r C.struct_proclab_record
	return map[string]uintptr{
		"size":             unsafe.Sizeof(r),
		"version":          unsafe.Offsetof(r.version),
		"task":             unsafe.Offsetof(r.task),
		"pid":              unsafe.Offsetof(r.pid),
		"n_iters":          unsafe.Offsetof(r.n_iters),
		"checksum":         unsafe.Offsetof(r.checksum),
		"exec_done_ns":     unsafe.Offsetof(r.exec_done_ns),
		"runtime_ready_ns": unsafe.Offsetof(r.runtime_ready_ns),
		"task_start_ns":    unsafe.Offsetof(r.task_start_ns),
		"task_end_ns":      unsafe.Offsetof(r.task_end_ns),
		"text_base":        unsafe.Offsetof(r.text_base),
		"profile_hz":       unsafe.Offsetof(r.profile_hz),
		"n_samples":        unsafe.Offsetof(r.n_samples),
		"samples_dropped":  unsafe.Offsetof(r.samples_dropped),
		"mem_err":          unsafe.Offsetof(r.mem_err),
		"task_cpu_ns":      unsafe.Offsetof(r.task_cpu_ns),
		"mem_read_ns":      unsafe.Offsetof(r.mem_read_ns),
		"hwm_bytes":        unsafe.Offsetof(r.hwm_bytes),
		"end_rss_bytes":    unsafe.Offsetof(r.end_rss_bytes),
		"end_pss_bytes":    unsafe.Offsetof(r.end_pss_bytes),
		"end_uss_bytes":    unsafe.Offsetof(r.end_uss_bytes),
	}
}
