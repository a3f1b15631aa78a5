// hotloop_main.c: a standalone C build of csys/hotloop.c, no Go anywhere,
// to set beside BenchmarkHotLoop (the same function called through cgo).
// scripts/bench.sh compiles it with the flags cgo uses. It prints Go
// benchmark lines, so benchstat compares the two directly:
//   hotloop_c [n_iters [reps]]
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "csys.h"

static double now_ns(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
	uint64_t n = argc > 1 ? strtoull(argv[1], 0, 10) : 10000000;
	int reps = argc > 2 ? atoi(argv[2]) : 100;
	if (n < 1 || reps < 1) {
		fprintf(stderr, "usage: hotloop_c [n_iters [reps]]\n");
		return 2;
	}
	volatile uint64_t sink = proclab_hot_loop(n / 10); // warm up
	double t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (int r = 0; r < reps; r++)
		sink ^= proclab_hot_loop(n);
	double per_op = (now_ns(CLOCK_MONOTONIC) - t0) / reps;
	double cpu_per_op = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / reps;
	// The -N suffix matches the Go benchmark's GOMAXPROCS (the CPU count).
	printf("BenchmarkHotLoop-%ld\t%d\t%.0f ns/op\t%.4f ns/iter\t%.4f cpu-ns/iter\n",
	       sysconf(_SC_NPROCESSORS_ONLN), reps, per_op, per_op / (double)n, cpu_per_op / (double)n);
	return sink == 42; // keep the result live
}
