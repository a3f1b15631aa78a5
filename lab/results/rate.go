package results

// ThroughputSchema names the version of `proclab rate`'s document.
const ThroughputSchema = "proclab/rate/v1"

// Throughput is what `proclab rate` measured.
type Throughput struct {
	Schema string   `json:"schema"`
	CPUs   int      `json:"cpus"`
	Load1  *float64 `json:"load1,omitempty"` // the machine's 1-minute load average before the runs
	// ForkLabHeap is what fork children (the lab's and the floor's) got
	// of the lab's Go heap: "dontfork" or "inherit".
	ForkLabHeap string       `json:"fork_lab_heap"`
	Rates       []MethodRate `json:"rates"`
	Warnings    []string     `json:"warnings,omitempty"`
}

// MethodRate is one method's throughput beside its floor: the same number
// of C loops (one per lab loop, each on its own thread) making the same
// system calls with nothing around them, run right before the method.
type MethodRate struct {
	Method      Method  `json:"method"`
	Tasks       int     `json:"tasks"`
	MaxProcs    int     `json:"max_procs"`
	TasksPerSec float64 `json:"tasks_per_s"`
	WallNS      int64   `json:"wall_ns"` // first create to last reap
	// Floor names the C loop compared with (calibrate's pairing), and
	// FloorTasksPerSec its rate; Ratio is TasksPerSec over it (1 is the
	// floor, lower is slower; 0 when the floor could not run).
	Floor            string  `json:"floor"`
	FloorTasksPerSec float64 `json:"floor_tasks_per_s"`
	Ratio            float64 `json:"ratio"`
	// ImageFloor is, for the methods that exec the proclab image (spawn,
	// fork-exec, exec), the floor of posix_spawning that image itself,
	// stopped in its C constructor before the Go runtime starts: beside a
	// 5 KiB C program's floor, it tells how much of the gap is loading a
	// 20 MB program and how much is its Go runtime. ImageRatio is
	// TasksPerSec over its rate; empty and 0 for the other methods.
	ImageFloor            string  `json:"image_floor,omitempty"`
	ImageFloorTasksPerSec float64 `json:"image_floor_tasks_per_s,omitempty"`
	ImageRatio            float64 `json:"image_ratio,omitempty"`
	ImageFloorError       string  `json:"image_floor_error,omitempty"`
	// The lab's footprint right before the first create.
	LabAnonBytes int64 `json:"lab_anon_bytes"`
	LabVMAs      int   `json:"lab_vmas"`
	// LabDontForkBytes is the part of LabAnonBytes fork children do not
	// inherit (the Go heap under "dontfork").
	LabDontForkBytes int64 `json:"lab_dontfork_bytes"`
	// ChildMemRead says whether the children read their own memory after
	// the task, as in a run: fork's children here do not (the read walks
	// the child's page tables, the lab's instrument, ~0.2 ms a child of
	// the lab); the other methods' children cannot be told to skip it.
	ChildMemRead bool   `json:"child_mem_read"`
	Failed       int    `json:"failed"`
	FloorError   string `json:"floor_error,omitempty"`
	Error        string `json:"error,omitempty"`
}
