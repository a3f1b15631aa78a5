package results

// ForkserverInfo is the start-up cost and size of a run's forkserver, apart
// from the per-task figures of the children it forks.
type ForkserverInfo struct {
	PID       int   `json:"pid"`
	StartupNS int64 `json:"startup_ns"` // posix_spawn call to the server's READY message
	RSSBytes  int64 `json:"rss_bytes"`  // its resident size once ready (VmRSS)
	Threads   int   `json:"threads"`    // 1: the Go runtime never starts in it
}

// PythonInfo describes the run's Python driver, measured once.
type PythonInfo struct {
	PID        int    `json:"pid"`
	Version    string `json:"version"`
	Executable string `json:"executable"`
	StartupNS  int64  `json:"startup_ns"` // lab's start of the driver to its READY
	// Python's own forkserver, started by the driver before the first
	// py-forkserver task, so that its one-time cost is not the first
	// task's; null unless py-forkserver runs.
	ForkserverPID       *int   `json:"forkserver_pid"`
	ForkserverStartupNS *int64 `json:"forkserver_startup_ns"`
}

// SamplerStats is what live sampling cost the lab: the sampler's own CPU
// against the CPU of every child process it ran beside (warmup included).
type SamplerStats struct {
	IntervalNS int64   `json:"interval_ns"`
	Samples    int     `json:"samples"`      // readings taken (one process each)
	CPUNS      int64   `json:"cpu_ns"`       // the sampler thread's CPU time
	ChildCPUNS int64   `json:"child_cpu_ns"` // user+sys of all child processes
	Overhead   float64 `json:"overhead"`     // cpu_ns / child_cpu_ns
	Budget     float64 `json:"budget"`       // the most overhead allowed; 0: unlimited
	Skipped    int     `json:"skipped"`      // readings left out to stay within the budget
}

// StartProfileInfo says that a run's figures were measured with the start
// profile on (--start-profile), and what it recorded. The figures then
// carry its cost: cpu-clock sampling with call chains interrupts every
// running thread of the lab and its children every period_ns.
type StartProfileInfo struct {
	Path         string `json:"path,omitempty"` // where the profile was written (set by the caller that wrote it)
	PeriodNS     int64  `json:"period_ns"`      // the cpu-clock sampling period
	Events       int    `json:"events"`         // perf events opened: the lab's threads x CPUs
	Samples      int    `json:"samples"`        // samples in the profile: those inside a phase of a task
	Unattributed int    `json:"unattributed"`   // samples outside every phase (the lab's other work, other processes)
	Lost         uint64 `json:"lost"`           // samples the kernel dropped (ring buffer full)
	// ReaderCPUNS is the lab's CPU spent reading samples during the run:
	// the part of the profile's cost that can be measured in the run (the
	// kernel's, taking them, cannot; README gives it measured side by side).
	ReaderCPUNS int64  `json:"reader_cpu_ns"`
	Error       string `json:"error,omitempty"`
	// Phases is what the profile says, per method, parent size and phase:
	// CPU and the top kernel and user functions (report.md's sentences).
	Phases []PhaseSummary `json:"phases,omitempty"`
}

// PhaseSummary is what a start profile says of one phase of the tasks of
// one method at one parent size.
type PhaseSummary struct {
	Method         string `json:"method"`
	ParentRSSBytes int64  `json:"parent_rss_bytes"`
	Phase          string `json:"phase"`
	CPUNS          int64  `json:"cpu_ns"`  // sampled CPU of the phase, all its tasks together
	Samples        int    `json:"samples"` //
	Tasks          int    `json:"tasks"`   // tasks of the method at the size (the caller fills it in)
	// KernelShare is the share of the samples taken in the kernel.
	KernelShare float64 `json:"kernel_share"`
	// Kernel ranks the kernel functions the samples were taken in (the
	// leaf frame); User ranks the user-space function each sample was in
	// or had called the kernel from (its first user frame). Shares are of
	// all the phase's samples; at most TopN each.
	Kernel []FuncShare `json:"kernel"`
	User   []FuncShare `json:"user"`
	// Parts splits the samples into what they were doing, in plain words
	// (Part), largest first: each sample counts once, in the first part
	// of Parts' order its stack shows.
	Parts []FuncShare `json:"parts"`
}

// FuncShare is a function (or a part, in words) and its share of a
// phase's samples.
type FuncShare struct {
	Func  string  `json:"func"`
	Share float64 `json:"share"`
}
