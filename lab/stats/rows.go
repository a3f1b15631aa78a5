package stats

import (
	"math"

	"github.com/proclab/proclab/lab/results"
)

// Row is every figure of one group: what a row of the comparison table,
// an entry of the JSON summary and the sentences about a method read.
type Row struct {
	Group
	Startup Summary // per task that counts; N is 0 for methods without a startup (single)
	Total   Summary // per task that counts
	Run     Summary // the loop, per task that counts
	TaskCPU Summary // the task's own CPU, per task that counts
	Wall    Summary // per run whose wall counts
	Split   ExecSplit
	Memory  Memory
	// StartupRatio is the median startup over the fastest row's among the
	// rows of the same parent size, n_tasks and n_iters (1 is the
	// fastest; 0 when the row has no startup); WallRatio is the same for
	// the mean wall.
	StartupRatio float64
	WallRatio    float64
	// Contention is the CPU the loops got against what the machine
	// allows (Rows sets it from the result's host CPUs).
	Contention Contention
}

// ExecSplit is the startup of an exec'd worker (spawn, fork-exec, exec)
// split at its two stamps, over the tasks that carry both: reaching the
// new image (create call to exec_done_ns, stamped by a C constructor
// before the Go runtime starts) and starting the Go program (exec_done_ns
// to runtime_ready_ns), then to the task. Each part is the median of that
// part over the same N tasks: medians of parts need not add up to the
// median of the whole, so the program's share is the median of each
// task's own share, not a ratio of medians.
type ExecSplit struct {
	N            int
	Image        float64 // create → exec_done
	Program      float64 // exec_done → runtime_ready: the Go runtime and the inits before the task
	ToTask       float64 // runtime_ready → task start
	Startup      float64 // create → task start, over the same tasks
	ProgramShare float64 // median over the tasks of (startup − exec_done) / startup
}

// Memory is a row's memory figures per task that counts.
type Memory struct {
	// Read by every process child at task end.
	HWM, EndRSS, EndPSS, EndUSS Summary
	// Peaks of the live samples.
	PeakRSS, PeakPSS Summary
}

// Rows computes a row per group of res, in Groups' order, with the ratios
// set within each table (rows of one parent size, n_tasks and n_iters).
func Rows(res *results.Result) []Row {
	gs := Groups(res)
	rows := make([]Row, len(gs))
	cpus := 0
	if res.Host != nil {
		cpus = res.Host.CPUs
	}
	for i, g := range gs {
		rows[i] = RowOf(g)
		rows[i].Contention = ContentionOf(g.Method, g.Runs, g.NTasks, cpus)
	}
	SetRatios(rows)
	return rows
}

// RowOf computes the figures of one group (ratios apart: SetRatios).
func RowOf(g Group) Row {
	r := Row{Group: g,
		Startup: Summarize(Values(g.Runs, Startup)),
		Total:   Summarize(Values(g.Runs, Total)),
		Run:     Summarize(Values(g.Runs, Run)),
		TaskCPU: Summarize(Values(g.Runs, TaskCPU)),
		Wall:    Summarize(Walls(g.Runs)),
		Split:   execSplit(g.Runs),
	}
	if g.Method.CreatesProcess() { // a thread's memory is the lab's
		r.Memory = Memory{
			HWM:     Summarize(positive(Values(g.Runs, HWM))),
			EndRSS:  Summarize(positive(Values(g.Runs, EndRSS))),
			EndPSS:  Summarize(positive(Values(g.Runs, EndPSS))),
			EndUSS:  Summarize(positive(Values(g.Runs, EndUSS))),
			PeakRSS: Summarize(positive(Values(g.Runs, PeakRSS))),
			PeakPSS: Summarize(positive(Values(g.Runs, PeakPSS))),
		}
	}
	return r
}

func positive(xs []float64) []float64 {
	out := xs[:0]
	for _, x := range xs {
		if x > 0 {
			out = append(out, x)
		}
	}
	return out
}

func execSplit(runs []*results.RunResult) ExecSplit {
	var image, program, toTask, startup, share []float64
	for _, r := range runs {
		for j := range r.Tasks {
			t := &r.Tasks[j]
			if !Counts(t) || t.StartupNS == nil || t.ExecDoneNS == nil || t.RuntimeReadyNS == nil || *t.ExecDoneNS <= 0 || *t.StartupNS <= 0 {
				continue
			}
			image = append(image, float64(*t.ExecDoneNS))
			program = append(program, float64(*t.RuntimeReadyNS-*t.ExecDoneNS))
			toTask = append(toTask, float64(*t.StartupNS-*t.RuntimeReadyNS))
			startup = append(startup, float64(*t.StartupNS))
			share = append(share, float64(*t.StartupNS-*t.ExecDoneNS)/float64(*t.StartupNS))
		}
	}
	return ExecSplit{N: len(image), Image: Median(image), Program: Median(program), ToTask: Median(toTask),
		Startup: Median(startup), ProgramShare: Median(share)}
}

