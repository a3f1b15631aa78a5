package results

import "github.com/google/pprof/profile"

// Schema names the version of the run document (results.json).
const Schema = "proclab/v1"

// Result is everything one proclab invocation measured: a run of one or
// more methods, or a compare grid (Cells set). Renderers take it and
// return bytes; nothing else writes output.
type Result struct {
	Schema string   `json:"schema"`
	Spec   SpecInfo `json:"spec"`

	// Forkserver is the run's forkserver, measured once; null when no
	// method used it.
	Forkserver *ForkserverInfo `json:"forkserver"`
	// Python is the run's Python driver, measured once; null when no py-*
	// method ran.
	Python *PythonInfo `json:"python"`

	// Summary is the runs summarised per group (method, parent size,
	// n_tasks, n_iters): median, p10, p90, mean, stddev, min and max of
	// startup, total and wall (package stats). Filled when the runs end.
	Summary    []SummaryEntry `json:"summary"`
	Runs       []RunResult    `json:"runs"`
	Incomplete bool           `json:"incomplete"`         // interrupted: holds what was measured so far
	Warnings   []string       `json:"warnings,omitempty"` // things a reader should know
	Command    []string       `json:"command,omitempty"`  // the command line that produced this result, as typed
	Binary     string         `json:"binary"`             // the executable children ran (symbols for profiles)
	Host       *Host          `json:"host"`               // the machine, read before the runs
	Sampler    *SamplerStats  `json:"sampler"`            // what live sampling cost; null when off
	// StartProfile marks figures measured with the start profile on
	// (--start-profile: they carry its cost); null when it was not asked
	// for. Its error says why it could not record (the run went on).
	StartProfile *StartProfileInfo `json:"start_profile"`
	StartPprof   *profile.Profile  `json:"-"` // the start profile itself, for the caller to write
	// LabPeakRSSBytes is the lab process's own peak resident memory when
	// the run ended (its VmHWM from /proc/self/status, ballast included).
	LabPeakRSSBytes int64 `json:"lab_peak_rss_bytes"`

	// BinaryBuildID is the GNU build ID of the image the lab ran, and its
	// workers and server with it (they exec the lab's own image, even if
	// the file at Binary was replaced meanwhile); "" if it has none.
	BinaryBuildID string `json:"binary_build_id"`
	// BinaryLinking is "static" (make build links proclab statically: no
	// dynamic loader in the exec'd workers' start) or "dynamic" (go build
	// and go test); "" if the image could not be read.
	BinaryLinking string `json:"binary_linking"`

	// The grid of `proclab compare`; absent for other runs.
	Cells     []Cell      `json:"cells,omitempty"`
	Crossover []Crossover `json:"crossover,omitempty"`
}

// SpecInfo records what was asked for.
type SpecInfo struct {
	Methods          []Method `json:"methods"`
	NTasks           int      `json:"n_tasks"`
	NIters           uint64   `json:"n_iters"`
	Repeat           int      `json:"repeat"`
	Warmup           int      `json:"warmup"`
	ParentRSSBytes   []int64  `json:"parent_rss_bytes"`
	ParentTHP        bool     `json:"parent_thp"`
	ForkLabHeap      string   `json:"fork_lab_heap"` // "dontfork" or "inherit": what fork children got of the lab's Go heap
	ProfileHz        int      `json:"profile_hz"`
	SampleIntervalNS int64    `json:"sample_interval_ns"`     // 0: no live samples
	NTasksGrid       []int    `json:"n_tasks_grid,omitempty"` // compare: every n_tasks (n_tasks is then 0)
	NItersGrid       []uint64 `json:"n_iters_grid,omitempty"` // compare: every n_iters (n_iters is then 0)
}

// RunResult is one method running n_tasks tasks once.
type RunResult struct {
	Method         Method `json:"method"`
	Round          int    `json:"round"` // 0-based among recorded rounds; negative: a warmup round kept because it was interrupted
	NTasks         int    `json:"n_tasks"`
	NIters         uint64 `json:"n_iters"`
	ParentRSSBytes int64  `json:"parent_rss_bytes"`
	WallNS         int64  `json:"wall_ns"` // first create call to last task done
	Tasks          []Task `json:"tasks"`

	// The lab's own footprint right before the run's first create call:
	// what a fork child copies besides the ballast (parent_rss_bytes is
	// only the ballast asked for). Read from /proc/self: RSS, anonymous
	// memory, mappings and the dontfork part summed over smaps, page
	// tables from status (VmPTE); 0 when not measured.
	LabRSSBytes  int64 `json:"lab_rss_bytes"`
	LabAnonBytes int64 `json:"lab_anon_bytes"`
	LabVMAs      int   `json:"lab_vmas"`
	LabPTEBytes  int64 `json:"lab_pte_bytes"`
	// LabDontForkBytes is the part of lab_anon_bytes fork children do not
	// inherit: the Go heap's resident pages under --fork-lab-heap
	// dontfork (MADV_DONTFORK), 0 under inherit.
	LabDontForkBytes int64 `json:"lab_dontfork_bytes"`

	// The machine while the run ran, read right before its first create
	// and right after its last task: the CPU every process used
	// (/proc/stat, 10 ms ticks), the lab's own (getrusage RUSAGE_SELF)
	// and the time between the two reads; the 1-minute load average at
	// the start. stats.Contention sets them against the tasks' own CPU:
	// what is left is other processes'. Null when not read.
	HostBusyNS   *int64   `json:"host_busy_ns,omitempty"`
	LabCPUNS     *int64   `json:"lab_cpu_ns,omitempty"`
	HostWindowNS *int64   `json:"host_window_ns,omitempty"`
	Load1        *float64 `json:"load1,omitempty"`
}

