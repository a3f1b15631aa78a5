package stats

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

func TestSummarize(t *testing.T) {
	// 1..9 and one far value: median 5.5, the far value is the only outlier.
	xs := []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 1000}
	s := Summarize(xs)
	if s.N != 10 || s.Min != 1 || s.Max != 1000 || !near(s.Median, 5.5) {
		t.Fatalf("summary %+v", s)
	}
	if !near(s.Mean, 104.5) {
		t.Errorf("mean %v, want 104.5", s.Mean)
	}
	// p10 of ten sorted values interpolates between the 1st and 2nd: 1.9.
	if !near(s.P10, 1.9) || !near(s.P90, 9+0.1*(1000-9)) {
		t.Errorf("p10 %v p90 %v", s.P10, s.P90)
	}
	if s.Outliers != 1 {
		t.Errorf("outliers %d, want 1 (only 1000)", s.Outliers)
	}
	if Summarize(nil).N != 0 {
		t.Error("empty sample should summarise to zero")
	}
	one := Summarize([]float64{42})
	if one.Median != 42 || one.Stddev != 0 || one.Outliers != 0 {
		t.Errorf("one value: %+v", one)
	}
}
