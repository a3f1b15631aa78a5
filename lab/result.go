package lab

// Schema names the version of the results document.
const Schema = "proclab/v1"

// Result is everything one proclab invocation measured. Renderers take it
// and return bytes; nothing else writes output.
type Result struct {
	Schema string   `json:"schema"`
	Spec   SpecInfo `json:"spec"`

	// Forkserver is the run's forkserver (forkserver.go), measured once;
	// null when no method used it.
	Forkserver *ForkserverInfo `json:"forkserver"`

	Runs       []RunResult   `json:"runs"`
	Incomplete bool          `json:"incomplete"`         // interrupted: holds what was measured so far
	Warnings   []string      `json:"warnings,omitempty"` // things a reader should know
	Binary     string        `json:"binary"`             // the executable children ran (symbols for profiles)
	Host       *Host         `json:"host"`               // the machine, read before the runs
	Sampler    *SamplerStats `json:"sampler"`            // what live sampling cost; null when off
	// LabPeakRSSBytes is the lab process's own peak resident memory (its
	// VmHWM, ballast included) when the run ended.
	LabPeakRSSBytes int64 `json:"lab_peak_rss_bytes"`

	// BinaryBuildID is the GNU build ID of the image the lab ran, and its
	// workers and server with it (they exec the lab's own image, even if
	// the file at Binary was replaced meanwhile); "" if it has none.
	BinaryBuildID string `json:"binary_build_id"`

	// The grid of `proclab compare` (compare.go); absent for other runs.
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
	ProfileHz        int      `json:"profile_hz"`
	SampleIntervalNS int64    `json:"sample_interval_ns"`     // 0: no live samples
	NTasksGrid       []int    `json:"n_tasks_grid,omitempty"` // compare: every n_tasks (n_tasks is then 0)
	NItersGrid       []uint64 `json:"n_iters_grid,omitempty"` // compare: every n_iters (n_iters is then 0)
}

// RunResult is one method running n_tasks tasks once.
type RunResult struct {
	Method         Method `json:"method"`
	Round          int    `json:"round"` // 0-based among recorded rounds
	NTasks         int    `json:"n_tasks"`
	NIters         uint64 `json:"n_iters"`
	ParentRSSBytes int64  `json:"parent_rss_bytes"`
	WallNS         int64  `json:"wall_ns"` // first create call to last task done
	Tasks          []Task `json:"tasks"`

	// The lab's own footprint right before the run's first create call:
	// what a fork child copies besides the ballast (parent_rss_bytes is
	// only the ballast asked for). Read from /proc/self (smaps_rollup,
	// status, maps); 0 when not measured.
	LabRSSBytes  int64 `json:"lab_rss_bytes"`
	LabAnonBytes int64 `json:"lab_anon_bytes"`
	LabVMAs      int   `json:"lab_vmas"`
	LabPTEBytes  int64 `json:"lab_pte_bytes"`
}

// Task is what one task (one child process, goroutine or loop) measured.
// A pointer field is null in JSON where the figure does not apply to the
// method (a thread has no startup of a process, no rusage of its own).
type Task struct {
	Task      int  `json:"task"`
	PID       int  `json:"pid"`
	TID       int  `json:"tid,omitempty"` // thread and single: the thread that ran the task
	ParentPID *int `json:"parent_pid"`    // the process that created the child

	StartupNS      *int64 `json:"startup_ns"`       // create call to first instruction of the task
	ExecDoneNS     *int64 `json:"exec_done_ns"`     // create call to the new image's constructor
	RuntimeReadyNS *int64 `json:"runtime_ready_ns"` // create call to the worker's Go runtime ready
	TotalNS        int64  `json:"total_ns"`         // create call to reaped (or to task done)
	RunNS          int64  `json:"run_ns"`           // the loop itself

	// TaskCPUNS is the CPU time of the task itself, measured where it
	// runs around the loop (the thread's CPU clock). user_ns/sys_ns are the
	// kernel's tick-based split of the whole process's time.
	TaskCPUNS *int64 `json:"task_cpu_ns"`
	// HWMBytes is the task's own peak resident memory: the high-water mark
	// of its own address space (VmHWM), never the lab's. Null for tasks
	// that run inside the lab.
	HWMBytes *int64 `json:"hwm_bytes"`
	// The task's memory at task end, read for every process task whatever
	// the live sampler did: RSS, PSS and USS of its own address space.
	EndRSSBytes *int64 `json:"end_rss_bytes"`
	EndPSSBytes *int64 `json:"end_pss_bytes"`
	EndUSSBytes *int64 `json:"end_uss_bytes"`

	UserNS      int64  `json:"user_ns"`
	SysNS       int64  `json:"sys_ns"`
	MaxRSSBytes *int64 `json:"max_rss_bytes"`
	MinFlt      int64  `json:"minflt"`
	MajFlt      int64  `json:"majflt"`
	NVCSW       int64  `json:"nvcsw"`
	NIVCSW      int64  `json:"nivcsw"`

	ExitCode   *int   `json:"exit_code"` // null if killed by a signal or not a process
	Signal     *int   `json:"signal"`    // null unless killed by a signal
	Checksum   uint64 `json:"checksum"`
	ChecksumOK bool   `json:"checksum_ok"`
	Error      string `json:"error,omitempty"` // what went wrong, if anything
	TimedOut   bool   `json:"timed_out"`       // ran past --timeout (a process is then killed)

	// Live samples of the child taken while it ran (gopsutil), and their
	// peaks; empty/null when sampling is off or the task was too short.
	PeakRSSBytes *int64   `json:"peak_rss_bytes"`
	PeakPSSBytes *int64   `json:"peak_pss_bytes"`
	Samples      []Sample `json:"samples,omitempty"`

	Profile  *TaskProfile `json:"-"` // the task's program-counter samples, for the profile builder
	createNS int64        // CLOCK_MONOTONIC of the create call
	verify   bool         // the task reported a checksum for verifyChecksums to check
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

func ptr[T any](v T) *T { return &v }
