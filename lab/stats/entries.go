package stats

import "github.com/proclab/proclab/lab/results"

func distribution(s Summary) results.Distribution {
	return results.Distribution{N: s.N, MedianNS: int64(s.Median), P10NS: int64(s.P10), P90NS: int64(s.P90),
		MeanNS: int64(s.Mean), StddevNS: int64(s.Stddev), MinNS: int64(s.Min), MaxNS: int64(s.Max)}
}

// Summaries computes the summary of res's runs, in the order the runs
// first show each (method, parent size, n_tasks, n_iters).
func Summaries(res *results.Result) []results.SummaryEntry {
	type key struct {
		m      results.Method
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
	out := []results.SummaryEntry{}
	for _, k := range order {
		a := accs[k]
		e := results.SummaryEntry{Method: k.m, ParentRSSBytes: k.parent, NTasks: k.nt, NIters: k.ni, N: len(a.total),
			Total: distribution(Summarize(a.total)), Wall: distribution(Summarize(a.wall))}
		if len(a.startup) > 0 {
			d := distribution(Summarize(a.startup))
			e.Startup = &d
		}
		out = append(out, e)
	}
	return out
}
