#include <time.h>

#include "csys.h"

// proclab_now_ns reads CLOCK_MONOTONIC (through the vDSO: no system call).
// The clock is system-wide, so stamps taken in the lab and in its children
// compare directly. Async-signal-safe.
int64_t proclab_now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
