package report

import (
	"fmt"
	"slices"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// The sentences report.md says about Python's multiprocessing rows: the
// tutorial proclab grew from, measured with the lab's own instruments.

// hasPython reports whether res ran any py-* method.
func hasPython(res *results.Result) bool {
	return slices.ContainsFunc(res.Spec.Methods, results.Method.IsPython) ||
		len(res.Cells) > 0 && res.Cells[0].Method.IsPython()
}

// pythonSentences compares Python's start methods with each other and
// with the lab's own, from the startup medians of one run.
func pythonSentences(res *results.Result) []string {
	meds := map[results.Method]float64{}
	for _, r := range stats.AtParent(stats.Rows(res), stats.SmallestParent(res)) {
		if r.Startup.N > 0 {
			meds[r.Method] = r.Startup.Median
		}
	}
	var out []string
	var py []string
	for _, m := range []results.Method{results.PyFork, results.PyForkserver, results.PySpawn} {
		if v, ok := meds[m]; ok {
			py = append(py, fmt.Sprintf("%s %s", m, dur(v)))
		}
	}
	if len(py) > 0 {
		out = append(out, fmt.Sprintf("Python's multiprocessing (%s), from the create call (`Process.start()`) to the first statement of the task: %s (medians).",
			pythonVersion(res), andStrings(py)))
	}
	if f, s := meds[results.PyFork], meds[results.PySpawn]; f > 0 && s > 0 {
		out = append(out, fmt.Sprintf("Python's spawn starts a fresh interpreter, which imports multiprocessing and the task's module before the task runs: %s the time of Python's fork.",
			times(stats.Ratio(s, f))))
	}
	var vs []string
	for _, p := range [][2]results.Method{{results.PyFork, results.Fork}, {results.PySpawn, results.Spawn}, {results.PyForkserver, results.Forkserver}} {
		if a, b := meds[p[0]], meds[p[1]]; a > 0 && b > 0 {
			vs = append(vs, fmt.Sprintf("%s %s against the lab's %s %s (%s)", p[0], dur(a), p[1], dur(b), times(stats.Ratio(a, b))))
		}
	}
	if len(vs) > 0 {
		out = append(out, "The same start methods from Go and C in the same run: "+andStrings(vs)+".")
	}
	if p := res.Python; p != nil && p.ForkserverStartupNS != nil {
		out = append(out, fmt.Sprintf("Python's forkserver was started once, before the first task, in %s; no task's figure includes it.",
			dur(float64(*p.ForkserverStartupNS))))
	}
	if c, py := stats.PerIter(res, false), stats.PerIter(res, true); c > 0 && py > 0 {
		out = append(out, fmt.Sprintf("The hot loop in pure Python took %.0f ns per iteration against %.2f ns in C: %s.",
			py, c, times(stats.Ratio(py, c))))
	}
	if slices.ContainsFunc(res.Spec.Methods, results.Method.IsPython) && res.Spec.ProfileHz > 0 {
		out = append(out, "Python tasks have no hot-loop profile: the profiler samples the C loop, and the Python rows run no C loop.")
	}
	return out
}

func pythonVersion(res *results.Result) string {
	if res.Python != nil && res.Python.Version != "" {
		return "Python " + mdText(res.Python.Version)
	}
	return "Python"
}

// pythonCompareSentences says what Python's threads did in the compare
// grid: under the GIL, one thread runs Python code at a time. goThreadUp
// is the Go threads' speedup at the same largest cell where the lab also
// ran the Go grid (0 when it did not).
func pythonCompareSentences(res *results.Result, goThreadUp float64) []string {
	if len(res.Cells) == 0 || !res.Cells[0].Method.IsPython() {
		return nil
	}
	big := stats.LargestCell(res.Cells)
	if big.NTasks < 2 {
		return nil
	}
	s := fmt.Sprintf("With %d tasks of n_iters = %s, %d Python threads finish %.2f× as fast as one Python process, and %d %s processes %.2f×.",
		big.NTasks, itersText(big.NIters), big.NTasks, big.ThreadUp, big.NTasks, big.Method, big.Speedup)
	if big.ThreadUp < 1.2 {
		s += " Python threads give no speedup: the GIL lets one thread run Python code at a time, so only processes use the other CPUs."
	}
	if goThreadUp > 0 {
		s += fmt.Sprintf(" Go's threads running the C loop reach %.2f× at the same point of the lab's own grid.", goThreadUp)
	}
	return []string{s}
}

// goThreadSpeedup finds, in the lab's other sections, the Go threads'
// speedup at python's largest cell.
func goThreadSpeedup(sections []LabSection, python *results.Result) float64 {
	if len(python.Cells) == 0 {
		return 0
	}
	big := stats.LargestCell(python.Cells)
	for _, s := range sections {
		for _, c := range s.Res.Cells {
			if !c.Method.IsPython() && c.NIters == big.NIters && c.NTasks == big.NTasks {
				return c.ThreadUp
			}
		}
	}
	return 0
}