// SetRatios sets each row's StartupRatio and WallRatio against the fastest
// row of its table: the rows of the same parent size, n_tasks and n_iters.
func SetRatios(rows []Row) {
	type table struct {
		parent int64
		nt     int
		ni     uint64
	}
	bestStartup, bestWall := map[table]float64{}, map[table]float64{}
	for _, r := range rows {
		t := table{r.ParentRSSBytes, r.NTasks, r.NIters}
		if r.Startup.N > 0 && r.Startup.Median > 0 {
			if b, ok := bestStartup[t]; !ok || r.Startup.Median < b {
				bestStartup[t] = r.Startup.Median
			}
		}
		if r.Wall.N > 0 && r.Wall.Mean > 0 {
			if b, ok := bestWall[t]; !ok || r.Wall.Mean < b {
				bestWall[t] = r.Wall.Mean
			}
		}
	}
	for i := range rows {
		t := table{rows[i].ParentRSSBytes, rows[i].NTasks, rows[i].NIters}
		rows[i].StartupRatio, rows[i].WallRatio = 0, 0
		if rows[i].Startup.N > 0 {
			rows[i].StartupRatio = Ratio(rows[i].Startup.Median, bestStartup[t])
		}
		if rows[i].Wall.N > 0 {
			rows[i].WallRatio = Ratio(rows[i].Wall.Mean, bestWall[t])
		}
	}
}

// Entries is the JSON summary of rows: one entry per row.
func Entries(rows []Row) []results.SummaryEntry {
	out := []results.SummaryEntry{}
	for _, r := range rows {
		e := results.SummaryEntry{Method: r.Method, ParentRSSBytes: r.ParentRSSBytes, NTasks: r.NTasks, NIters: r.NIters,
			N: r.Total.N, LeftOut: r.LeftOut, LeftOutRuns: r.LeftOutRuns,
			Total: distribution(r.Total), Wall: distribution(r.Wall), Contended: r.Contention.Contended}
		if c := r.Contention; c.N > 0 {
			e.LoopCPUShare = &c.Share
		}
		if c := r.Contention; !math.IsNaN(c.OthersCPUs) {
			e.OthersCPUs = &c.OthersCPUs
		}
		if r.Startup.N > 0 {
			d := distribution(r.Startup)
			e.Startup = &d
		}
		out = append(out, e)
	}
	return out
}

// Summaries is Entries(Rows(res)): what Result.Summary holds.
func Summaries(res *results.Result) []results.SummaryEntry { return Entries(Rows(res)) }

func distribution(s Summary) results.Distribution {
	r := func(v float64) int64 { return int64(math.Round(v)) }
	return results.Distribution{N: s.N, MedianNS: r(s.Median), P10NS: r(s.P10), P90NS: r(s.P90),
		MeanNS: r(s.Mean), StddevNS: r(s.Stddev), MinNS: r(s.Min), MaxNS: r(s.Max)}
}

// RowFor is the row of key k, if rows has one.
func RowFor(rows []Row, k Key) (Row, bool) {
	for _, r := range rows {
		if r.Key == k {
			return r, true
		}
	}
	return Row{}, false
}

// SmallestParent is the smallest parent size res's recorded runs have (0
// when there are none): the size the startup figure and sentences show.
func SmallestParent(res *results.Result) int64 {
	size := int64(math.MaxInt64)
	for i := range res.Runs {
		if Recorded(&res.Runs[i]) {
			size = min(size, res.Runs[i].ParentRSSBytes)
		}
	}
	if size == math.MaxInt64 {
		return 0
	}
	return size
}

// AtParent is the rows at one parent size, in order.
func AtParent(rows []Row, size int64) []Row {
	var out []Row
	for _, r := range rows {
		if r.ParentRSSBytes == size {
			out = append(out, r)
		}
	}
	return out
}

// RunFigures are the figures of one run (results.md's list of runs).
type RunFigures struct {
	Startup, Total Summary // over the run's tasks that count
	LeftOut        int     // its tasks that do not
	WallCounts     bool
}

// OfRun computes one run's figures.
func OfRun(r *results.RunResult) RunFigures {
	f := RunFigures{Startup: Summarize(RunValues(r, Startup)), Total: Summarize(RunValues(r, Total)), WallCounts: WallCounts(r)}
	for j := range r.Tasks {
		if !Counts(&r.Tasks[j]) {
			f.LeftOut++
		}
	}
	return f
}
