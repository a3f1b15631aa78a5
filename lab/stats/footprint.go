package stats

import "github.com/proclab/proclab/lab/results"

// Footprint is what the lab itself held when it started the runs at one
// parent size: the medians, over the recorded runs that measured it, of
// the lab's own figures read right before each run's first create.
type Footprint struct {
	N               int // runs that measured it; 0: none (results written before the figures)
	RSS, Anon, PTE  float64
	VMAs            float64
	Ballast         int64   // the parent size asked for
	OwnRSS, OwnAnon float64 // RSS and anonymous memory less the ballast
	DontFork        float64 // anonymous bytes fork children did not get (lab_dontfork_bytes)
}

// FootprintAt computes the lab's footprint at parent size size.
func FootprintAt(res *results.Result, size int64) Footprint {
	var rss, anon, pte, vmas, dontfork []float64
	for i := range res.Runs {
		r := &res.Runs[i]
		if !Recorded(r) || r.ParentRSSBytes != size || r.LabRSSBytes <= 0 {
			continue
		}
		rss = append(rss, float64(r.LabRSSBytes))
		anon = append(anon, float64(r.LabAnonBytes))
		pte = append(pte, float64(r.LabPTEBytes))
		vmas = append(vmas, float64(r.LabVMAs))
		dontfork = append(dontfork, float64(r.LabDontForkBytes))
	}
	fp := Footprint{N: len(rss), Ballast: size}
	if fp.N == 0 {
		return fp
	}
	fp.RSS, fp.Anon, fp.PTE, fp.VMAs, fp.DontFork = Median(rss), Median(anon), Median(pte), Median(vmas), Median(dontfork)
	fp.OwnRSS, fp.OwnAnon = max(fp.RSS-float64(size), 0), max(fp.Anon-float64(size), 0)
	return fp
}

// ParentHeld is what the lab held when it started the runs at ballast
// size (its median RSS then), or the ballast itself when the runs did not
// measure it.
func ParentHeld(res *results.Result, size int64) float64 {
	if fp := FootprintAt(res, size); fp.N > 0 {
		return fp.RSS
	}
	return float64(size)
}

// Measured reports whether any run of res measured the lab's footprint.
func Measured(res *results.Result) bool {
	for _, r := range res.Runs {
		if r.LabRSSBytes > 0 {
			return true
		}
	}
	return false
}
