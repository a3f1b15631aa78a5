// csys.h: the C side of proclab. Every C declaration the Go side uses is
// here; the cgo preamble includes only this file.
#ifndef PROCLAB_CSYS_H
#define PROCLAB_CSYS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <time.h>

// ---- the hot loop (hotloop.c) ----

// proclab_hot_loop runs n_iters iterations of a serial xorshift chain and
// returns a checksum of all of them. Deterministic; see hotloop.c.
// It runs in blocks of PROCLAB_STOP_EVERY iterations; between blocks it
// reads the calling thread's stop flag, if any (see hotloop.c).
uint64_t proclab_hot_loop(uint64_t n_iters);

#define PROCLAB_STOP_EVERY 4096
extern __thread const volatile uint32_t *proclab_hot_loop_stop;
extern __thread uint64_t proclab_hot_loop_done;

// proclab_hot_loop_stoppable runs the hot loop in the calling thread until
// it is done or *stop becomes nonzero (checked every PROCLAB_STOP_EVERY
// iterations); *done is the iterations run, and the checksum is the hot
// loop's only when *done == n_iters (inproc.c).
uint64_t proclab_hot_loop_stoppable(uint64_t n_iters, const volatile uint32_t *stop,
                                    uint64_t *done);

// ---- the result record (record.c) ----
//
// One fixed-size header, followed by n_samples little-endian uint64 program
// counters. The Go decoder (record.go) mirrors this layout; TestRecordLayout
// checks the two agree.

#define PROCLAB_RECORD_MAGIC 0x43524c50u // "PLRC" little-endian
#define PROCLAB_RECORD_VERSION 2
#define PROCLAB_MAX_SAMPLES 8192

// Record flags.
#define PROCLAB_REC_EXECED 0x1    // the child ran a fresh image (execve)
#define PROCLAB_REC_GO_RUNTIME 0x2 // the child started its own Go runtime
#define PROCLAB_REC_PYTHON 0x4     // a Python child (lab/proclab_pydriver.py); its record is made by the lab

struct proclab_record {
	uint32_t magic;
	uint16_t version;
	uint16_t header_size;
	uint32_t task;
	uint32_t flags;
	int32_t pid;
	int32_t ppid;
	uint64_t n_iters;
	uint64_t checksum;
	int64_t exec_done_ns;     // CLOCK_MONOTONIC in the C constructor, 0 if not exec'd
	int64_t runtime_ready_ns; // CLOCK_MONOTONIC in Go init, 0 if no own runtime
	int64_t task_start_ns;    // CLOCK_MONOTONIC at the first instruction of the task
	int64_t task_end_ns;      // CLOCK_MONOTONIC after the loop
	uint64_t text_base;       // run-time address of the ELF header (PIE load base)
	uint32_t profile_hz;      // sampling rate asked for, 0 = not profiled
	uint32_t n_samples;       // PCs following the header
	uint32_t samples_dropped; // samples lost because the buffer was full
	uint32_t mem_err;         // errno of the end-of-task memory read, 0 if it worked
	int64_t task_cpu_ns;      // the task's CPU time around the loop (its thread's CPU clock)
	int64_t mem_read_ns;      // CLOCK_MONOTONIC when the memory read below was done
	// The child's own memory, read from /proc/self after task_end_ns (so the
	// read is in neither startup nor run); bytes, 0 if it could not be read.
	int64_t hwm_bytes;     // VmHWM: the peak resident size of its own mm
	int64_t end_rss_bytes; // smaps_rollup Rss at task end
	int64_t end_pss_bytes; // smaps_rollup Pss
	int64_t end_uss_bytes; // smaps_rollup Private_Clean + Private_Dirty
};

// ---- a child's own CPU and memory (selfmem.c) ----

struct proclab_self_mem {
	int64_t hwm_bytes, rss_bytes, pss_bytes, uss_bytes;
};
// proclab_self_mem reads the calling process's own memory from /proc/self;
// returns 0 or an errno value. Async-signal-safe, not reentrant.
int proclab_self_mem(struct proclab_self_mem *m);
// proclab_kib_field parses "<key> <n> kB" out of a /proc text; bytes or -1.
int64_t proclab_kib_field(const char *buf, const char *key);
// proclab_thread_cpu_ns is the calling thread's CPU clock; -1 on error.
int64_t proclab_thread_cpu_ns(void);

// ---- task parameters, shared by every way of running a task ----

struct proclab_task {
	uint32_t task;
	uint32_t profile_hz;
	uint64_t n_iters;
};

// ---- clock ----

int64_t proclab_now_ns(void); // CLOCK_MONOTONIC in nanoseconds

// ---- the sampling profiler (prof.c) ----