// Task is what one task (one child process, goroutine or loop) measured.
// A pointer field is null in JSON where the figure does not apply to the
// method (a thread has no startup of a process, no rusage of its own) or
// was not measured.
type Task struct {
	Task      int  `json:"task"`
	PID       int  `json:"pid"`
	TID       int  `json:"tid,omitempty"` // thread and single: the thread that ran the task
	ParentPID *int `json:"parent_pid"`    // the process that created the child

	StartupNS      *int64 `json:"startup_ns"`       // create call to first instruction of the task
	ExecDoneNS     *int64 `json:"exec_done_ns"`     // create call to the new image's constructor
	RuntimeReadyNS *int64 `json:"runtime_ready_ns"` // create call to the worker's Go runtime ready
	TotalNS        int64  `json:"total_ns"`         // create call to reaped (or to task done), less mem_read_ns
	RunNS          int64  `json:"run_ns"`           // the loop itself

	// TaskCPUNS is the CPU time of the task itself, measured where it
	// runs around the loop (the CPU clock of the thread that ran it, read
	// by the child or by the lab's thread). Null when the task gave no
	// record. user_ns/sys_ns below are the kernel's tick-based split of
	// the whole process's time (exec, runtime start and exit included).
	TaskCPUNS *int64 `json:"task_cpu_ns"`
	// HWMBytes is the high-water mark of the task's own process (VmHWM,
	// read by the child from /proc/self/status after its loop). For a
	// worker (spawn, fork-exec, exec, py-spawn) that is its own peak: a
	// fresh address space. A fork child's high-water mark starts at what
	// it maps of its parent when it is created (the kernel seeds it with
	// the pages it copies), so for fork, forkserver and py-fork it is
	// mostly the parent's memory; what the child itself added is its USS
	// (end_uss_bytes). Null for tasks that run inside the lab, and when
	// the child could not read it.
	HWMBytes *int64 `json:"hwm_bytes"`
	// MaxRSSBytes is the same figure as hwm_bytes, under the name results
	// have carried the task's peak since the first release: scripts read
	// it. rusage_maxrss_bytes is the kernel's figure.
	MaxRSSBytes *int64 `json:"max_rss_bytes"`
	// The task's memory at task end, read by every process child from
	// /proc/self/smaps_rollup after its loop, whatever the live sampler
	// did: RSS, PSS and USS (private clean + dirty) of its own address
	// space. A fork child's RSS counts the pages it still shares with the
	// lab; PSS splits them, USS leaves them out.
	EndRSSBytes *int64 `json:"end_rss_bytes"`
	EndPSSBytes *int64 `json:"end_pss_bytes"`
	EndUSSBytes *int64 `json:"end_uss_bytes"`
	// MemReadNS is what reading those figures cost the child (from task
	// end to the read done). It grows with the page tables the child has
	// (~22 ms per GiB a fork child shares with its parent), so total_ns
	// leaves it out, as startup_ns and run_ns do: total_ns is create call
	// to reaped, less mem_read_ns.
	MemReadNS *int64 `json:"mem_read_ns"`

	// UserNS and SysNS are the kernel's tick-based split of the process's
	// CPU, and MinFlt to NIVCSW its page faults and context switches, all
	// from wait4's rusage (a thread's own for thread and single tasks);
	// null where no rusage was passed on (Python's forkserver children,
	// Python's in-process tasks).
	UserNS *int64 `json:"user_ns"`
	SysNS  *int64 `json:"sys_ns"`
	// RusageMaxRSSBytes is wait4's ru_maxrss, kept as the kernel's figure:
	// it carries the pre-exec high-water mark across execve, so for spawn,
	// fork-exec and exec it is the lab's size, not the worker's. hwm_bytes
	// is the task's own.
	RusageMaxRSSBytes *int64 `json:"rusage_maxrss_bytes"`
	MinFlt            *int64 `json:"minflt"`
	MajFlt            *int64 `json:"majflt"`
	NVCSW             *int64 `json:"nvcsw"`
	NIVCSW            *int64 `json:"nivcsw"`

	ExitCode *int   `json:"exit_code"`       // null if killed by a signal or not a process
	Signal   *int   `json:"signal"`          // null unless killed by a signal
	Checksum uint64 `json:"checksum,string"` // a string: 64-bit values lose digits as JSON numbers in jq and JavaScript
	// ChecksumOK is whether the checksum matched the hot loop's: null when
	// it was not verified (the task gave no checksum, was stopped, or the
	// run was interrupted before the lab computed the expected value).
	// Unknown is not false.
	ChecksumOK *bool  `json:"checksum_ok"`
	Error      string `json:"error,omitempty"` // what went wrong, if anything
	TimedOut   bool   `json:"timed_out"`       // ran past --timeout (the task was then killed or stopped)
	// LabPausedNS is how long the lab itself was not running (stopped by
	// SIGSTOP or Ctrl-Z, or starved of CPU) while the task was alive: its
	// total and its run's wall include that time, so it is in no figure.
	// Absent when the lab ran throughout.
	LabPausedNS *int64 `json:"lab_paused_ns,omitempty"`

	// Live samples of the child taken while it ran (gopsutil), and their
	// peaks; empty/null when sampling is off or the task was too short.
	PeakRSSBytes *int64   `json:"peak_rss_bytes"`
	PeakPSSBytes *int64   `json:"peak_pss_bytes"`
	Samples      []Sample `json:"samples,omitempty"`

	// Stamps are the task's moments on CLOCK_MONOTONIC, from which the
	// durations above are computed.
	Stamps Stamps `json:"stamps"`

	// Profile is the task's program-counter samples, for the profile
	// builder; never written.
	Profile *TaskProfile `json:"-"`
	// ChecksumPending says the task reported a checksum the lab has yet to
	// check against the hot loop's; never written.
	ChecksumPending bool `json:"-"`
}

