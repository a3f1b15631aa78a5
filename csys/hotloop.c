// hotloop.c: the CPU task every method runs. It lives alone in this file so
// that profiles name it and nothing else.
#include "csys.h"

// The stop flag of the task running on this thread, or NULL: tasks that run
// inside the lab (thread, single) cannot be killed, so --timeout and Ctrl-C
// end them through it (proclab_hot_loop_stoppable, inproc.c, sets it around
// the call). Child processes leave it NULL. A thread-local rather than a
// parameter keeps one hot loop, under one name, for every method's profile.
__thread const volatile uint32_t *proclab_hot_loop_stop;
// The iterations the last call on this thread ran: n_iters unless stopped.
__thread uint64_t proclab_hot_loop_done;

// proclab_hot_loop advances a xorshift64 generator n_iters times and folds
// every state into a checksum. Each step depends on the one before (a serial
// chain of shifts and xors), so the compiler can neither vectorize the loop
// nor replace it with a closed form; the result depends on every iteration,
// so the loop cannot be dropped. noinline keeps it one symbol in profiles.
// It runs in blocks of PROCLAB_STOP_EVERY iterations and, if this thread
// has a stop flag, reads it after each: one load and one branch per block,
// which costs nothing measurable (BenchmarkHotLoopStoppable).
__attribute__((noinline)) uint64_t proclab_hot_loop(uint64_t n_iters) {
	const volatile uint32_t *stop = proclab_hot_loop_stop;
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint64_t acc = 0;
	uint64_t i = 0;
	while (i < n_iters) {
		uint64_t end = n_iters - i > PROCLAB_STOP_EVERY ? i + PROCLAB_STOP_EVERY : n_iters;
		for (; i < end; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			acc += x ^ i;
		}
		if (stop != 0 && *stop != 0)
			break;
	}
	proclab_hot_loop_done = i;
	return acc ^ x;
}
