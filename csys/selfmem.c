// selfmem.c: a child process reads its own memory figures and CPU time.
//
// Everything here runs in a fork child (or a re-exec'd worker) after its
// task, under the same contract as proclab_child_task: async-signal-safe
// calls only (open, read, close, clock_gettime), no malloc, no stdio, no
// locks, and the buffer is static. A fork child has one thread, so the
// static buffer is never shared; a worker reads its memory from the one
// thread that runs its task.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "csys.h"

// /proc/self/status is ~1.5 KiB and /proc/self/smaps_rollup ~0.8 KiB; the
// fields read here come early in both.
static char membuf[4096];

// read_file reads path into membuf (at most sizeof membuf - 1 bytes,
// NUL-terminated); returns the length, or -errno.
static ssize_t read_file(const char *path) {
	int fd;
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	while (n < sizeof membuf - 1) {
		ssize_t r = read(fd, membuf + n, sizeof membuf - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	membuf[n] = 0;
	return (ssize_t)n;
}

// proclab_kib_field finds the line "<key> <spaces> <number> kB" in buf
// (the format of /proc/PID/status and smaps_rollup) and returns the number
// in bytes, or -1 if there is no such line. key includes its colon, so
// "Pss:" does not match "Pss_Anon:". Async-signal-safe; exported for the
// tests of the parser.
int64_t proclab_kib_field(const char *buf, const char *key) {
	const char *line = buf;
	while (*line) {
		const char *p = line, *k = key;
		while (*k && *p == *k) {
			p++;
			k++;
		}
		if (*k == 0) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p < '0' || *p > '9')
				return -1;
			int64_t v = 0;
			for (; *p >= '0' && *p <= '9'; p++) {
				if (v > (INT64_MAX / 1024 - 9) / 10)
					return -1;
				v = v * 10 + (*p - '0');
			}
			return v * 1024;
		}
		while (*line && *line != '\n')
			line++;
		if (*line == '\n')
			line++;
	}
	return -1;
}

// proclab_self_mem reads the calling process's own memory figures, in
// bytes: its peak resident size (VmHWM from /proc/self/status) and its
// resident, proportional and unique sizes now (Rss, Pss, and
// Private_Clean + Private_Dirty from /proc/self/smaps_rollup). A figure
// that cannot be read is 0. Returns 0 or the errno of the first read that
// failed.
//
// Contract: async-signal-safe (open, read, close only; a static buffer; no
// malloc, no stdio, no locks), so it may run in a fork child of the
// multi-threaded lab. It is not reentrant: one caller at a time.
//
// Cost: smaps_rollup walks the page tables of every mapping, so the read
// grows with what the process maps: a fork child of a large parent walks
// the parent's copied page tables (see README, "End-of-task memory").
int proclab_self_mem(struct proclab_self_mem *m) {
	m->hwm_bytes = m->rss_bytes = m->pss_bytes = m->uss_bytes = 0;
	int err = 0;
	ssize_t n = read_file("/proc/self/status");
	if (n < 0) {
		err = (int)-n;
	} else {
		int64_t v = proclab_kib_field(membuf, "VmHWM:");
		if (v > 0)
			m->hwm_bytes = v;
		else
			err = ENODATA;
	}
	n = read_file("/proc/self/smaps_rollup");
	if (n < 0) {
		if (!err)
			err = (int)-n;
		return err;
	}
	int64_t rss = proclab_kib_field(membuf, "Rss:");
	int64_t pss = proclab_kib_field(membuf, "Pss:");
	int64_t pc = proclab_kib_field(membuf, "Private_Clean:");
	int64_t pd = proclab_kib_field(membuf, "Private_Dirty:");
	if (rss <= 0 || pss < 0 || pc < 0 || pd < 0)
		return err ? err : ENODATA;
	m->rss_bytes = rss;
	m->pss_bytes = pss;
	m->uss_bytes = pc + pd;
	return err;
}

// proclab_thread_cpu_ns reads the calling thread's CPU clock
// (CLOCK_THREAD_CPUTIME_ID): exact to the nanosecond, and current (unlike
// getrusage, whose user/sys split is tick-sampled and, for RUSAGE_THREAD,
// leaves out the running slice). Async-signal-safe. Returns -1 if the
// clock cannot be read.
int64_t proclab_thread_cpu_ns(void) {
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
