// forkserver.c: the forkserver, entirely in C.
//
// The lab posix_spawns this same binary as
//   proclab __proclab_forkserver <version> <lab-pid>
// with one end of a SOCK_SEQPACKET socketpair on fd 3. The constructor below
// runs from the ELF init array before the Go runtime starts any thread,
// recognises that argv, and never returns: the server loop runs here and
// ends in _exit, so the Go runtime never starts in the server. The server is
// therefore truly single-threaded and small, and fork() in it is an
// ordinary fork of a single-threaded C program.
//
// The loop: poll() the socket and a signalfd for SIGCHLD. A START request
// carries a task and, in SCM_RIGHTS, the task's result pipe; the server
// fork()s a child that runs the task and replies STARTED (pid, or the errno
// of a failed fork: EAGAIN is an answer, not the end of the server). Only
// the server can wait for its children; it reaps one with wait4 once the
// child has ended and the lab has sent REAP for it (the lab is done with
// its pid), and sends EXITED with the wait status and rusage. KILL asks the
// server to SIGKILL a child it has not reaped: the lab never signals a pid
// that may have been reaped and reused (see csys.h). EOF on the socket
// means the run is over or the lab is gone: the server kills and reaps the
// children it still has, then exits. It dies with the lab (PDEATHSIG), and
// its children die with it (PDEATHSIG again, set in proclab_child_setup).
//
// Exit status: 0 the lab closed the socket; 2 started wrongly (by hand);
// 3 a malformed request; 4 the socket or a system call failed; 126 the lab
// died before the server could arm PDEATHSIG.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csys.h"

static const int sock = PROCLAB_FS_FD;

// The children not yet reaped, so that the server can kill them when the
// lab asks or goes away, and reap them once the lab allows it. Plain
// malloc is fine here: this process has one thread.
struct kid {
	pid_t pid;
	int released; // the lab sent REAP: reap it once it has ended
};
static struct kid *kids;
static size_t n_kids, cap_kids;

static void say(const char *what, const char *arg) {
	proclab_say("proclab forkserver: ", what, arg, "\n");
}

static void die_usage(const char *what, const char *arg) {
	proclab_say("proclab forkserver: ", what, arg, " (the forkserver is started by proclab, not by hand)\n");
	_exit(2);
}

// kids_reserve makes room for one more child before the fork, so that a
// child once forked is always tracked.
static int kids_reserve(void) {
	if (n_kids < cap_kids)
		return 0;
	size_t cap = cap_kids ? cap_kids * 2 : 64;
	struct kid *p = realloc(kids, cap * sizeof *p);
	if (!p)
		return -1;
	kids = p;
	cap_kids = cap;
	return 0;
}

static struct kid *kids_find(pid_t pid) {
	for (size_t i = 0; i < n_kids; i++)
		if (kids[i].pid == pid)
			return &kids[i];
	return 0;
}

static void kids_remove(pid_t pid) {
	struct kid *k = kids_find(pid);
	if (k)
		*k = kids[--n_kids];
}

static void header(struct proclab_fs_header *h, uint16_t type) {
	h->magic = PROCLAB_FS_MAGIC;
	h->version = PROCLAB_FS_VERSION;
	h->type = type;
}

