package results

// CalibrationSchema names the version of the calibration document.
const CalibrationSchema = "proclab/calibrate/v1"

// Calibration is what `proclab calibrate` measured: the floor of this
// machine and how far above it each of proclab's methods sits.
type Calibration struct {
	Schema  string           `json:"schema"`
	Host    *Host            `json:"host"`
	Rounds  int              `json:"rounds"`
	Warmup  int              `json:"warmup"`
	NIters  uint64           `json:"n_iters"`
	Floors  []Floor          `json:"floors"`
	Methods []MethodOverhead `json:"methods"`
	Goals   []Goal           `json:"goals"`
	Rates   []Rate           `json:"rates,omitempty"`
	// ForkLabHeap is what fork children (the lab's and the floors') got of
	// the lab's Go heap: "dontfork" or "inherit".
	ForkLabHeap string   `json:"fork_lab_heap"`
	Warnings    []string `json:"warnings,omitempty"`
}

// Floor is one C loop's figures: medians over every round.
type Floor struct {
	Name      string   `json:"name"`              // e.g. "fork+_exit+wait4"
	Program   string   `json:"program,omitempty"` // what the exec kinds ran
	N         int      `json:"n"`
	StartupNS *float64 `json:"startup_ns"` // median; null if the program writes no stamp
	TotalNS   float64  `json:"total_ns"`   // median
	MinFlt    float64  `json:"minflt"`     // median minor page faults of the child
	Error     string   `json:"error,omitempty"`
}

// MethodOverhead is one proclab method on a near-empty task (n_tasks 1,
// n_iters 1) beside the floor it is compared with.
type MethodOverhead struct {
	Method         Method   `json:"method"`
	Floor          string   `json:"floor"` // name of the Floor compared with
	N              int      `json:"n"`
	StartupNS      float64  `json:"startup_ns"`                 // median
	TotalNS        float64  `json:"total_ns"`                   // median
	StartupRatio   float64  `json:"startup_ratio"`              // over the floor's startup; 0 if the floor has none
	TotalRatio     float64  `json:"total_ratio"`                // over the floor's total
	StartupOverNS  float64  `json:"startup_overhead_ns"`        // median minus the floor's
	TotalOverNS    float64  `json:"total_overhead_ns"`          // median minus the floor's
	MinFlt         float64  `json:"minflt"`                     // median minor page faults of the child
	ExecDoneNS     *float64 `json:"exec_done_ns,omitempty"`     // exec'd workers: create to the image's constructor
	RuntimeReadyNS *float64 `json:"runtime_ready_ns,omitempty"` // exec'd workers: create to Go runtime ready
	Failed         int      `json:"failed"`
	Error          string   `json:"error,omitempty"` // the method could not run here
}

// Goal is one of calibrate's targets and whether this run met it.
type Goal struct {
	Name  string  `json:"name"`
	Ratio float64 `json:"ratio"`
	Limit float64 `json:"limit"`
	Met   bool    `json:"met"`
}

// Rate is one throughput figure of calibrate's --rate-tasks: Tasks
// near-empty fork tasks (n_iters 1), created and reaped as fast as they go.
type Rate struct {
	Name        string  `json:"name"`
	Tasks       int     `json:"tasks"`
	MaxProcs    int     `json:"max_procs"` // most children alive at once; 0 means no limit
	WallNS      int64   `json:"wall_ns"`   // first create call to last task reaped
	TasksPerSec float64 `json:"tasks_per_s"`
	// FloorRatio is proclab's rate over the C floor's at the same limit
	// (1 is the floor; lower is slower); 0 on the floor's own rows.
	FloorRatio float64 `json:"floor_ratio,omitempty"`
	// LabPeakRSSBytes is the lab process's peak RSS over the run (VmHWM,
	// reset before it); null on floor rows or where the kernel cannot
	// reset it.
	LabPeakRSSBytes *int64 `json:"lab_peak_rss_bytes"`
	Failed          int    `json:"failed"`
	Error           string `json:"error,omitempty"`
}
