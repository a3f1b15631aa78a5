// prof.c: a minimal sampling profiler for the hot loop.
//
// Go's CPU profiler cannot run in a fork child and sees C only as
// runtime.cgocall, so a child samples itself: setitimer(ITIMER_PROF) raises
// SIGPROF every 1/hz seconds of CPU time the process uses, and the handler
// stores the interrupted program counter in a fixed buffer. Timers are not
// inherited across fork(), so every child arms its own. The kernel caps the
// rate at CONFIG_HZ. Everything here is async-signal-safe: no malloc, no
// locks, plain stores.
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

#include "csys.h"

struct proclab_prof proclab_prof_buf;

// proclab_interrupted_pc reads the program counter a signal interrupted
// from the handler's ucontext. Async-signal-safe.
uint64_t proclab_interrupted_pc(void *ucv) {
	ucontext_t *uc = ucv;
#if defined(__x86_64__)
	return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uint64_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

static void on_sigprof(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)si;
	struct proclab_prof *p = &proclab_prof_buf;
	if (p->n < PROCLAB_MAX_SAMPLES)
		p->pcs[p->n++] = proclab_interrupted_pc(uc);
	else
		p->dropped++;
}

// Run-time address of this executable's ELF header (the linker defines it).
extern const char __ehdr_start;

// proclab_text_base is where the executable's ELF header is mapped: the load
// base of a PIE build, the link address otherwise. The lab maps sampled PCs
// back to file addresses with it. Async-signal-safe.
uint64_t proclab_text_base(void) { return (uint64_t)(uintptr_t)&__ehdr_start; }

// proclab_first_delay_ns picks the CPU time to the first sample uniformly in
// (0, 1/hz], the way Go's own profiler does: with a fixed first delay of a
// whole period, a task shorter than one period would never be sampled, and
// every task would be under-sampled by up to one period. The clock's low
// bits are random enough for this; no library state is touched, so it is
// async-signal-safe.
uint64_t proclab_first_delay_ns(uint32_t hz) {
	uint64_t period = 1000000000ull / hz;
	if (period == 0)
		period = 1;
	uint64_t r = (uint64_t)proclab_now_ns();
	r ^= r >> 17; // spread the clock's fast-changing low bits
	r *= 0x9E3779B97F4A7C15ull;
	return 1 + (r >> 11) % period;
}

// proclab_prof_start installs the SIGPROF handler and arms ITIMER_PROF at hz.
// For processes that run only the task (children and workers). Returns 0 or
// an errno value.
int proclab_prof_start(uint32_t hz) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	proclab_prof_buf.n = 0;
	proclab_prof_buf.dropped = 0;
	if (sigaction(SIGPROF, &sa, 0) != 0)
		return -1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	sigprocmask(SIG_UNBLOCK, &set, 0);
	long us = 1000000L / (long)hz;
	if (us < 1)
		us = 1;
	struct itimerval it;
	it.it_interval.tv_sec = us / 1000000;
	it.it_interval.tv_usec = us % 1000000;
	long first_us = (long)(proclab_first_delay_ns(hz) / 1000) + 1;
	it.it_value.tv_sec = first_us / 1000000;
	it.it_value.tv_usec = first_us % 1000000;
	return setitimer(ITIMER_PROF, &it, 0);
}

// proclab_prof_stop disarms the timer; the handler stays (a late SIGPROF is
// then harmless).
void proclab_prof_stop(void) {
	struct itimerval it;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_PROF, &it, 0);
}
