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
// counterpart of a child's wait4 rusage. With t->profile_hz > 0 the loop is
// sampled into pcs (room for cap PCs) by a timer of this thread's own
// (inprof.c); pcs is only written during the call.
void proclab_task_inproc(const struct proclab_task *t, struct proclab_inproc *out,
                         uint64_t *pcs, uint32_t cap) {
	struct rusage r0, r1;
	struct proclab_thread_prof prof = {.pcs = pcs, .cap = cap};
	timer_t timer;
	int profiling = 0;
	out->prof_err = 0;
	out->task_start_ns = proclab_now_ns();
	getrusage(RUSAGE_THREAD, &r0);
	if (t->profile_hz > 0 && pcs != NULL) {
		out->prof_err = proclab_thread_prof_start(&prof, t->profile_hz, &timer);
		profiling = out->prof_err == 0;
	}
	out->checksum = proclab_hot_loop(t->n_iters);
	if (profiling)
		proclab_thread_prof_stop(timer);
	getrusage(RUSAGE_THREAD, &r1);
	out->task_end_ns = proclab_now_ns();
	out->n_samples = prof.n;
	out->samples_dropped = prof.dropped;
	out->tid = (int32_t)gettid();
	out->user_ns = tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime);
	out->sys_ns = tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime);
	out->minflt = r1.ru_minflt - r0.ru_minflt;
	out->majflt = r1.ru_majflt - r0.ru_majflt;
	out->nvcsw = r1.ru_nvcsw - r0.ru_nvcsw;
	out->nivcsw = r1.ru_nivcsw - r0.ru_nivcsw;
}
