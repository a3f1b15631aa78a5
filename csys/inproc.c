// inproc.c: running a task in the calling thread (methods thread, single).
#define _GNU_SOURCE
#include <sys/resource.h>
#include <unistd.h>

#include "csys.h"

static int64_t tv_ns(struct timeval tv) {
	return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

// proclab_hot_loop_stoppable runs proclab_hot_loop with stop as this
// thread's stop flag (hotloop.c), so the one hot loop, under its one name,
// serves tasks that must be stoppable too.
uint64_t proclab_hot_loop_stoppable(uint64_t n_iters, const volatile uint32_t *stop,
                                    uint64_t *done) {
	proclab_hot_loop_stop = stop;
	uint64_t sum = proclab_hot_loop(n_iters);
	proclab_hot_loop_stop = 0;
	*done = proclab_hot_loop_done;
	return sum;
}

// proclab_task_inproc runs task t in the calling thread until it is done or
// *stop becomes nonzero (read every PROCLAB_STOP_EVERY iterations: a thread
// of the lab cannot be killed), and reports:
//   - the task's CPU time from the thread's CPU clock around the loop
//     (exact, and current; RUSAGE_THREAD alone leaves out the running slice
//     until something updates it, so the clock is also read before each
//     getrusage, which forces that update);
//   - the thread's own resource usage over it (RUSAGE_THREAD), the
//     in-process counterpart of a child's wait4 rusage.
// With t->profile_hz > 0 the loop is sampled into pcs (room for cap PCs) by
// a timer of this thread's own (inprof.c); pcs is only written during the
// call. Everything the call needs was allocated by the caller before it
// stamped the create call: nothing is allocated here.
void proclab_task_inproc(const struct proclab_task *t, struct proclab_inproc *out,
                         uint64_t *pcs, uint32_t cap, const volatile uint32_t *stop) {
	struct rusage r0, r1;
	struct proclab_thread_prof prof = {.pcs = pcs, .cap = cap};
	timer_t timer;
	int profiling = 0;
	out->prof_err = 0;
	out->task_start_ns = proclab_now_ns();
	int64_t cpu0 = proclab_thread_cpu_ns();
	getrusage(RUSAGE_THREAD, &r0);
	if (t->profile_hz > 0 && pcs != NULL) {
		out->prof_err = proclab_thread_prof_start(&prof, t->profile_hz, &timer);
		profiling = out->prof_err == 0;
	}
	out->checksum = proclab_hot_loop_stoppable(t->n_iters, stop, &out->iters_done);
	if (profiling)
		proclab_thread_prof_stop(timer);
	int64_t cpu1 = proclab_thread_cpu_ns();
	getrusage(RUSAGE_THREAD, &r1);
	out->task_end_ns = proclab_now_ns();
	out->task_cpu_ns = cpu0 >= 0 && cpu1 >= cpu0 ? cpu1 - cpu0 : -1;
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
