// fork.c: creating children with fork(), with or without an exec.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
		int fd = proclab_child_setup(parent, out_fd, 1);
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

// proclab_fork_exec is the classic fork() + execve(). The child reports a
// failed exec by writing errno to a close-on-exec pipe; the parent reads it:
// EOF means the exec succeeded. On failure the parent reaps the child, so no
// zombie is left, and returns the child's errno.
int proclab_fork_exec(const char *path, char *const argv[], char *const envp[],
                      int out_fd, int *pid, int64_t *t_create_ns) {
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
		// Child: async-signal-safe calls only, never return.
		int ef = errp[1];
		if (ef <= PROCLAB_WORKER_FD)
			ef = fcntl(ef, F_DUPFD_CLOEXEC, PROCLAB_WORKER_FD + 1);
		int e = EBADF;
		if (ef >= 0 && proclab_child_setup(parent, out_fd, 0) >= 0) {
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, 0);
			execve(path, argv, envp);
			e = errno;
		}
		if (ef >= 0)
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
	int child_errno = 0;
	ssize_t n;
	do {
		n = read(errp[0], &child_errno, sizeof child_errno);
	} while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (n == (ssize_t)sizeof child_errno) {
		int st;
		while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
		}
		return child_errno ? child_errno : EIO;
	}
	*pid = p;
	*t_create_ns = t0;
	return 0;
}
