// floor.c: the machine's floor for creating a process, measured in C with
// no Go in the loop: tight loops of create + wait4, each stamping the clock
// where proclab's own methods stamp it. proclab calibrate sets its methods'
// figures beside these, the way hyperfine measures its shell's overhead.
// Everything runs in the calling thread of the lab process, so the floor
// forks exactly the address space proclab's own fork does.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csys.h"

// reap waits for child p with wait4 (with rusage, as the lab does) and
// returns 0 if it exited with status 0, else an errno value. *minflt, if
// set, gets the child's minor page faults.
static int reap(pid_t p, int64_t *minflt) {
	int st;
	struct rusage ru;
	while (wait4(p, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return errno;
	if (minflt)
		*minflt = ru.ru_minflt;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : ECHILD;
}

// read_stamp reads the 8-byte stamp an exec'd floor program wrote, or -1 if
// it wrote none (/bin/true). The pipe is non-blocking: the child is reaped.
static int64_t read_stamp(int fd) {
	int64_t ns;
	ssize_t n;
	do {
		n = read(fd, &ns, sizeof ns);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof ns ? ns : -1;
}

// fork_once: fork(); the child stamps into shared memory and _exits.
// Child: one clock read (vDSO), one store, _exit: async-signal-safe.
static int fork_once(volatile int64_t *shared, struct proclab_floor_sample *s) {
	*shared = -1;
	int64_t t0 = proclab_now_ns();
	pid_t p = fork();
	if (p == 0) {
		*shared = proclab_now_ns();
		_exit(0);
	}
	if (p < 0)
		return errno;
	int err = reap(p, &s->minflt);
	s->total_ns = proclab_now_ns() - t0;
	s->startup_ns = *shared > 0 ? *shared - t0 : -1;
	return err;
}

// vfork_once: vfork() shares memory with the suspended parent, so the
// child's stamp lands in a plain variable. Context only: it is what
// posix_spawn builds on (clone with CLONE_VM|CLONE_VFORK).
static int vfork_once(struct proclab_floor_sample *s) {
	volatile int64_t stamp = -1;
	int64_t t0 = proclab_now_ns();
	pid_t p = vfork();
	if (p == 0) {
		stamp = proclab_now_ns();
		_exit(0);
	}
	if (p < 0)
		return errno;
	int err = reap(p, &s->minflt);
	s->total_ns = proclab_now_ns() - t0;
	s->startup_ns = stamp > 0 ? stamp - t0 : -1;
	return err;
}

// fork_exec_once: fork(); the child moves the stamp pipe to fd 3 (one dup2,
// as proclab's fork-exec child does) and execs path. Child:
// async-signal-safe calls only.
static int fork_exec_once(const char *path, char *const argv[], char *const envp[], int pw,
                          int pr, struct proclab_floor_sample *s) {
	int64_t t0 = proclab_now_ns();
	pid_t p = fork();
	if (p == 0) {
		if (dup2(pw, PROCLAB_WORKER_FD) == PROCLAB_WORKER_FD)
			execve(path, argv, envp);
		_exit(127);
	}
	if (p < 0)
		return errno;
	int err = reap(p, &s->minflt);
	s->total_ns = proclab_now_ns() - t0;
	int64_t st = read_stamp(pr);
	s->startup_ns = st > 0 ? st - t0 : -1;
	return err;
}

// spawn_once: posix_spawn() with the stamp pipe placed at fd 3, nothing
// else asked of it.
static int spawn_once(const char *path, char *const argv[], char *const envp[],
                      const posix_spawn_file_actions_t *fa, int pr, struct proclab_floor_sample *s) {
	pid_t p;
	int64_t t0 = proclab_now_ns();
	int err = posix_spawn(&p, path, fa, 0, argv, envp);
	if (err != 0)
		return err;
	err = reap(p, &s->minflt);
	s->total_ns = proclab_now_ns() - t0;
	int64_t st = read_stamp(pr);
	s->startup_ns = st > 0 ? st - t0 : -1;
	return err;
}

// proclab_floor runs n creations of the given kind one after another and
// fills out[0..n). path, argv and envp are used by the exec kinds only.
// Signals are blocked for the whole loop, so that no Go handler can run in
// a fork child; the exec'd programs do not care. Returns 0 or an errno
// value (out holds the samples taken before the error).
int proclab_floor(int kind, const char *path, char *const argv[], char *const envp[], int n,
                  struct proclab_floor_sample *out) {
	int err = 0;
	volatile int64_t *shared = MAP_FAILED;
	int pfd[2] = {-1, -1};
	int pw = -1;
	posix_spawn_file_actions_t fa;
	int have_fa = 0;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);

	switch (kind) {
	case PROCLAB_FLOOR_FORK:
		shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED) {
			err = errno;
			goto out;
		}
		break;
	case PROCLAB_FLOOR_FORK_EXEC:
	case PROCLAB_FLOOR_SPAWN:
		if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
			err = errno;
			goto out;
		}
		// Keep the write end off fd 3 so that dup2 onto 3 clears its
		// close-on-exec flag.
		pw = pfd[1];
		if (pw == PROCLAB_WORKER_FD && (pw = fcntl(pfd[1], F_DUPFD_CLOEXEC, PROCLAB_WORKER_FD + 1)) < 0) {
			err = errno;
			goto out;
		}
		if (kind == PROCLAB_FLOOR_SPAWN) {
			if ((err = posix_spawn_file_actions_init(&fa)) != 0)
				goto out;
			have_fa = 1;
			if ((err = posix_spawn_file_actions_adddup2(&fa, pw, PROCLAB_WORKER_FD)) != 0)
				goto out;
		}
		break;
	case PROCLAB_FLOOR_VFORK:
		break;
	default:
		err = EINVAL;
		goto out;
	}

	for (int i = 0; i < n && err == 0; i++) {
		switch (kind) {
		case PROCLAB_FLOOR_FORK:
			err = fork_once(shared, &out[i]);
			break;
		case PROCLAB_FLOOR_VFORK:
			err = vfork_once(&out[i]);
			break;
		case PROCLAB_FLOOR_FORK_EXEC:
			err = fork_exec_once(path, argv, envp, pw, pfd[0], &out[i]);
			break;
		case PROCLAB_FLOOR_SPAWN:
			err = spawn_once(path, argv, envp, &fa, pfd[0], &out[i]);
			break;
		}
	}
out:
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (pw >= 0 && pw != pfd[1])
		close(pw);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (shared != MAP_FAILED)
		munmap((void *)shared, 4096);
	pthread_sigmask(SIG_SETMASK, &old, 0);
	return err;
}