struct proclab_prof {
	uint64_t pcs[PROCLAB_MAX_SAMPLES];
	volatile uint32_t n;
	volatile uint32_t dropped;
};
extern struct proclab_prof proclab_prof_buf;
int proclab_prof_start(uint32_t hz);
void proclab_prof_stop(void);
void proclab_prof_record(struct proclab_prof *p, uint64_t pc);
void proclab_prof_hammer(struct proclab_prof *p, uint64_t pc, uint32_t count);
uint64_t proclab_interrupted_pc(void *ucontext);
uint64_t proclab_first_delay_ns(uint32_t hz);

// run-time address of this executable's ELF header (its load base if PIE)
uint64_t proclab_text_base(void);

// ---- sampling a task that runs inside the lab (inprof.c) ----

// A per-task sample buffer owned by the caller; pcs has room for cap PCs.
struct proclab_thread_prof {
	uint64_t *pcs;
	uint32_t cap;
	volatile uint32_t n;
	volatile uint32_t dropped;
};
int proclab_thread_prof_start(struct proclab_thread_prof *p, uint32_t hz, timer_t *timer);
void proclab_thread_prof_stop(timer_t timer);
uint64_t proclab_thread_prof_stray(void);

// ---- child side (child.c) ----

// proclab_child_setup prepares a fresh fork child (signals, parent death,
// fds); returns the result fd or -1 with errno set. Async-signal-safe.
int proclab_child_setup(pid_t parent, int out_fd, int keep);
extern int proclab_test_no_close_range; // tests: take the fallback of close_range

// The main thread's TLS block lies here (arena.c): fork children keep it.
extern uintptr_t proclab_main_tls;

// proclab_child_task runs one task in a child process and never returns:
// it writes its record to out_fd and _exits. Async-signal-safe only.
void proclab_child_task(const struct proclab_task *t, int out_fd, uint32_t flags,
                        int64_t exec_done_ns, int64_t runtime_ready_ns)
	__attribute__((noreturn));

// proclab_child_skip_mem, set in a fork child before proclab_child_task,
// skips the end-of-task read of its own memory (proclab rate: the read is
// the lab's instrument, a walk of the child's page tables, not the task).
extern int proclab_child_skip_mem;

// ---- creating processes (fork.c, spawn.c) ----

// All return 0 or an errno value; *pid and *t_create_ns are set on success.
int proclab_fork_run(const struct proclab_task *t, int out_fd, int skip_mem, int *pid,
                     int64_t *t_create_ns);
int proclab_fork_exec(const char *path, char *const argv[], char *const envp[],
                      int out_fd, int cancel_fd, int timeout_ms, int *pid,
                      int64_t *t_create_ns);
extern int proclab_test_stall_exec; // tests: the fork-exec child pauses before execve
int proclab_posix_spawn(const char *path, char *const argv[], char *const envp[],
                        int out_fd, int *pid, int64_t *t_create_ns);

// The outcome of a create call, returned by value (create.c).
struct proclab_created {
	int32_t err; // 0 or an errno value
	int32_t pid;
	int64_t t_create_ns; // CLOCK_MONOTONIC just before the create call
};

// How proclab_start_worker starts the worker.
#define PROCLAB_START_SPAWN 1     // posix_spawn
#define PROCLAB_START_FORK_EXEC 2 // fork + execve

struct proclab_created proclab_fork_task(uint32_t task, uint64_t n_iters, uint32_t profile_hz,
                                         int skip_mem, int out_fd);
// cancel_fd and timeout_ms bound the wait for a fork-exec worker's exec
// (see proclab_fork_exec); posix_spawn's own wait cannot be bounded.
struct proclab_created proclab_start_worker(int how, const char *path, const char *argv0,
                                            char *const envp[], int32_t lab_pid, uint32_t task,
                                            uint64_t n_iters, uint32_t profile_hz, int out_fd,
                                            int cancel_fd, int timeout_ms);

// ---- in-process tasks (inproc.c) ----

struct proclab_inproc {
	int64_t task_start_ns, task_end_ns;
	uint64_t checksum;
	uint64_t iters_done; // < n_iters if the task was stopped
	int32_t tid;
	int64_t task_cpu_ns; // the thread's CPU clock around the loop
	int64_t user_ns, sys_ns;
	int64_t minflt, majflt, nvcsw, nivcsw;
	uint32_t n_samples, samples_dropped; // profile: PCs stored in pcs, PCs lost
	int32_t prof_err;                    // errno if sampling could not start, else 0
};
void proclab_task_inproc(const struct proclab_task *t, struct proclab_inproc *out,
                         uint64_t *pcs, uint32_t cap, const volatile uint32_t *stop);

// ---- the re-exec'd worker (worker.c) ----

#define PROCLAB_WORKER_ARG "__proclab_worker"
#define PROCLAB_FLOOR_ARG "__proclab_floor" // stamp to fd 3 in the constructor and exit
#define PROCLAB_WORKER_FD 3

extern int proclab_worker_mode;        // set by the constructor
extern int64_t proclab_exec_done_ns;   // stamped by the constructor
void proclab_worker_main(int64_t runtime_ready_ns) __attribute__((noreturn));

