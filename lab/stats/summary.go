package stats

import (
	"math"
	"slices"
)

// Summary describes a sample of figures.
type Summary struct {
	N            int
	Min, Max     float64
	Median       float64
	P10, P90     float64
	Mean, Stddev float64 // Stddev is the sample standard deviation (n-1)
	MAD          float64 // median absolute deviation (scaled to σ for normal data)
	Outliers     int     // values more than 3 scaled MADs from the median
}

// Summarize computes a Summary; an empty sample gives the zero Summary.
// Quantiles interpolate linearly between order statistics (type 7, as R
// and NumPy do by default).
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

// Median is Summarize(xs).Median.
func Median(xs []float64) float64 { return Summarize(xs).Median }

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

// Ratio is a over b, or 0 when b is not positive (no figure to compare
// with): every "×" proclab prints is one of these.
func Ratio(a, b float64) float64 {
	if !(b > 0) || math.IsInf(b, 0) || math.IsNaN(a) {
		return 0
	}
	return a / b
}
