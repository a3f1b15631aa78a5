package results

// SummaryEntry is one row of a result's top-level `summary`: every task
// that counts (package stats says which) of one group (method, parent
// size, n_tasks, n_iters), summarised the way hyperfine's export
// summarises a command.
type SummaryEntry struct {
	Method         Method `json:"method"`
	ParentRSSBytes int64  `json:"parent_rss_bytes"`
	NTasks         int    `json:"n_tasks"` // tasks per run
	NIters         uint64 `json:"n_iters"`
	N              int    `json:"n"` // tasks summarised (total.n)
	// LeftOut is how many recorded tasks of the group do not enter the
	// figures (failed, timed out, interrupted); LeftOutRuns how many
	// recorded runs' walls do not (a task of theirs did not count).
	LeftOut     int `json:"left_out"`
	LeftOutRuns int `json:"left_out_runs"`
	// Startup is null for methods with no startup of their own (single).
	Startup *Distribution `json:"startup"`
	Total   Distribution  `json:"total"` // per task: create call to reaped
	Wall    Distribution  `json:"wall"`  // per run: first create to last task done
	// LoopCPUShare is the median over the tasks of their loop's CPU over
	// the loop's time (1: a CPU of its own all along); OthersCPUs the
	// CPUs other processes used while the runs ran; Contended that the
	// share was well below what the tasks and CPUs allow, so every time
	// of the entry includes waiting for a CPU (package stats).
	LoopCPUShare *float64 `json:"loop_cpu_share,omitempty"`
	OthersCPUs   *float64 `json:"others_cpus,omitempty"`
	Contended    bool     `json:"contended,omitempty"`
}

// Distribution is a figure's spread in nanoseconds.
type Distribution struct {
	N        int   `json:"n"`
	MedianNS int64 `json:"median_ns"`
	P10NS    int64 `json:"p10_ns"`
	P90NS    int64 `json:"p90_ns"`
	MeanNS   int64 `json:"mean_ns"`
	StddevNS int64 `json:"stddev_ns"`
	MinNS    int64 `json:"min_ns"`
	MaxNS    int64 `json:"max_ns"`
}