// Stamps are a task's moments in nanoseconds of CLOCK_MONOTONIC, which is
// system-wide: the lab's stamps and the child's compare. 0 where not
// taken (in results written before they were recorded, all of them).
type Stamps struct {
	CreateNS    int64 `json:"create_ns"`            // right before the create call
	CreatedNS   int64 `json:"created_ns,omitempty"` // right after it returned (start profile only)
	CreateTID   int   `json:"create_tid,omitempty"` // the lab thread that made the create call (start profile only)
	TaskStartNS int64 `json:"task_start_ns"`        // the task's first instruction, stamped where it runs
	TaskEndNS   int64 `json:"task_end_ns"`          // the loop done
	MemReadNS   int64 `json:"mem_read_ns"`          // the child's read of its own memory done
	WaitNS      int64 `json:"wait_ns,omitempty"`    // right before the lab waited for the child
	ReapedNS    int64 `json:"reaped_ns"`            // reaped (its end as the forkserver or the Python driver reports it; a thread's: done)
}

// Sample is one live reading of a child process.
type Sample struct {
	TNS        int64   `json:"t_ns"` // since the create call
	CPUPercent float64 `json:"cpu_percent"`
	RSSBytes   int64   `json:"rss_bytes"`
	PSSBytes   int64   `json:"pss_bytes"`
	USSBytes   int64   `json:"uss_bytes"`
	Threads    int32   `json:"threads"`
	VolCtxSw   int64   `json:"voluntary_ctxsw"`
	InvolCtxSw int64   `json:"involuntary_ctxsw"`
	// Quick marks a quick reading: CPU and RSS only (/proc/PID/stat and
	// statm), taken where the sampling budget does not afford a full one
	// (smaps_rollup); its PSS, USS, threads and context switches are 0.
	Quick bool `json:"quick,omitempty"`
}

// TaskProfile is what a task's sampling profiler recorded: raw program
// counters in the address space of the process that ran the task.
type TaskProfile struct {
	PCs      []uint64
	TextBase uint64 // run-time address of the executable's ELF header
	Hz       int
	Dropped  int
	Err      string // why the task has no samples, if sampling failed to start
}

// Good reports whether the task ended well: no error and a checksum
// verified to match. A task whose checksum was not verified is not known
// good.
func (t *Task) Good() bool { return t.Error == "" && t.ChecksumOK != nil && *t.ChecksumOK }

// Failed reports whether the task is known to have gone wrong: an error,
// or a checksum verified not to match. In an interrupted run a task can be
// neither Good nor Failed: it finished, and its checksum is unknown.
func (t *Task) Failed() bool { return t.Error != "" || t.ChecksumOK != nil && !*t.ChecksumOK }

// Ptr returns a pointer to a copy of v: the optional figures are pointers.
func Ptr[T any](v T) *T { return &v }
