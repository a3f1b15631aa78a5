package stats

import (
	"github.com/proclab/proclab/lab/results"
	"math"
	"slices"
)

// Summary describes a sample of figures.
type Summary struct {
	N            int
	Min, Max     float64
	Median       float64
	P10, P90     float64
	Mean, Stddev float64
	MAD          float64 // median absolute deviation (scaled to σ for normal data)
	Outliers     int     // values more than 3 scaled MADs from the median
}

// Summarize computes a Summary; an empty sample gives the zero Summary.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := Summary{N: len(s), Min: s[0], Max: s[len(s)-1],
		Median: quantile(s, 0.5), P10: quantile(s, 0.1), P90: quantile(s, 0.9)}
	var total float64
	for _, x := range s {
		total += x
	}
	sum.Mean = total / float64(len(s))
	if len(s) > 1 {
		var ss float64
		for _, x := range s {
			ss += (x - sum.Mean) * (x - sum.Mean)
		}
		sum.Stddev = math.Sqrt(ss / float64(len(s)-1))
	}
	dev := make([]float64, len(s))
	for i, x := range s {
		dev[i] = math.Abs(x - sum.Median)
	}
	slices.Sort(dev)
	sum.MAD = 1.4826 * quantile(dev, 0.5)
	if sum.MAD > 0 {
		for _, x := range s {
			if math.Abs(x-sum.Median) > 3*sum.MAD {
				sum.Outliers++
			}
		}
	}
	return sum
}

// quantile interpolates linearly in a sorted sample.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return sorted[lo]*(1-frac) + sorted[hi]*frac
}

// Figures collects one figure from every task of the runs that match keep,
// skipping tasks where the figure is null.
func Figures(runs []results.RunResult, keep func(*results.RunResult) bool, fig func(*results.Task) *int64) []float64 {
	var out []float64
	for i := range runs {
		if keep != nil && !keep(&runs[i]) {
			continue
		}
		for j := range runs[i].Tasks {
			if v := fig(&runs[i].Tasks[j]); v != nil {
				out = append(out, float64(*v))
			}
		}
	}
	return out
}
