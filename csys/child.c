// child.c: the child side of every process start method.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
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

// Signals whose handlers the child resets to the default action and
// unblocks. The child inherits Go's handlers; a signal that ran one would
// enter the Go runtime, which has no threads here. Every other signal stays
// blocked, as the parent blocked all of them around fork().
static const int reset_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGSEGV, SIGPIPE, SIGTERM, SIGXCPU, SIGXFSZ, SIGSYS, SIGPROF,
};

// proclab_child_setup prepares a fresh fork child: default handlers and an
// open mask for the signals above, death with the parent, and the result fd
// moved to PROCLAB_WORKER_FD without close-on-exec. With close_others, every
// fd above it is closed, so a child that keeps running holds no other
// child's pipe open (before an exec, close-on-exec does that instead).
// Returns the result fd, or -1 if the parent is already gone.
// Async-signal-safe.
int proclab_child_setup(pid_t parent, int out_fd, int close_others) {
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigset_t unblock;
	sigemptyset(&unblock);
	for (size_t i = 0; i < sizeof reset_signals / sizeof reset_signals[0]; i++) {
		sigaction(reset_signals[i], &dfl, 0);
		sigaddset(&unblock, reset_signals[i]);
	}
	sigprocmask(SIG_UNBLOCK, &unblock, 0);

	// Die with the lab. PDEATHSIG fires when the creating *thread* exits;
	// the lab never ends the threads it forks from (no LockOSThread).
	// The parent may have died before prctl: then we are already orphaned.
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return -1;

	// dup2 leaves the new fd open across exec; when the fd is already in
	// place, clear its close-on-exec flag by hand.
	if (out_fd != PROCLAB_WORKER_FD) {
		if (dup2(out_fd, PROCLAB_WORKER_FD) < 0)
			return -1;
	} else if (fcntl(PROCLAB_WORKER_FD, F_SETFD, 0) < 0) {
		return -1;
	}
	if (close_others)
		syscall(SYS_close_range, PROCLAB_WORKER_FD + 1, ~0U, 0);
	return PROCLAB_WORKER_FD;
}
