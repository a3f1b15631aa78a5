// worker.c: recognising a re-exec'd worker before the Go runtime starts.
//
// A worker is this same binary started as
//   proclab __proclab_worker <proto> <lab-pid> <task> <n_iters> <profile_hz>
// with its result pipe at fd 3. The constructor below runs from the ELF
// init array, before Go's runtime and before any CLI code (the pattern runc's
// nsenter uses). It stamps the clock, checks the arguments and the pipe, and
// leaves the task to proclab_worker_main, which csys's Go init calls once
// the runtime is up. Bad arguments or a missing pipe end the process here
// with exit status 2 and a one-line message.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csys.h"

int proclab_worker_mode;
int64_t proclab_exec_done_ns;
static struct proclab_task worker_task;

// proclab_say writes one line to stderr: prefix, what, ": arg" when arg is
// set, then tail (which ends the line). Only write(2): the constructors
// that call it run before anything else is set up.
void proclab_say(const char *prefix, const char *what, const char *arg, const char *tail) {
	write(2, prefix, strlen(prefix));
	write(2, what, strlen(what));
	if (arg) {
		write(2, ": ", 2);
		write(2, arg, strlen(arg));
	}
	write(2, tail, strlen(tail));
}

void proclab_name_self(const char *argv0) {
	if (!argv0 || !*argv0)
		return;
	const char *base = strrchr(argv0, '/');
	prctl(PR_SET_NAME, base ? base + 1 : argv0); // the kernel cuts it at 15 bytes
}

void proclab_ignore_terminal_signals(void) {
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, 0);
	sigaction(SIGQUIT, &ign, 0);
	sigaction(SIGPIPE, &ign, 0);
}

static void die(const char *what, const char *arg) {
	proclab_say("proclab worker: ", what, arg, " (workers are started by proclab, not by hand)\n");
	_exit(2);
}

// proclab_parse_u64 accepts only a plain decimal number that fits in max.
int proclab_parse_u64(const char *s, uint64_t max, uint64_t *out) {
	if (!s || !*s)
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

// PROCLAB_TEST_FDS_ENV names a test-only switch: when a worker's
// environment holds PROCLAB_TEST_FDS=<path>, its constructor lists the fds
// it was started with, before the Go runtime opens its own (an epoll fd
// and a wakeup pipe, at a moment the test cannot see from outside), and
// writes them to <path> as "0,1,2,3\n". csys's TestChildHoldsNoOtherFD
// sets it; proclab itself never does.
#define PROCLAB_TEST_FDS_ENV "PROCLAB_TEST_FDS="

static void report_fds_for_test(char **envp) {
	const char *path = 0;
	size_t n = strlen(PROCLAB_TEST_FDS_ENV);
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, PROCLAB_TEST_FDS_ENV, n) == 0)
			path = *e + n;
	if (!path || !*path)
		return;
	// Listed before anything is opened to write them, so the list is exactly
	// what exec left this process (the directory's own fd is left out).
	char buf[4096];
	size_t len = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		die("test: cannot list /proc/self/fd", 0);
	int self = dirfd(d);
	int want[1024], nwant = 0;
	for (struct dirent *de; (de = readdir(d)) != 0;) {
		uint64_t fd;
		if (proclab_parse_u64(de->d_name, 0x7fffffff, &fd) != 0 || (int)fd == self)
			continue;
		if (nwant < (int)(sizeof want / sizeof want[0]))
			want[nwant++] = (int)fd;
	}
	closedir(d);
	// readdir gives /proc/self/fd in ascending order; sort anyway.
	for (int i = 1; i < nwant; i++)
		for (int j = i; j > 0 && want[j - 1] > want[j]; j--) {
			int t = want[j];
			want[j] = want[j - 1];
			want[j - 1] = t;
		}
	for (int i = 0; i < nwant && len + 16 < sizeof buf; i++) {
		char num[12];
		int k = 0;
		for (int v = want[i]; k == 0 || v > 0; v /= 10)
			num[k++] = (char)('0' + v % 10);
		if (i > 0)
			buf[len++] = ',';
		while (k > 0)
			buf[len++] = num[--k];
	}
	buf[len++] = '\n';
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0 || write(out, buf, len) != (ssize_t)len)
		die("test: cannot write the fd list", path);
	close(out);
}

__attribute__((constructor)) static void proclab_worker_ctor(int argc, char **argv, char **envp) {
	// The floor of exec'ing this very image (proclab calibrate): stamp the
	// clock, report it on fd 3 and leave before the Go runtime starts.
	if (argc == 2 && strcmp(argv[1], PROCLAB_FLOOR_ARG) == 0) {
		int64_t ns = proclab_now_ns();
		_exit(write(PROCLAB_WORKER_FD, &ns, sizeof ns) == (ssize_t)sizeof ns ? 0 : 2);
	}
	if (argc < 2 || strcmp(argv[1], PROCLAB_WORKER_ARG) != 0)
		return;
	proclab_exec_done_ns = proclab_now_ns();
	report_fds_for_test(envp);
	proclab_name_self(argv[0]);
	// Before the Go runtime starts: it keeps an ignored SIGINT ignored.
	proclab_ignore_terminal_signals();
	if (argc != 7)
		die("want 5 arguments after " PROCLAB_WORKER_ARG, 0);
	uint64_t proto, lab, task, iters, hz;
	if (proclab_parse_u64(argv[2], 1000, &proto) != 0 || proto != PROCLAB_RECORD_VERSION)
		die("unsupported protocol version", argv[2]);
	if (proclab_parse_u64(argv[3], 0x7fffffff, &lab) != 0 || lab < 1)
		die("bad lab pid", argv[3]);
	if (proclab_parse_u64(argv[4], 0xffffffffu, &task) != 0)
		die("bad task index", argv[4]);
	if (proclab_parse_u64(argv[5], UINT64_MAX, &iters) != 0 || iters < 1)
		die("bad n_iters", argv[5]);
	if (proclab_parse_u64(argv[6], 100000, &hz) != 0)
		die("bad profile_hz", argv[6]);
	struct stat st;
	if (fstat(PROCLAB_WORKER_FD, &st) != 0)
		die("no result pipe on fd 3", 0);
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		die("fd 3 is not a pipe", 0);
	fcntl(PROCLAB_WORKER_FD, F_SETFD, FD_CLOEXEC);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((uint64_t)getppid() != lab)
		_exit(126); // the lab died before we could arm PDEATHSIG
	worker_task.task = (uint32_t)task;
	worker_task.n_iters = iters;
	worker_task.profile_hz = (uint32_t)hz;
	proclab_worker_mode = 1;
}

// proclab_worker_main runs the worker's task; called from Go once the
// runtime is up, never returns.
void proclab_worker_main(int64_t runtime_ready_ns) {
	// The runtime installed its own SIGQUIT and SIGPIPE handlers (a
	// goroutine dump, a crash on a broken pipe); the task wants neither.
	proclab_ignore_terminal_signals();
	// Nor its crash handlers: a worker sent SIGSEGV (or hit one in the C
	// loop) printed a Go trace of ~100 lines on the lab's stderr and
	// exited 2. The task runs in C from here and never returns into Go,
	// so the default action is right: the worker dies by the signal, and
	// the lab reports it so, as it does a fork child.
	static const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (unsigned i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &dfl, 0);
	proclab_child_task(&worker_task, PROCLAB_WORKER_FD,
	                   PROCLAB_REC_EXECED | PROCLAB_REC_GO_RUNTIME,
	                   proclab_exec_done_ns, runtime_ready_ns);
}
