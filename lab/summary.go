package lab

// SummaryEntry is one row of a result's top-level `summary`: every
// recorded task of one method at one parent size (and, in a compare grid,
// one cell), summarised the way hyperfine's export summarises a command.
// Failed tasks are left out.
type SummaryEntry struct {
	Method         Method `json:"method"`
	ParentRSSBytes int64  `json:"parent_rss_bytes"`
	NTasks         int    `json:"n_tasks"` // tasks per run
	NIters         uint64 `json:"n_iters"`
	N              int    `json:"n"` // tasks summarised (total.n)
	// Startup is null for methods with no startup of their own (single).
	Startup *Distribution `json:"startup"`
	Total   Distribution  `json:"total"` // per task: create call to reaped
	Wall    Distribution  `json:"wall"`  // per run: first create to last task done
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

func distribution(s Summary) Distribution {
	return Distribution{N: s.N, MedianNS: int64(s.Median), P10NS: int64(s.P10), P90NS: int64(s.P90),
		MeanNS: int64(s.Mean), StddevNS: int64(s.Stddev), MinNS: int64(s.Min), MaxNS: int64(s.Max)}
}

// Summaries computes the summary of res's runs, in the order the runs
// first show each (method, parent size, n_tasks, n_iters).
func Summaries(res *Result) []SummaryEntry {
	type key struct {
		m      Method
		parent int64
		nt     int
		ni     uint64
	}
	type acc struct{ startup, total, wall []float64 }
	accs := map[key]*acc{}
	var order []key
	for i := range res.Runs {
		r := &res.Runs[i]
		k := key{r.Method, r.ParentRSSBytes, r.NTasks, r.NIters}
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
			order = append(order, k)
		}
		ok := true
		for _, t := range r.Tasks {
			if t.Error != "" {
				ok = false
				continue
			}
			a.total = append(a.total, float64(t.TotalNS))
			if t.StartupNS != nil {
				a.startup = append(a.startup, float64(*t.StartupNS))
			}
		}
		if ok && r.WallNS > 0 {
			a.wall = append(a.wall, float64(r.WallNS))
		}
	}
	out := []SummaryEntry{}
	for _, k := range order {
		a := accs[k]
		e := SummaryEntry{Method: k.m, ParentRSSBytes: k.parent, NTasks: k.nt, NIters: k.ni, N: len(a.total),
			Total: distribution(Summarize(a.total)), Wall: distribution(Summarize(a.wall))}
		if len(a.startup) > 0 {
			d := distribution(Summarize(a.startup))
			e.Startup = &d
		}
		out = append(out, e)
	}
	return out
}
