package stats

import (
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/proclab/proclab/lab/results"
)

// Faster is the answer first, as hyperfine gives it ("X ran 2.31 ± 0.08
// times faster than Y"): per table (the rows of one parent size, n_tasks
// and n_iters, as for StartupRatio), the row whose median startup is the
// lowest, and how many times lower it is than each other row's.
type Faster struct {
	ParentRSSBytes int64
	NTasks         int
	NIters         uint64
	Fastest        Row
	Others         []Slower // by ratio, smallest first
}

// Slower is one other row of a Faster table. Ratio is its median startup
// over the fastest's (the same figure as its StartupRatio); Lo and Hi are
// the 2.5th and 97.5th percentiles of that ratio over bootstrap
// resamples, taken at two levels as the runs are the unit (diff's rule):
// runs drawn with replacement, then tasks within each drawn run.
type Slower struct {
	Row
	Ratio, Lo, Hi float64
}

// BootstrapRounds is how many resamples FasterTables draws per ratio.
const BootstrapRounds = 1000

// FasterTables computes the Faster tables of rows (from Rows) in the
// order their tables first appear; tables with fewer than two rows with a
// startup are left out. The resampling is seeded: the same results give
// the same intervals.
func FasterTables(rows []Row) []Faster {
	type table struct {
		parent int64
		nt     int
		ni     uint64
	}
	var order []table
	by := map[table][]Row{}
	for _, r := range rows {
		if r.Startup.N == 0 || !(r.Startup.Median > 0) {
			continue
		}
		t := table{r.ParentRSSBytes, r.NTasks, r.NIters}
		if _, ok := by[t]; !ok {
			order = append(order, t)
		}
		by[t] = append(by[t], r)
	}
	var out []Faster
	for _, t := range order {
		rs := by[t]
		if len(rs) < 2 {
			continue
		}
		best := 0
		for i, r := range rs {
			if r.Startup.Median < rs[best].Startup.Median {
				best = i
			}
		}
		f := Faster{ParentRSSBytes: t.parent, NTasks: t.nt, NIters: t.ni, Fastest: rs[best]}
		base := runSamples(rs[best].Runs, Startup)
		for i, r := range rs {
			if i == best {
				continue
			}
			lo, hi := bootstrapRatio(runSamples(r.Runs, Startup), base, BootstrapRounds)
			f.Others = append(f.Others, Slower{Row: r, Ratio: Ratio(r.Startup.Median, f.Fastest.Startup.Median), Lo: lo, Hi: hi})
		}
		sort.SliceStable(f.Others, func(i, j int) bool { return f.Others[i].Ratio < f.Others[j].Ratio })
		out = append(out, f)
	}
	return out
}

// runSamples is fig's counted values per run, leaving out runs with none.
func runSamples(runs []*results.RunResult, fig Fig) [][]float64 {
	var out [][]float64
	for _, r := range runs {
		if xs := RunValues(r, fig); len(xs) > 0 {
			out = append(out, xs)
		}
	}
	return out
}

// bootstrapRatio is the 2.5th and 97.5th percentiles of median(a*)/median(b*)
// over n two-level resamples a*, b* of a and b.
func bootstrapRatio(a, b [][]float64, n int) (lo, hi float64) {
	rng := rand.New(rand.NewPCG(0x70726f636c6162, uint64(len(a))<<32|uint64(len(b))))
	ratios := make([]float64, 0, n)
	var buf []float64
	for range n {
		ma := resampledMedian(rng, a, &buf)
		mb := resampledMedian(rng, b, &buf)
		if mb > 0 {
			ratios = append(ratios, ma/mb)
		}
	}
	if len(ratios) == 0 {
		return 0, 0
	}
	slices.Sort(ratios)
	return quantile(ratios, 0.025), quantile(ratios, 0.975)
}

// resampledMedian draws len(runs) runs with replacement, then as many
// values as each drawn run has from it with replacement, and returns the
// median of all drawn values.
func resampledMedian(rng *rand.Rand, runs [][]float64, buf *[]float64) float64 {
	s := (*buf)[:0]
	for range runs {
		r := runs[rng.IntN(len(runs))]
		for range r {
			s = append(s, r[rng.IntN(len(r))])
		}
	}
	*buf = s
	slices.Sort(s)
	return quantile(s, 0.5)
}
