// floor_true.c: the smallest program worth exec'ing. No libc, no dynamic
// loader, no runtime: its first instruction stamps CLOCK_MONOTONIC, writes
// the 8 bytes to fd 3 and exits. proclab calibrate builds it (static,
// -nostdlib) and execs it to measure the machine's floor for fork+exec and
// posix_spawn: what any exec costs before any program of its own runs.
//
// It is not part of package csys (cgo compiles only the package
// directory's own .c files); csys embeds this source and compiles it with
// the C compiler at calibrate time.
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static long sys3(long n, long a, long b, long c) {
	long r;
#if defined(__x86_64__)
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	r = x0;
#else
#error "floor_true.c: no system call stub for this architecture"
#endif
	return r;
}

#if defined(__x86_64__)
__attribute__((force_align_arg_pointer))
#endif
void _start(void) {
	struct timespec ts;
	sys3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0);
	int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	sys3(SYS_write, 3, (long)&ns, sizeof ns);
	sys3(SYS_exit_group, 0, 0, 0);
	for (;;) {
	}
}
