package csys

// #include "csys.h"
import "C"

import "unsafe"

// cForkserverLayout reports the C compiler's layout of the forkserver's
// messages, so that a test can check forkserver.go's offsets against it.
func cForkserverLayout() map[string]uintptr {
	var h C.struct_proclab_fs_header
	var r C.struct_proclab_fs_ready
	var s C.struct_proclab_fs_start
	var st C.struct_proclab_fs_started
	var x C.struct_proclab_fs_exited
	var k C.struct_proclab_fs_pid
	return map[string]uintptr{
		"header.size":     unsafe.Sizeof(h),
		"header.version":  unsafe.Offsetof(h.version),
		"header.type":     unsafe.Offsetof(h._type),
		"ready.size":      unsafe.Sizeof(r),
		"ready.pid":       unsafe.Offsetof(r.pid),
		"ready.ready_ns":  unsafe.Offsetof(r.ready_ns),
		"start.size":      unsafe.Sizeof(s),
		"start.seq":       unsafe.Offsetof(s.seq),
		"start.task":      unsafe.Offsetof(s.task) + unsafe.Offsetof(s.task.task),
		"start.hz":        unsafe.Offsetof(s.task) + unsafe.Offsetof(s.task.profile_hz),
		"start.n_iters":   unsafe.Offsetof(s.task) + unsafe.Offsetof(s.task.n_iters),
		"started.size":    unsafe.Sizeof(st),
		"started.seq":     unsafe.Offsetof(st.seq),
		"started.task":    unsafe.Offsetof(st.task),
		"started.pid":     unsafe.Offsetof(st.pid),
		"started.err":     unsafe.Offsetof(st.err),
		"started.fork_ns": unsafe.Offsetof(st.fork_ns),
		"exited.size":     unsafe.Sizeof(x),
		"exited.pid":      unsafe.Offsetof(x.pid),
		"exited.status":   unsafe.Offsetof(x.status),
		"exited.user_ns":  unsafe.Offsetof(x.user_ns),
		"exited.sys_ns":   unsafe.Offsetof(x.sys_ns),
		"exited.maxrss":   unsafe.Offsetof(x.maxrss_bytes),
		"exited.minflt":   unsafe.Offsetof(x.minflt),
		"exited.majflt":   unsafe.Offsetof(x.majflt),
		"exited.nvcsw":    unsafe.Offsetof(x.nvcsw),
		"exited.nivcsw":   unsafe.Offsetof(x.nivcsw),
		"exited.reaped":   unsafe.Offsetof(x.reaped_ns),
		"pid.size":        unsafe.Sizeof(k),
		"pid.pid":         unsafe.Offsetof(k.pid),
	}
}
