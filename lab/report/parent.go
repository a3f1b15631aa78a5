package report

import (
	"fmt"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// What the parent really held when it started children: the ballast asked
// for (parent_rss_bytes) plus the lab's own memory, measured before each
// run's first create (lab_rss_bytes and friends). Results written before
// those figures existed show the ballast alone.

// labFootprint is the median footprint of the lab over the runs at one
// parent size; n is 0 when none measured it.
type labFootprint struct {
	n               int
	rss, anon, pte  float64
	vmas            float64
	ballast         int64
	ownRSS, ownAnon float64 // rss and anon less the ballast
	dontfork        float64 // anonymous bytes fork children did not get (lab_dontfork_bytes)
}

func footprintAt(res *results.Result, size int64) labFootprint {
	var rss, anon, pte, vmas, dontfork []float64
	for _, r := range res.Runs {
		if r.ParentRSSBytes != size || r.LabRSSBytes <= 0 {
			continue
		}
		rss = append(rss, float64(r.LabRSSBytes))
		anon = append(anon, float64(r.LabAnonBytes))
		pte = append(pte, float64(r.LabPTEBytes))
		vmas = append(vmas, float64(r.LabVMAs))
		dontfork = append(dontfork, float64(r.LabDontForkBytes))
	}
	fp := labFootprint{n: len(rss), ballast: size}
	if fp.n == 0 {
		return fp
	}
	fp.rss, fp.anon = stats.Summarize(rss).Median, stats.Summarize(anon).Median
	fp.pte, fp.vmas = stats.Summarize(pte).Median, stats.Summarize(vmas).Median
	fp.ownRSS, fp.ownAnon = max(fp.rss-float64(size), 0), max(fp.anon-float64(size), 0)
	fp.dontfork = stats.Summarize(dontfork).Median
	return fp
}

// parentCell is the table's parent cell: "64MiB + 17.2MiB" (ballast plus
// the lab's own resident memory), or the ballast alone if not measured.
func parentCell(res *results.Result, size int64) string {
	fp := footprintAt(res, size)
	if fp.n == 0 {
		return sizeText(size)
	}
	return fmt.Sprintf("%s + %s", sizeText(size), bytesIEC(fp.ownRSS))
}

// parentHeader names the parent column for what its cells hold.
func parentHeader(res *results.Result) string {
	for _, r := range res.Runs {
		if r.LabRSSBytes > 0 {
			return "parent (ballast + lab)"
		}
	}
	return "parent"
}

// footprintLine says, in one sentence, what the lab held besides the
// ballast when it started children; "" when the runs did not measure it.
func footprintLine(res *results.Result) string {
	fp := footprintAt(res, smallestParent(res))
	if fp.n == 0 {
		return ""
	}
	s := fmt.Sprintf("The parent is never empty: before each run's first create the lab itself held %s resident (%s of it anonymous) in %.0f mappings with %s of page tables",
		bytesIEC(fp.ownRSS), bytesIEC(fp.ownAnon), fp.vmas, bytesIEC(fp.pte))
	if fp.ballast > 0 {
		s += fmt.Sprintf(", besides the %s ballast", sizeText(fp.ballast))
	}
	if fp.dontfork > 0 {
		return s + fmt.Sprintf("; a fork child inherits all of it but the lab's Go heap and the runtime's own memory, %s of the anonymous memory, kept out of fork children (--fork-lab-heap %s), so \"parent\" is ballast + lab.",
			bytesIEC(fp.dontfork), res.Spec.ForkLabHeap)
	}
	return s + "; a fork child inherits all of it, so \"parent\" is ballast + lab."
}
