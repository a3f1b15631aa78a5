// spawn.c: creating children with posix_spawn().
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include "csys.h"

// proclab_posix_spawn starts path as a worker with out_fd placed at
// PROCLAB_WORKER_FD. posix_spawn returns an error number and leaves errno
// alone. The child starts with an empty signal mask; exec resets caught
// signals, and SETSIGDEF also undoes an ignored SIGHUP or SIGTERM that
// would make a worker unkillable by them. SIGINT, SIGQUIT and SIGPIPE stay
// as they are: the worker's constructor ignores them (Ctrl-C is the lab's
// to handle; see proclab_ignore_terminal_signals). *t_create_ns is stamped
// just before posix_spawn().
int proclab_posix_spawn(const char *path, char *const argv[], char *const envp[],
                        int out_fd, int *pid, int64_t *t_create_ns) {
	int err;
	int fd = out_fd;
	// adddup2(fd, fd) would not clear close-on-exec on every libc, so keep
	// the source fd away from the target.
	if (fd == PROCLAB_WORKER_FD) {
		fd = fcntl(out_fd, F_DUPFD_CLOEXEC, PROCLAB_WORKER_FD + 1);
		if (fd < 0)
			return errno; // EMFILE when the fd table is full: say so
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		goto out_fd;
	if ((err = posix_spawnattr_init(&attr)) != 0)
		goto out_fa;
	if ((err = posix_spawn_file_actions_adddup2(&fa, fd, PROCLAB_WORKER_FD)) != 0)
		goto out_attr;
	// The worker gets fds 0-3 only, whatever the lab held that was not
	// yet close-on-exec (the lab does not hold Go's ForkLock: child.c).
	if ((err = posix_spawn_file_actions_addclosefrom_np(&fa, PROCLAB_WORKER_FD + 1)) != 0)
		goto out_attr;
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	pid_t p;
	int64_t t0 = proclab_now_ns();
	err = posix_spawn(&p, path, &fa, &attr, argv, envp);
	if (err == 0) {
		*pid = p;
		*t_create_ns = t0;
	}
out_attr:
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
out_fd:
	if (fd != out_fd)
		close(fd);
	return err;
}
