// hotloop.c: the CPU task every method runs. It lives alone in this file so
// that profiles name it and nothing else.
#include "csys.h"

// proclab_hot_loop advances a xorshift64 generator n_iters times and folds
// every state into a checksum. Each step depends on the one before (a serial
// chain of shifts and xors), so the compiler can neither vectorize the loop
// nor replace it with a closed form; the result depends on every iteration,
// so the loop cannot be dropped. noinline keeps it one symbol in profiles.
__attribute__((noinline)) uint64_t proclab_hot_loop(uint64_t n_iters) {
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint64_t acc = 0;
	for (uint64_t i = 0; i < n_iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x ^ i;
	}
	return acc ^ x;
}
