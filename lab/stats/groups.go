package stats

import "github.com/proclab/proclab/lab/results"

// Group is the recorded runs of one key, and how many of their tasks and
// runs enter figures.
type Group struct {
	Key
	Runs        []*results.RunResult // recorded runs, in the order they ran
	Tasks       int                  // tasks of those runs
	Counted     int                  // tasks that count (Counts)
	LeftOut     int                  // tasks that do not: failed, timed out, interrupted
	WallRuns    int                  // runs whose wall counts (WallCounts)
	LeftOutRuns int                  // recorded runs whose wall does not
}

// Groups gathers res's recorded runs by key, in the order each key first
// ran: parent sizes, then methods, in the order asked for (for a compare
// grid: n_tasks, n_iters, then methods).
func Groups(res *results.Result) []Group {
	return GroupRuns(res.Runs)
}

// GroupRuns is Groups of a list of runs.
func GroupRuns(runs []results.RunResult) []Group {
	index := map[Key]int{}
	var out []Group
	for i := range runs {
		r := &runs[i]
		if !Recorded(r) {
			continue
		}
		k := KeyOf(r)
		gi, ok := index[k]
		if !ok {
			gi = len(out)
			index[k] = gi
			out = append(out, Group{Key: k})
		}
		g := &out[gi]
		g.Runs = append(g.Runs, r)
		g.Tasks += len(r.Tasks)
		for j := range r.Tasks {
			if Counts(&r.Tasks[j]) {
				g.Counted++
			} else {
				g.LeftOut++
			}
		}
		if WallCounts(r) {
			g.WallRuns++
		} else {
			g.LeftOutRuns++
		}
	}
	return out
}

// Find is the group of key k, if gs has one.
func Find(gs []Group, k Key) (Group, bool) {
	for _, g := range gs {
		if g.Key == k {
			return g, true
		}
	}
	return Group{}, false
}