// send_msg sends one packet. MSG_NOSIGNAL: a lab that is gone is an error
// return (EPIPE), not a SIGPIPE.
static int send_msg(const void *m, size_t n) {
	for (;;) {
		ssize_t w = send(sock, m, n, MSG_NOSIGNAL);
		if (w == (ssize_t)n)
			return 0;
		if (w < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

static int64_t tv_ns(struct timeval tv) {
	return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

static int report_exit(pid_t pid, int status, const struct rusage *ru, int64_t reaped_ns) {
	struct proclab_fs_exited m;
	memset(&m, 0, sizeof m);
	header(&m.h, PROCLAB_FS_EXITED);
	m.pid = pid;
	m.status = status;
	m.user_ns = tv_ns(ru->ru_utime);
	m.sys_ns = tv_ns(ru->ru_stime);
	m.maxrss_bytes = (int64_t)ru->ru_maxrss * 1024; // KiB on Linux
	m.minflt = ru->ru_minflt;
	m.majflt = ru->ru_majflt;
	m.nvcsw = ru->ru_nvcsw;
	m.nivcsw = ru->ru_nivcsw;
	m.reaped_ns = reaped_ns;
	return send_msg(&m, sizeof m);
}

// finish kills and reaps the children still running, reports them while
// the lab still listens, and exits.
static void finish(int code) __attribute__((noreturn));
static void finish(int code) {
	for (size_t i = 0; i < n_kids; i++)
		kill(kids[i].pid, SIGKILL);
	while (n_kids > 0) {
		int st;
		struct rusage ru;
		pid_t p = wait4(-1, &st, 0, &ru);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break; // ECHILD: nothing left to reap
		}
		kids_remove(p);
		report_exit(p, st, &ru, proclab_now_ns()); // best effort
	}
	_exit(code);
}

// reap_released reaps every child the lab has released that has ended,
// without blocking. Children not released stay zombies: their pids stay
// theirs while the lab may still read /proc for them.
static void reap_released(void) {
	for (size_t i = 0; i < n_kids;) {
		if (!kids[i].released) {
			i++;
			continue;
		}
		int st;
		struct rusage ru;
		pid_t p = wait4(kids[i].pid, &st, WNOHANG, &ru);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0) {
			i++; // still running (or, ECHILD, not ours: cannot happen)
			continue;
		}
		int64_t t = proclab_now_ns();
		kids[i] = kids[--n_kids]; // look at the one moved here next
		if (report_exit(p, st, &ru, t) != 0)
			finish(4);
	}
}

// on_pid handles KILL and REAP. A pid the server does not have (reaped
// already, or never its child) is ignored: it names no child of ours.
static void on_pid(const struct proclab_fs_pid *m) {
	struct kid *k = kids_find(m->pid);
	if (!k)
		return;
	if (m->h.type == PROCLAB_FS_KILL) {
		kill(k->pid, SIGKILL); // unreaped: the pid is still this child's
		return;
	}
	k->released = 1;
	reap_released();
}

// serve_one reads one request: a START forks a child, KILL and REAP act
// on one.
static void serve_one(pid_t self) {
	union {
		struct proclab_fs_header h;
		struct proclab_fs_start start;
		struct proclab_fs_pid pid;
		char longer[sizeof(struct proclab_fs_start) + 1]; // a longer packet shows
	} in;
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {&in, sizeof in};
	struct msghdr msg;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		say("reading the socket", strerror(errno));
		finish(4);
	}
	if (n == 0)
		finish(0); // the lab closed its end: the run is over, or the lab is gone

	// Keep the first fd passed, close any other.
	int fd = -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;
			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof f);
			if (fd < 0)
				fd = f;
			else
				close(f);
		}
	}
	int ok = n >= (ssize_t)sizeof in.h && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
	         in.h.magic == PROCLAB_FS_MAGIC && in.h.version == PROCLAB_FS_VERSION;
	if (ok && (in.h.type == PROCLAB_FS_KILL || in.h.type == PROCLAB_FS_REAP) &&
	    n == (ssize_t)sizeof in.pid && fd < 0) {
		on_pid(&in.pid);
		return;
	}
	if (!ok || in.h.type != PROCLAB_FS_START || n != (ssize_t)sizeof in.start) {
		if (fd >= 0)
			close(fd);
		say("malformed request from the lab", 0);
		finish(3);
	}
	const struct proclab_fs_start req = in.start;

	struct proclab_fs_started rep;
	memset(&rep, 0, sizeof rep);
	header(&rep.h, PROCLAB_FS_STARTED);
	rep.seq = req.seq;
	rep.task = req.task.task;
	if (fd < 0) {
		rep.err = EBADF; // no result pipe came with the request
	} else if (kids_reserve() != 0) {
		rep.err = ENOMEM;
	} else {
		struct proclab_task task = req.task;
		rep.fork_ns = proclab_now_ns();
		pid_t p = fork();
		if (p == 0) {
			// Child: async-signal-safe calls only, never return. (This
			// process had one thread, so nothing is locked; the contract
			// is the same as after the lab's own fork.)
			int out = proclab_child_setup(self, fd, -1);
			if (out < 0)
				_exit(126);
			proclab_child_task(&task, out, 0, 0, 0);
		}
		if (p < 0) {
			rep.err = errno;
		} else {
			kids[n_kids].pid = p;
			kids[n_kids].released = 0;
			n_kids++;
			rep.pid = p;
		}
	}
	if (fd >= 0)
		close(fd); // the child holds the pipe now; EOF must follow its end
	if (send_msg(&rep, sizeof rep) != 0)
		finish(4);
}

static void serve(pid_t lab) __attribute__((noreturn));
static void serve(pid_t lab) {
	pid_t self = getpid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != lab)
		_exit(126); // the lab died before PDEATHSIG was armed

	// Ctrl-C and Ctrl-\ reach the whole process group; the lab handles
	// them (it kills the tasks and then closes the socket), so the server
	// ignores them, as Python's forkserver does; so do its children
	// (proclab_child_setup). SIGCHLD must not be ignored, or the kernel would
	// reap the children and their rusage would be lost.
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGQUIT, &sa, 0);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, 0);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, 0);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		say("signalfd", strerror(errno));
		_exit(4);
	}

	struct proclab_fs_ready ready;
	memset(&ready, 0, sizeof ready);
	header(&ready.h, PROCLAB_FS_READY);
	ready.pid = self;
	ready.ready_ns = proclab_now_ns();
	if (send_msg(&ready, sizeof ready) != 0)
		finish(4);

	struct pollfd pf[2] = {{sock, POLLIN, 0}, {sfd, POLLIN, 0}};
	for (;;) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			say("poll", strerror(errno));
			finish(4);
		}
		if (pf[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) > 0) {
			}
			reap_released();
		}
		if (pf[0].revents)
			serve_one(self);
	}
}

__attribute__((constructor)) static void proclab_forkserver_ctor(int argc, char **argv, char **envp) {
	(void)envp;
	if (argc < 2 || strcmp(argv[1], PROCLAB_FS_ARG) != 0)
		return;
	if (argc != 4)
		die_usage("want 2 arguments after " PROCLAB_FS_ARG, 0);
	uint64_t version, lab;
	if (proclab_parse_u64(argv[2], 1000, &version) != 0 || version != PROCLAB_FS_VERSION)
		die_usage("unsupported protocol version", argv[2]);
	if (proclab_parse_u64(argv[3], 0x7fffffff, &lab) != 0 || lab < 1)
		die_usage("bad lab pid", argv[3]);
	proclab_name_self(argv[0]);
	struct stat st;
	int type = 0;
	socklen_t len = sizeof type;
	if (fstat(sock, &st) != 0 || !S_ISSOCK(st.st_mode))
		die_usage("no socket on fd 3", 0);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET)
		die_usage("fd 3 is not a SOCK_SEQPACKET socket", 0);
	serve((pid_t)lab);
}
