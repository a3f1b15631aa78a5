// inproc.c: running a task in the calling thread (methods thread, single).
#define _GNU_SOURCE
#include <sys/resource.h>
#include <unistd.h>

#include "csys.h"

static int64_t tv_ns(struct timeval tv) {
	return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

// proclab_task_inproc runs task t in the calling thread and reports the
// thread's own resource usage over it (RUSAGE_THREAD), the in-process
// counterpart of a child's wait4 rusage.
void proclab_task_inproc(const struct proclab_task *t, struct proclab_inproc *out) {
	struct rusage r0, r1;
	out->task_start_ns = proclab_now_ns();
	getrusage(RUSAGE_THREAD, &r0);
	out->checksum = proclab_hot_loop(t->n_iters);
	getrusage(RUSAGE_THREAD, &r1);
	out->task_end_ns = proclab_now_ns();
	out->tid = (int32_t)gettid();
	out->user_ns = tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime);
	out->sys_ns = tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime);
	out->minflt = r1.ru_minflt - r0.ru_minflt;
	out->majflt = r1.ru_majflt - r0.ru_majflt;
	out->nvcsw = r1.ru_nvcsw - r0.ru_nvcsw;
	out->nivcsw = r1.ru_nivcsw - r0.ru_nivcsw;
}
