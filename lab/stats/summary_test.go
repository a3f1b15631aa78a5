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

// The spread figures are exact: the sample standard deviation (n-1), the
// MAD scaled to σ, and outliers past 3 scaled MADs (not 2.5).
func TestSpread(t *testing.T) {
	// 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squares 32, s = sqrt(32/7).
	s := Summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if !near(s.Stddev, math.Sqrt(32.0/7)) {
		t.Errorf("stddev %v, want %v", s.Stddev, math.Sqrt(32.0/7))
	}
	// median 4.5; deviations .5 .5 .5 .5 .5 2.5 2.5 4.5 → MAD .5, scaled 0.7413.
	if !near(s.MAD, 0.7413) {
		t.Errorf("MAD %v, want 0.7413", s.MAD)
	}
	// 10 values at 100 ± 1 and one far: the MAD of the 11 is 1 (scaled
	// 1.4826); 104 is 2.7 scaled MADs out, not an outlier; 105 is 3.4, one.
	in := Summarize([]float64{99, 99, 99, 100, 100, 100, 101, 101, 101, 100, 104})
	out := Summarize([]float64{99, 99, 99, 100, 100, 100, 101, 101, 101, 100, 105})
	if in.Outliers != 0 || out.Outliers != 1 {
		t.Errorf("outliers %d (104) and %d (105), want 0 and 1; MAD %v", in.Outliers, out.Outliers, in.MAD)
	}
}
