// create.c: the entry points the Go side calls to create a task's process.
// They take only scalars and C memory and return their outcome by value:
// cgo moves every Go variable whose address is passed to C onto the heap,
// so pointer arguments would cost an allocation per task on the create
// path. The worker's argv is formatted here, in the parent, before any
// fork (snprintf-free: a plain decimal formatter).
#include <errno.h>

#include "csys.h"

struct proclab_created proclab_fork_task(uint32_t task, uint64_t n_iters, uint32_t profile_hz,
                                         int skip_mem, int out_fd) {
	struct proclab_task t = {.task = task, .n_iters = n_iters, .profile_hz = profile_hz};
	struct proclab_created c = {0};
	int pid = 0;
	int64_t t0 = 0;
	c.err = proclab_fork_run(&t, out_fd, skip_mem, &pid, &t0);
	c.pid = pid;
	c.t_create_ns = t0;
	return c;
}

// put_u64 writes v in decimal at buf (at least 21 bytes) and returns buf.
static char *put_u64(char *buf, uint64_t v) {
	char tmp[21];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return buf;
}

struct proclab_created proclab_start_worker(int how, const char *path, const char *argv0,
                                            char *const envp[], int32_t lab_pid, uint32_t task,
                                            uint64_t n_iters, uint32_t profile_hz, int out_fd,
                                            int cancel_fd, int timeout_ms) {
	// The argv worker.c's constructor parses:
	// argv0 __proclab_worker <proto> <lab-pid> <task> <n_iters> <profile_hz>
	// (path is what is exec'd: the lab's own image, /proc/self/exe)
	char num[5][24];
	char *argv[] = {
		(char *)argv0,
		PROCLAB_WORKER_ARG,
		put_u64(num[0], PROCLAB_RECORD_VERSION),
		put_u64(num[1], (uint64_t)lab_pid),
		put_u64(num[2], task),
		put_u64(num[3], n_iters),
		put_u64(num[4], profile_hz),
		0,
	};
	struct proclab_created c = {0};
	int pid = 0;
	int64_t t0 = 0;
	switch (how) {
	case PROCLAB_START_SPAWN:
		c.err = proclab_posix_spawn(path, argv, envp, out_fd, &pid, &t0);
		break;
	case PROCLAB_START_FORK_EXEC:
		c.err = proclab_fork_exec(path, argv, envp, out_fd, cancel_fd, timeout_ms, &pid, &t0);
		break;
	default:
		c.err = EINVAL;
	}
	c.pid = pid;
	c.t_create_ns = t0;
	return c;
}
