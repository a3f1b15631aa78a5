// prof.c: a minimal sampling profiler for the hot loop.
//
// Go's CPU profiler cannot run in a fork child and sees C only as
// runtime.cgocall, so a child samples itself: a CPU-time timer of the
// thread that runs the task (timer_create on CLOCK_THREAD_CPUTIME_ID,
// delivered with SIGEV_THREAD_ID to that thread) raises SIGPROF every 1/hz
// seconds of its CPU time, and the handler stores the interrupted program
// counter in a fixed buffer. A per-thread timer, not ITIMER_PROF: in an
// exec'd worker the Go runtime has other threads, and a process-wide timer
// would interrupt whichever thread is running, so samples would land in the
// runtime and two threads could run the handler at once. Timers are not
// inherited across fork(), so every child arms its own. The kernel caps the
// rate at CONFIG_HZ. Everything here is async-signal-safe: raw system
// calls (glibc's timer_create may allocate), no malloc, no locks; a slot
// in the buffer is claimed with an atomic compare-and-swap, so even two
// handlers at once never write past it.
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

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

// proclab_prof_record stores one sample in p, or counts it as dropped
// when p is full. Safe against itself on other threads and in nested
// handlers: the count is read once and a slot is claimed by
// compare-and-swap, so p->n never passes PROCLAB_MAX_SAMPLES and no two
// callers get the same slot. Async-signal-safe.
void proclab_prof_record(struct proclab_prof *p, uint64_t pc) {
	uint32_t n = __atomic_load_n(&p->n, __ATOMIC_RELAXED);
	do {
		if (n >= PROCLAB_MAX_SAMPLES) {
			__atomic_fetch_add(&p->dropped, 1, __ATOMIC_RELAXED);
			return;
		}
	} while (!__atomic_compare_exchange_n(&p->n, &n, n + 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	p->pcs[n] = pc;
}

static void on_sigprof(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)si;
	proclab_prof_record(&proclab_prof_buf, proclab_interrupted_pc(uc));
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

// The kernel id of the task thread's timer; -1 when ITIMER_PROF is used.
static int prof_timer = -1;

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

// arm_thread_timer arms a CPU-time timer of the calling thread that sends
// it SIGPROF. Raw system calls: async-signal-safe. Returns 0 or -1.
static int arm_thread_timer(const struct itimerspec *its) {
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
	int id;
	if (syscall(SYS_timer_create, CLOCK_THREAD_CPUTIME_ID, &sev, &id) != 0)
		return -1;
	if (syscall(SYS_timer_settime, id, 0, its, 0) != 0) {
		syscall(SYS_timer_delete, id);
		return -1;
	}
	prof_timer = id;
	return 0;
}

// proclab_prof_start installs the SIGPROF handler and arms a CPU-time timer
// of the calling thread (the task's) at hz; if the kernel refuses one, it
// falls back to ITIMER_PROF (equivalent in a single-threaded fork child).
// For processes that run only the task (children and workers). Returns 0
// or -1.
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
	long ns = 1000000000L / (long)hz;
	if (ns < 1000)
		ns = 1000;
	long first = (long)proclab_first_delay_ns(hz);
	struct itimerspec its;
	its.it_interval.tv_sec = ns / 1000000000L;
	its.it_interval.tv_nsec = ns % 1000000000L;
	its.it_value.tv_sec = first / 1000000000L;
	its.it_value.tv_nsec = first % 1000000000L;
	if (arm_thread_timer(&its) == 0)
		return 0;
	struct itimerval it;
	it.it_interval.tv_sec = its.it_interval.tv_sec;
	it.it_interval.tv_usec = its.it_interval.tv_nsec / 1000;
	it.it_value.tv_sec = its.it_value.tv_sec;
	it.it_value.tv_usec = its.it_value.tv_nsec / 1000 + 1;
	return setitimer(ITIMER_PROF, &it, 0);
}

// proclab_prof_stop disarms the timer; the handler stays (a late SIGPROF is
// then harmless).
void proclab_prof_stop(void) {
	if (prof_timer >= 0) {
		syscall(SYS_timer_delete, prof_timer);
		prof_timer = -1;
		return;
	}
	struct itimerval it;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_PROF, &it, 0);
}

// proclab_prof_hammer calls proclab_prof_record count times on p from the
// calling thread: a test runs it on several threads at once.
void proclab_prof_hammer(struct proclab_prof *p, uint64_t pc, uint32_t count) {
	for (uint32_t i = 0; i < count; i++)
		proclab_prof_record(p, pc);
}
