// arena.c: one malloc arena for the lab process.
//
// glibc gives each thread that calls malloc an arena of its own (up to 8
// per CPU), each its own mapping with its lock in its first page. fork()
// runs glibc's atfork handlers, which lock every arena before the fork and
// unlock every one after it in parent and child alike: each unlock writes
// to a page the two now share copy-on-write, so every arena costs a fault
// (and a TLB flush on the other CPUs) in both, per fork. perf of
// `proclab rate --method fork` put ~25% of the page faults there. The lab
// mallocs little, and never in a timed section: one arena serves it.
#define _GNU_SOURCE
#include <malloc.h>

#include "csys.h"

#include <stdint.h>

// proclab_main_tls is the address of a thread-local variable of the main
// thread: its TLS block, which a dynamically linked program's loader
// mmaps, must stay in fork children (csys/dontfork.go), since a child
// forked from the main thread reads errno there.
static __thread int main_tls_probe;
uintptr_t proclab_main_tls;

__attribute__((constructor)) static void proclab_one_arena(void) {
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 1);
#endif
	proclab_main_tls = (uintptr_t)&main_tls_probe;
}
