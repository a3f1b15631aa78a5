package report

import (
	"fmt"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// What the parent really held when it started children: the ballast asked
// for (parent_rss_bytes) plus the lab's own memory, measured before each
// run's first create (lab_rss_bytes and friends; stats.FootprintAt).
// Results written before those figures existed show the ballast alone.

// parentCell is the table's parent cell: "64MiB + 17.2MiB" (ballast plus
// the lab's own resident memory), or the ballast alone if not measured.
func parentCell(res *results.Result, size int64) string {
	fp := stats.FootprintAt(res, size)
	if fp.N == 0 {
		return sizeText(size)
	}
	return fmt.Sprintf("%s + %s", sizeText(size), bytesIEC(fp.OwnRSS))
}

// parentHeader names the parent column for what its cells hold.
func parentHeader(res *results.Result) string {
	if stats.Measured(res) {
		return "parent (ballast + lab)"
	}
	return "parent"
}

// footprintLine says, in one sentence, what the lab held besides the
// ballast when it started children; "" when the runs did not measure it.
func footprintLine(res *results.Result) string {
	fp := stats.FootprintAt(res, stats.SmallestParent(res))
	if fp.N == 0 {
		return ""
	}
	s := fmt.Sprintf("The parent is never empty: before each run's first create the lab itself held %s resident (%s of it anonymous) in %.0f mappings with %s of page tables (medians over %s)",
		bytesIEC(fp.OwnRSS), bytesIEC(fp.OwnAnon), fp.VMAs, bytesIEC(fp.PTE), plural(fp.N, "run"))
	if fp.Ballast > 0 {
		s += fmt.Sprintf(", besides the %s ballast", sizeText(fp.Ballast))
	}
	if fp.DontFork > 0 {
		return s + fmt.Sprintf("; a fork child inherits all of it but the lab's Go heap and the runtime's own memory, %s of the anonymous memory, kept out of fork children (--fork-lab-heap %s), so \"parent\" is ballast + lab.",
			bytesIEC(fp.DontFork), res.Spec.ForkLabHeap)
	}
	return s + "; a fork child inherits all of it, so \"parent\" is ballast + lab."
}