// proclab_floor_fork_rate forks n children that _exit at once, keeping at
// most max_procs alive, and reaps them oldest first (waitpid on each pid,
// never wait(-1), which could reap a child that is not the floor's). It
// stamps *wall_ns from the first fork to the last reap: the floor of
// tasks per second. Returns 0 or an errno value; every child is reaped.
int proclab_floor_fork_rate(int n, int max_procs, int64_t *wall_ns) {
	if (n < 1 || max_procs < 1)
		return EINVAL;
	pid_t *ring = calloc((size_t)max_procs, sizeof *ring);
	if (!ring)
		return ENOMEM;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = 0, head = 0, live = 0, started = 0;
	int64_t t0 = proclab_now_ns();
	while (started < n || live > 0) {
		if (started < n && live < max_procs && err == 0) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			if (p < 0) {
				err = errno;
				started = n; // stop creating; reap what runs
				continue;
			}
			ring[(head + live) % max_procs] = p;
			live++;
			started++;
			continue;
		}
		int e = reap(ring[head], 0);
		if (e && !err)
			err = e;
		head = (head + 1) % max_procs;
		live--;
	}
	*wall_ns = proclab_now_ns() - t0;
	pthread_sigmask(SIG_SETMASK, &old, 0);
	free(ring);
	return err;
}
