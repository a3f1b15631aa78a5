// floor_main.c: csys/floor.c's fork floor in a minimal C process (a few
// hundred KiB mapped) instead of the lab's Go process, to show what the
// size of the forking process adds. Prints Go benchmark lines:
//   floor_c [n]
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "csys.h"

static int cmp(const void *a, const void *b) {
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 200;
	if (n < 1) {
		fprintf(stderr, "usage: floor_c [n]\n");
		return 2;
	}
	struct proclab_floor_sample *s = calloc((size_t)n, sizeof *s);
	int64_t *st = calloc((size_t)n, sizeof *st), *tt = calloc((size_t)n, sizeof *tt);
	if (!s || !st || !tt || proclab_floor(PROCLAB_FLOOR_FORK, 0, 0, 0, n, s) != 0) {
		perror("floor");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		st[i] = s[i].startup_ns;
		tt[i] = s[i].total_ns;
	}
	qsort(st, (size_t)n, sizeof *st, cmp);
	qsort(tt, (size_t)n, sizeof *tt, cmp);
	printf("BenchmarkFloorMinimalC/kind=fork-%ld\t%d\t%lld ns/op\t%lld startup-ns/op\n",
	       sysconf(_SC_NPROCESSORS_ONLN), n, (long long)tt[n / 2], (long long)st[n / 2]);
	return 0;
}
