// inprof.c: sampling the hot loop of tasks that run inside the lab (the
// thread and single methods).
//
// The lab is a multi-threaded Go process whose runtime owns SIGPROF (Go's
// CPU profiler, --cpuprofile, uses it), so the child-side sampler of prof.c
// (a process-wide ITIMER_PROF and a handler that replaces any other) cannot
// be used here. Instead:
//
//   - Each task arms its own per-thread CPU-time timer (timer_create on
//     CLOCK_THREAD_CPUTIME_ID, delivered with SIGEV_THREAD_ID to the thread
//     that runs the task). It counts only that thread's CPU and interrupts
//     only that thread, so a sample always lands on the task it belongs to,
//     and concurrent tasks do not share one process-wide budget. ITIMER_PROF
//     stays Go's.
//   - Our timers carry a marker in si_value. The handler takes the signals
//     that carry it and passes every other SIGPROF on to the handler it
//     replaced (Go's), with the same arguments. Go's profiler uses
//     ITIMER_PROF (si_code SI_KERNEL) and its own per-thread timers (SI_TIMER,
//     si_value 0), so both profilers run side by side: neither sees the
//     other's signals, and Go's check against double counting (validSIGPROF)
//     is untouched. That is why --cpuprofile needs no special case.
//   - The buffer of the task running on a thread is found through a __thread
//     pointer, set before the timer is armed and cleared after it is
//     deleted. A marked signal that finds no task (cannot happen unless a
//     deleted timer's signal was still queued) is counted as stray and
//     dropped, never charged to another task.
//   - The handler is installed once, with SA_ONSTACK (the Go runtime
//     requires it of foreign handlers: Go threads run signal handlers on
//     their own signal stacks) and SA_SIGINFO. Like prof.c it does plain
//     stores only: async-signal-safe.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csys.h"

// The address of marker is the si_value of our timers' signals.
static const char marker;

// The task buffer of the thread a signal lands on; NULL when the thread
// runs no profiled task. Initial-exec TLS (this is the main executable), so
// reading it in a signal handler allocates nothing.
static __thread struct proclab_thread_prof *current;

static struct sigaction previous; // the handler ours replaced (Go's)
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_err;
static volatile uint64_t stray;

static void on_sigprof(int sig, siginfo_t *si, void *uc) {
	if (si != NULL && si->si_code == SI_TIMER && si->si_value.sival_ptr == &marker) {
		struct proclab_thread_prof *p = current;
		if (p == NULL)
			__atomic_fetch_add(&stray, 1, __ATOMIC_RELAXED);
		else if (p->n < p->cap)
			p->pcs[p->n++] = proclab_interrupted_pc(uc);
		else
			p->dropped++;
		return;
	}
	// Not ours: chain. A default action would end the process on a stray
	// SIGPROF, so treat SIG_DFL like SIG_IGN, as Go itself does.
	if (previous.sa_flags & SA_SIGINFO) {
		if (previous.sa_sigaction != NULL)
			previous.sa_sigaction(sig, si, uc);
	} else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
	}
}

static void install(void) {
	// Read the old handler first, then install ours: a SIGPROF arriving in
	// between is still handled by the old one, and ours never runs with
	// `previous` unset.
	if (sigaction(SIGPROF, NULL, &previous) != 0) {
		install_err = errno;
		return;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) != 0)
		install_err = errno;
}

// proclab_thread_prof_start samples the calling thread's program counter
// into p at hz per second of the thread's CPU time, until
// proclab_thread_prof_stop(*timer). Returns 0 or an errno value (then
// nothing is armed).
int proclab_thread_prof_start(struct proclab_thread_prof *p, uint32_t hz, timer_t *timer) {
	pthread_once(&install_once, install);
	if (install_err != 0)
		return install_err;
	p->n = 0;
	p->dropped = 0;
	current = p;
	__atomic_signal_fence(__ATOMIC_SEQ_CST); // current is set before any signal

	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev.sigev_value.sival_ptr = (void *)&marker;
#ifdef sigev_notify_thread_id
	sev.sigev_notify_thread_id = gettid();
#else
	sev._sigev_un._tid = gettid(); // glibc 2.36 (here) has no name for it
#endif
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, timer) != 0) {
		int e = errno;
		current = NULL;
		return e;
	}
	uint64_t period = 1000000000ull / hz, first = proclab_first_delay_ns(hz);
	struct itimerspec its;
	its.it_interval.tv_sec = (time_t)(period / 1000000000ull);
	its.it_interval.tv_nsec = (long)(period % 1000000000ull);
	its.it_value.tv_sec = (time_t)(first / 1000000000ull);
	its.it_value.tv_nsec = (long)(first % 1000000000ull);
	if (timer_settime(*timer, 0, &its, NULL) != 0) {
		int e = errno;
		timer_delete(*timer);
		current = NULL;
		return e;
	}
	return 0;
}

// proclab_thread_prof_stop deletes the calling thread's timer. A signal
// already queued for this thread is delivered on the way back from
// timer_delete, while current still names this task's buffer.
void proclab_thread_prof_stop(timer_t timer) {
	timer_delete(timer);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	current = NULL;
}

// proclab_thread_prof_stray counts marked signals that found no task.
uint64_t proclab_thread_prof_stray(void) { return __atomic_load_n(&stray, __ATOMIC_RELAXED); }