// proclab_parse_u64 accepts only a plain decimal number that fits in max;
// returns 0 or -1. For the constructors, which run before any Go code.
int proclab_parse_u64(const char *s, uint64_t max, uint64_t *out);
// proclab_say writes one line to stderr with write(2) only (worker.c).
void proclab_say(const char *prefix, const char *what, const char *arg, const char *tail);
// proclab_name_self sets the process name (comm) to argv0's last element:
// workers and the server are exec'd through /proc/self/exe, which would
// otherwise name them "exe".
void proclab_name_self(const char *argv0);
// proclab_ignore_terminal_signals ignores SIGINT, SIGQUIT and SIGPIPE:
// Ctrl-C and Ctrl-\ are for the lab (it kills its tasks and reports them
// interrupted), and a record written to a lab that is gone is exit 3, not
// a SIGPIPE death. Async-signal-safe.
void proclab_ignore_terminal_signals(void);

// ---- the forkserver (forkserver.c) ----
//
// One server per lab run: this same binary started as
//   proclab __proclab_forkserver <version> <lab-pid>
// with one end of an AF_UNIX SOCK_SEQPACKET socketpair on fd 3. A C
// constructor recognises it and runs the whole server in C, so the Go
// runtime never starts there: the server is single-threaded and small.
// Every message is one packet: a header, then a fixed body per type.
// Fields are fixed-width, little-endian (the lab runs on the same host);
// the Go side (forkserver.go) mirrors the layout and TestForkserverLayout
// checks that the two agree.

#define PROCLAB_FS_ARG "__proclab_forkserver"
#define PROCLAB_FS_FD 3
#define PROCLAB_FS_MAGIC 0x53464c50u // "PLFS" little-endian
#define PROCLAB_FS_VERSION 2

// Message types.
#define PROCLAB_FS_READY 1   // server -> lab, once, when it is ready
#define PROCLAB_FS_START 2   // lab -> server, the result pipe in SCM_RIGHTS
#define PROCLAB_FS_STARTED 3 // server -> lab, after each fork (or its failure)
#define PROCLAB_FS_EXITED 4  // server -> lab, for each child it reaped
#define PROCLAB_FS_KILL 5    // lab -> server: SIGKILL this child, if not reaped yet
#define PROCLAB_FS_REAP 6    // lab -> server: reap this child once it has ended

// Pids and reaping. A child's pid names it only until it is reaped; after
// that the kernel may give the number to any new process. So the lab never
// signals a forkserver child itself (it sends KILL: the server knows which
// of its children are still unreaped), and the server reaps a child only
// after the lab's REAP, which the lab sends once it has stopped sampling
// that pid. Until then an ended child stays a zombie and its pid stays
// taken. At EOF on the socket (the run is over, or the lab is gone) the
// server kills and reaps every child left.

struct proclab_fs_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
};

struct proclab_fs_ready {
	struct proclab_fs_header h;
	int32_t pid;      // the server
	uint32_t reserved;
	int64_t ready_ns; // CLOCK_MONOTONIC just before READY was sent
};

struct proclab_fs_start {
	struct proclab_fs_header h;
	uint32_t seq; // chosen by the lab, echoed in STARTED
	uint32_t reserved;
	struct proclab_task task;
};

struct proclab_fs_started {
	struct proclab_fs_header h;
	uint32_t seq;
	uint32_t task;
	int32_t pid;     // the child, 0 if the fork failed
	int32_t err;     // errno of the failed fork (EAGAIN...), 0 on success
	int64_t fork_ns; // CLOCK_MONOTONIC just before fork()
};

// KILL and REAP.
struct proclab_fs_pid {
	struct proclab_fs_header h;
	int32_t pid;
	uint32_t reserved;
};

struct proclab_fs_exited {
	struct proclab_fs_header h;
	int32_t pid;
	int32_t status; // wait status, as wait4 returned it
	int64_t user_ns, sys_ns;
	int64_t maxrss_bytes;
	int64_t minflt, majflt, nvcsw, nivcsw;
	int64_t reaped_ns; // CLOCK_MONOTONIC when wait4 returned in the server
};

// ---- the machine's floor (floor.c) ----

// Ways the floor creates a process.
#define PROCLAB_FLOOR_FORK 1      // fork(); the child stamps and _exits
#define PROCLAB_FLOOR_VFORK 2     // vfork(); the child stamps and _exits
#define PROCLAB_FLOOR_FORK_EXEC 3 // fork(), dup2 to fd 3, execve(path)
#define PROCLAB_FLOOR_SPAWN 4     // posix_spawn(path), fd 3 the stamp pipe

struct proclab_floor_sample {
	int64_t startup_ns; // create call to the child's first stamp; -1 if it wrote none
	int64_t total_ns;   // create call to wait4 returning
	int64_t minflt;     // the child's minor page faults (wait4's rusage)
};

int proclab_floor(int kind, const char *path, char *const argv[], char *const envp[], int n,
                  struct proclab_floor_sample *out);
int proclab_floor_fork_rate(int n, int max_procs, int64_t *wall_ns);

#endif
