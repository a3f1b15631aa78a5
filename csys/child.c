// child.c: the child side of every process start method.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "csys.h"

// write_all writes n bytes, retrying short writes and EINTR. Returns 0 or -1.
static int write_all(int fd, const void *buf, size_t n) {
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int proclab_child_skip_mem;

// proclab_child_task runs one task and reports it.
//
// It runs in a child process right after fork() (or in a re-exec'd worker),
// so it must not return, must not call into Go, and must call only
// async-signal-safe functions: another thread of the parent may have held a
// lock (malloc's, stdio's, the Go runtime's) at the instant of the fork, and
// that lock stays held forever in the child. So: no malloc, no stdio, no
// locks. The record lives on the stack, the samples and the /proc text in
// static buffers; errors become exit codes. The first thing it does is read
// the clock, which is what startup latency is measured to.
//
// Around the loop it reads its thread's CPU clock (clock_gettime): the
// task's own CPU time, exact, where wait4's user/sys are tick-sampled and
// count the whole process (exec, Go runtime start, exit teardown). After
// task_end_ns it reads its own memory from /proc/self (status, smaps_rollup;
// open/read/close and hand-written parsing, selfmem.c), so that read is in
// neither startup nor run; mem_read_ns stamps its end. These figures are
// the child's own address space, never the lab's: ru_maxrss would carry the
// lab's high-water mark across execve.
//
// Exit codes: 0 record written; 3 the record could not be written (the lab
// is gone or closed the pipe).
void proclab_child_task(const struct proclab_task *t, int out_fd, uint32_t flags,
                        int64_t exec_done_ns, int64_t runtime_ready_ns) {
	struct proclab_record rec;
	rec.task_start_ns = proclab_now_ns();
	int64_t cpu0 = proclab_thread_cpu_ns();
	// Profiling is best effort: if it cannot start, n_samples is 0.
	if (t->profile_hz > 0)
		proclab_prof_start(t->profile_hz);
	uint64_t sum = proclab_hot_loop(t->n_iters);
	if (t->profile_hz > 0)
		proclab_prof_stop();
	int64_t cpu1 = proclab_thread_cpu_ns();
	rec.task_end_ns = proclab_now_ns();

	struct proclab_self_mem mem = {0};
	rec.mem_err = proclab_child_skip_mem ? ENODATA : (uint32_t)proclab_self_mem(&mem);
	rec.mem_read_ns = proclab_now_ns();
	rec.hwm_bytes = mem.hwm_bytes;
	rec.end_rss_bytes = mem.rss_bytes;
	rec.end_pss_bytes = mem.pss_bytes;
	rec.end_uss_bytes = mem.uss_bytes;
	rec.task_cpu_ns = cpu0 >= 0 && cpu1 >= cpu0 ? cpu1 - cpu0 : -1;

	rec.magic = PROCLAB_RECORD_MAGIC;
	rec.version = PROCLAB_RECORD_VERSION;
	rec.header_size = (uint16_t)sizeof rec;
	rec.task = t->task;
	rec.flags = flags;
	rec.pid = (int32_t)getpid();
	rec.ppid = (int32_t)getppid();
	rec.n_iters = t->n_iters;
	rec.checksum = sum;
	rec.exec_done_ns = exec_done_ns;
	rec.runtime_ready_ns = runtime_ready_ns;
	rec.text_base = proclab_text_base();
	rec.profile_hz = t->profile_hz;
	rec.n_samples = t->profile_hz > 0 ? proclab_prof_buf.n : 0;
	rec.samples_dropped = t->profile_hz > 0 ? proclab_prof_buf.dropped : 0;

	if (write_all(out_fd, &rec, sizeof rec) != 0 ||
	    write_all(out_fd, proclab_prof_buf.pcs, rec.n_samples * sizeof(uint64_t)) != 0)
		_exit(3);
	_exit(0);
}

// The kernel's struct sigaction, for rt_sigaction called directly: glibc's
// sigaction refuses the two signals it reserves (32 and 33), and the child
// must reset those too if the lab's runtime installed handlers there.
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

// reset_signals puts every signal handler the child inherited back to the
// default action, leaving ignored signals ignored, which is what execve
// does and what posix_spawn's child does with POSIX_SPAWN_SETSIGDEF. The
// lab's runtime has a handler on every signal (SIGURG, SIGUSR1/2, SIGCHLD,
// SIGWINCH, the RT signals...); one that ran here would enter the Go
// runtime, which has no threads in this process. Async-signal-safe.
//
// One system call per signal (set the default, get the old action back)
// and a second only for the rare ignored one, to put SIG_IGN back: the
// loop runs between fork and the task's first stamp, so it counts in the
// startup latency (about 15 µs here for 64 signals; reading each action
// first took 27 µs). Every signal is blocked meanwhile (the parent
// blocked them around fork), so none can arrive to a default action it
// should not see.
static void reset_signals(void) {
	for (int sig = 1; sig < _NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		struct ksigaction old, dfl = {SIG_DFL, 0, 0, 0};
		if (syscall(SYS_rt_sigaction, sig, &dfl, &old, sizeof dfl.mask) != 0)
			continue;
		if (old.handler == SIG_IGN)
			syscall(SYS_rt_sigaction, sig, &old, 0, sizeof old.mask);
	}
}

// Set by a test (csys/childtest.go) to take the fallback that kernels
// without close_range (before 5.9) need.
int proclab_test_no_close_range;

// close_from closes every fd from low up to the soft RLIMIT_NOFILE but
// keep: the fallback when close_range is missing. Async-signal-safe
// (getrlimit and close are plain system calls).
static void close_from(int low, int keep) {
	struct rlimit rl;
	long top = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		top = rl.rlim_cur > 0x7fffffff ? 0x7fffffff : (long)rl.rlim_cur;
	for (long fd = low; fd < top; fd++)
		if (fd != keep)
			close((int)fd);
}

// close_above closes every fd above PROCLAB_WORKER_FD but keep (-1: none).
static void close_above(int keep) {
	unsigned low = PROCLAB_WORKER_FD + 1;
	if (proclab_test_no_close_range) {
		close_from((int)low, keep);
		return;
	}
	int ok;
	if (keep >= (int)low)
		ok = (keep == (int)low || syscall(SYS_close_range, low, (unsigned)keep - 1, 0) == 0) &&
		     syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0;
	else
		ok = syscall(SYS_close_range, low, ~0U, 0) == 0;
	if (!ok)
		close_from((int)low, keep);
}

// proclab_child_setup prepares a fresh fork child: default handlers for
// every signal the lab caught (ignored ones stay ignored), SIGINT, SIGQUIT
// and SIGPIPE ignored (proclab_ignore_terminal_signals: a terminal's Ctrl-C
// reaches the whole process group, but it is the lab that stops the tasks
// and reports them interrupted), an empty signal mask, death with the
// parent, and the result fd moved to PROCLAB_WORKER_FD without
// close-on-exec. Every fd above it but keep (-1: none) is closed, so a
// child holds no other child's pipe open and no fd of the lab's that was
// not yet close-on-exec when it was forked: the lab does not hold Go's
// ForkLock around its creates (it would serialize them, and a fork-exec's
// whole exec wait with them), so another goroutine may be between making
// an fd and marking it. Returns the result fd, or -1 with errno set
// (ESRCH: the parent is already gone). Async-signal-safe.
int proclab_child_setup(pid_t parent, int out_fd, int keep) {
	// The parent blocked every signal around fork(), so no handler of the
	// lab's can run before this reset.
	reset_signals();
	// The signal stack the Go runtime gave this thread is Go heap, which
	// the child may not have (csys/dontfork.go): handlers (the profiler's
	// SIGPROF) run on the task's own stack instead.
	stack_t no_stack = {.ss_flags = SS_DISABLE};
	sigaltstack(&no_stack, 0);
	proclab_ignore_terminal_signals();
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, 0);

	// Die with the lab. PDEATHSIG fires when the creating *thread* exits;
	// the lab never ends the threads it forks from (no LockOSThread).
	// The parent may have died before prctl: then we are already orphaned.
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		errno = ESRCH;
		return -1;
	}

	// dup2 leaves the new fd open across exec; when the fd is already in
	// place, clear its close-on-exec flag by hand.
	if (out_fd != PROCLAB_WORKER_FD) {
		if (dup2(out_fd, PROCLAB_WORKER_FD) < 0)
			return -1;
	} else if (fcntl(PROCLAB_WORKER_FD, F_SETFD, 0) < 0) {
		return -1;
	}
	close_above(keep);
	return PROCLAB_WORKER_FD;
}
