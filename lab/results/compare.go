package results

// Cell is one (n_iters, n_tasks) point of a compare grid: median wall time
// per run of each of the three ways to do the work.
type Cell struct {
	NIters      uint64  `json:"n_iters"`
	NTasks      int     `json:"n_tasks"`
	Method      Method  `json:"method"`      // the process method of multi_ns
	SingleNS    int64   `json:"single_ns"`   // one process, tasks one after another
	MultiNS     int64   `json:"multi_ns"`    // n_tasks processes
	ThreadNS    int64   `json:"thread_ns"`   // n_tasks goroutines
	Speedup     float64 `json:"speedup"`     // single over multi
	Efficiency  float64 `json:"efficiency"`  // speedup over parallelism
	Parallelism int     `json:"parallelism"` // min(n_tasks, CPUs): the best speedup possible
	ThreadUp    float64 `json:"thread_speedup"`
	Rounds      int     `json:"rounds"` // recorded rounds behind each median
	// Suspect says why the cell's figures cannot be taken as the
	// machine's (a speedup beyond min(n_tasks, CPUs), loops that got too
	// little CPU); "" for a cell to trust. Lessons drawn from a suspect
	// cell say so.
	Suspect string `json:"suspect,omitempty"`
}

// Crossover is, for one n_tasks, where processes start to pay off: the
// smallest n_iters of the grid from which on they beat one process clearly
// (speedup above 1.05 there and at every larger n_iters; null when they
// never do within the grid), and where their speedup crosses 1.
type Crossover struct {
	NTasks  int      `json:"n_tasks"`
	NIters  *uint64  `json:"n_iters"`
	Speedup *float64 `json:"speedup"` // at that n_iters
	// NItersEstimate is where the processes' speedup crosses 1,
	// interpolated between grid points on a log scale; null when never.
	NItersEstimate *float64 `json:"n_iters_estimate"`
	// ThreadNItersEstimate is the same for threads against single.
	ThreadNItersEstimate *float64 `json:"thread_n_iters_estimate"`
	// Ties are the n_iters of the grid where processes and one process
	// are within 5% of each other: neither wins there.
	Ties []uint64 `json:"ties,omitempty"`
	// The model, for a grid too small to show the crossing: the work
	// costs PerIterNS per iteration and task (one process, at the
	// largest n_iters); starting and waiting for the n_tasks processes
	// costs StartNS (the median over the grid of the processes' wall
	// less their share of the work: ceil(n_tasks/parallelism) tasks one
	// after another), ThreadStartNS for threads. Processes pay off where
	// the work they save, PerIterNS × n_iters × (n_tasks −
	// ceil(n_tasks/parallelism)), exceeds StartNS: NItersModel. Null
	// when they cannot (one task, or no more CPUs than one) or a figure
	// is missing.
	PerIterNS         *float64 `json:"per_iter_ns,omitempty"`
	StartNS           *float64 `json:"start_ns,omitempty"`
	ThreadStartNS     *float64 `json:"thread_start_ns,omitempty"`
	NItersModel       *float64 `json:"n_iters_model,omitempty"`
	ThreadNItersModel *float64 `json:"thread_n_iters_model,omitempty"`
}
