// fork.c: creating children with fork(), with or without an exec.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csys.h"

// proclab_fork_run forks a child that runs task t in place: it inherits the
// lab's memory, never returns into Go, and writes its record to out_fd.
//
// All signals are blocked across fork() so that no Go handler can run in
// the child before proclab_child_setup has reset them; the parent restores
// its mask at once. *t_create_ns is stamped just before fork(). With
// skip_mem the child leaves out the read of its own memory.
int proclab_fork_run(const struct proclab_task *t, int out_fd, int skip_mem, int *pid,
                     int64_t *t_create_ns) {
	struct proclab_task task = *t; // the child reads only its own stack
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t parent = getpid();
	int64_t t0 = proclab_now_ns();
	pid_t p = fork();
	if (p == 0) {
		// Child: async-signal-safe calls only, never return.
		int fd = proclab_child_setup(parent, out_fd, -1);
		if (fd < 0)
			_exit(126);
		proclab_child_skip_mem = skip_mem; // a store to the child's own copy
		proclab_child_task(&task, fd, 0, 0, 0);
	}
	int err = errno;
	pthread_sigmask(SIG_SETMASK, &old, 0);
	if (p < 0)
		return err;
	*pid = p;
	*t_create_ns = t0;
	return 0;
}

// Set by a test (csys/testhooks.go): the fork-exec child waits in pause()
// before its execve, as one would whose exec hangs (a binary on a dead
// network mount) or that was stopped.
int proclab_test_stall_exec;

// await_exec waits for the exec's verdict on the error pipe ef: 0 (EOF:
// the exec succeeded), the child's errno, or, if cancel_fd turns readable
// first or timeout_ms (0: none) passes, ECANCELED or ETIMEDOUT.
static int await_exec(int ef, int cancel_fd, int timeout_ms) {
	struct pollfd pf[2] = {{ef, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
	int64_t deadline = proclab_now_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		int ms = -1;
		if (timeout_ms > 0) {
			int64_t left = deadline - proclab_now_ns();
			if (left <= 0)
				return ETIMEDOUT;
			ms = (int)((left + 999999) / 1000000);
		}
		int r = poll(pf, cancel_fd >= 0 ? 2 : 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno;
		if (r == 0)
			continue; // the deadline is checked at the top
		if (pf[0].revents)
			break; // the verdict (or EOF) is there; a cancel can wait
		if (cancel_fd >= 0 && pf[1].revents)
			return ECANCELED;
	}
	int child_errno = 0;
	ssize_t n;
	do {
		n = read(ef, &child_errno, sizeof child_errno);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof child_errno)
		return child_errno ? child_errno : EIO;
	return 0;
}

// proclab_fork_exec is the classic fork() + execve(). The child reports a
// failed exec by writing errno to a close-on-exec pipe; the parent reads it:
// EOF means the exec succeeded. On failure the parent reaps the child, so no
// zombie is left, and returns the child's errno. The wait for the exec
// gives way to cancel_fd turning readable (-1: none) and to timeout_ms
// (0: none): the child is then killed and reaped, and the answer is
// ECANCELED or ETIMEDOUT.
int proclab_fork_exec(const char *path, char *const argv[], char *const envp[],
                      int out_fd, int cancel_fd, int timeout_ms, int *pid,
                      int64_t *t_create_ns) {
	int errp[2];
	if (pipe2(errp, O_CLOEXEC) != 0)
		return errno;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t parent = getpid();
	int64_t t0 = proclab_now_ns();
	pid_t p = fork();
	if (p == 0) {
		// Child: async-signal-safe calls only, never return. Every way
		// of failing before execve writes its errno to the error pipe:
		// EOF alone must mean the exec succeeded.
		int ef = errp[1];
		int e;
		if (ef <= PROCLAB_WORKER_FD) {
			// Move the error pipe out of the result fd's way; if that
			// fails, say so on the pipe where it is, before fd 3 changes.
			int moved = fcntl(ef, F_DUPFD_CLOEXEC, PROCLAB_WORKER_FD + 1);
			if (moved < 0) {
				e = errno;
				while (write(ef, &e, sizeof e) < 0 && errno == EINTR) {
				}
				_exit(127);
			}
			ef = moved;
		}
		if (proclab_child_setup(parent, out_fd, ef) < 0) {
			e = errno;
		} else {
			if (proclab_test_stall_exec)
				pause();
			execve(path, argv, envp); // the mask is empty: setup cleared it
			e = errno;
		}
		while (write(ef, &e, sizeof e) < 0 && errno == EINTR) {
		}
		_exit(127);
	}
	int err = errno;
	pthread_sigmask(SIG_SETMASK, &old, 0);
	close(errp[1]);
	if (p < 0) {
		close(errp[0]);
		return err;
	}
	int err2 = await_exec(errp[0], cancel_fd, timeout_ms);
	close(errp[0]);
	if (err2 != 0) {
		if (err2 == ECANCELED || err2 == ETIMEDOUT)
			kill(p, SIGKILL); // stuck before or in its exec
		int st;
		while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
		}
		return err2;
	}
	*pid = p;
	*t_create_ns = t0;
	return 0;
}
