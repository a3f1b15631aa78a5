package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// TaskColumns and MethodColumns are the names --columns takes, per table.
var (
	TaskColumns = []string{"method", "round", "task", "pid", "startup", "total", "run", "cpu", "hwm",
		"end-rss", "end-pss", "peak-rss", "peak-pss", "minflt", "vcsw", "ivcsw", "exit", "checksum"}
	MethodColumns = []string{"method", "parent", "startup", "startup-range", "image", "go-start", "total",
		"total-range", "wall", "startup-x", "wall-x", "outliers", "left-out"}
)

func nan(p *int64) float64 {
	if p == nil {
		return math.NaN()
	}
	return float64(*p)
}

// tasksTerm is the per-task table as columns.
func tasksTerm(res *results.Result) *termTable {
	tt := &termTable{}
	method := tt.col("method", "method", kindText, 0)
	method.left = false
	round := tt.col("round", "round", kindCount, 1)
	task := tt.col("task", "task", kindCount, 0)
	pid := tt.col("pid", "pid", kindCount, 4)
	startup := tt.col("startup", "startup", kindDur, 0)
	total := tt.col("total", "total", kindDur, 0)
	run := tt.col("run", "run", kindDur, 5)
	cpu := tt.col("cpu", "cpu", kindDur, 2)
	hwm := tt.col("hwm", "hwm", kindBytes, 3)
	rss := tt.col("end-rss", "end rss", kindBytes, 6)
	pss := tt.col("end-pss", "end pss", kindBytes, 6)
	var peakRSS, peakPSS *tcol
	if hasPeaks(res) {
		peakRSS = tt.col("peak-rss", "peak rss", kindBytes, 6)
		peakPSS = tt.col("peak-pss", "peak pss", kindBytes, 6)
	}
	minflt := tt.col("minflt", "minflt", kindCount, 7)
	vcsw := tt.col("vcsw", "vcsw", kindCount, 8)
	ivcsw := tt.col("ivcsw", "ivcsw", kindCount, 8)
	exit := tt.col("exit", "exit", kindText, 1)
	exit.left = false
	sum := tt.col("checksum", "checksum", kindText, 2)
	sum.left = false
	for _, r := range res.Runs {
		for i := range r.Tasks {
			t := &r.Tasks[i]
			method.addText(string(r.Method))
			round.add(float64(r.Round))
			task.add(float64(t.Task))
			pid.add(float64(t.PID))
			startup.add(nan(t.StartupNS))
			total.add(float64(t.TotalNS))
			run.add(float64(t.RunNS))
			cpu.add(nan(t.TaskCPUNS))
			hwm.add(nan(t.HWMBytes))
			rss.add(nan(t.EndRSSBytes))
			pss.add(nan(t.EndPSSBytes))
			if peakRSS != nil {
				peakRSS.add(nan(t.PeakRSSBytes))
				peakPSS.add(nan(t.PeakPSSBytes))
			}
			minflt.add(nan(t.MinFlt))
			vcsw.add(nan(t.NVCSW))
			ivcsw.add(nan(t.NIVCSW))
			exit.addText(exitText(t))
			sum.addText(checksumText(t))
			style := ""
			if !stats.Counts(t) {
				style = "warn"
			}
			tt.style = append(tt.style, style)
		}
	}
	return tt
}

// methodsTerm is the comparison table as columns, from stats.Rows.
func methodsTerm(res *results.Result, rows []stats.Row) *termTable {
	tt := &termTable{}
	sizes := len(res.Spec.ParentRSSBytes) > 1
	split, leftOut := false, false
	for _, r := range rows {
		split = split || r.Split.N > 0
		leftOut = leftOut || r.LeftOut > 0 || r.LeftOutRuns > 0
	}
	method := tt.col("method", "method", kindText, 0)
	parentPrio := 6
	if sizes {
		parentPrio = 0
	}
	parent := tt.col("parent", parentHeader(res), kindText, parentPrio)
	startup := tt.col("startup", "startup", kindDur, 0)
	startupRange := tt.col("startup-range", "p10 … p90", kindDur, 3)
	startupRange.sep, startupRange.unitFrom = "…", 2
	var image, goStart *tcol
	if split {
		image = tt.col("image", "to image", kindDur, 5)
		goStart = tt.col("go-start", "Go start", kindDur, 5)
	}
	total := tt.col("total", "total/task", kindDur, 1)
	totalRange := tt.col("total-range", "p10 … p90", kindDur, 7)
	totalRange.sep, totalRange.unitFrom = "…", len(tt.cols)-2
	wall := tt.col("wall", "wall/run ± σ", kindDur, 2)
	wall.sep = " ± "
	startupX := tt.col("startup-x", "startup ×", kindRatio, 1)
	wallX := tt.col("wall-x", "wall ×", kindRatio, 2)
	outliers := tt.col("outliers", "outliers", kindCount, 8)
	leftPrio := 4
	if leftOut {
		leftPrio = 0
	}
	left := tt.col("left-out", "left out", kindText, leftPrio)
	left.left = false
	worst := 0.0
	for _, r := range rows {
		worst = max(worst, r.StartupRatio)
	}
	for _, s := range rows {
		method.addText(string(s.Method))
		parent.addText(parentCellOf(res, s))
		if s.Startup.N > 0 {
			startup.add(s.Startup.Median)
			startupRange.addPair(s.Startup.P10, s.Startup.P90)
			startupX.add(s.StartupRatio)
		} else {
			startup.add(math.NaN())
			startupRange.addPair(math.NaN(), math.NaN())
			startupX.add(math.NaN())
		}
		if image != nil {
			if s.Split.N > 0 {
				image.add(s.Split.Image)
				goStart.add(s.Split.Program)
			} else {
				image.add(math.NaN())
				goStart.add(math.NaN())
			}
		}
		if s.Total.N > 0 {
			total.add(s.Total.Median)
			totalRange.addPair(s.Total.P10, s.Total.P90)
		} else {
			total.add(math.NaN())
			totalRange.addPair(math.NaN(), math.NaN())
		}
		if s.Wall.N > 0 {
			wall.addPair(s.Wall.Mean, s.Wall.Stddev)
			wallX.add(s.WallRatio)
		} else {
			wall.addPair(math.NaN(), math.NaN())
			wallX.add(math.NaN())
		}
		outliers.add(float64(s.Startup.Outliers))
		left.addText(leftOutCell(s))
		style := ""
		switch {
		case s.Startup.N > 0 && s.StartupRatio == 1 && len(rows) > 1:
			style = "best"
		case s.Startup.N > 0 && s.StartupRatio == worst && worst > 1:
			style = "worst"
		}
		tt.style = append(tt.style, style)
	}
	return tt
}

// hiddenNote says what the width left out and how to see it.
func hiddenNote(w io.Writer, n int) {
	if n > 0 {
		fmt.Fprintf(w, "(%s not shown to fit the width: --wide shows all, --columns picks)\n", plural(n, "column"))
	}
}

// fasterLines are the answer first: per table of rows, the method that
// started fastest and how many times faster than each other, as
// hyperfine says it, with the 95% interval of the ratio (runs resampled,
// stats.FasterTables); a ratio whose interval reaches 1 is said to be
// not told apart.
func fasterLines(w io.Writer, res *results.Result, rows []stats.Row, opt TermOptions) {
	fs := stats.FasterTables(rows)
	sizes := len(res.Spec.ParentRSSBytes) > 1
	for _, f := range fs {
		name := string(f.Fastest.Method)
		if opt.Color {
			name = colorize("best", name)
		}
		at := ""
		if sizes {
			at = ", the parent at " + sizeText(f.ParentRSSBytes)
		}
		fmt.Fprintf(w, "\nSummary%s: %s started fastest (median startup)\n", at, name)
		tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
		for _, s := range f.Others {
			apart := ""
			if s.Lo <= 1 {
				apart = ": not told apart"
			}
			fmt.Fprintf(tw, "  %s\ttimes faster than %s\t(95%% interval %s … %s%s)\n",
				sig3(s.Ratio), s.Method, sig3(s.Lo), sig3(s.Hi), apart)
		}
		tw.Flush()
	}
}

// legend prints a legend wrapped to the width.
func legend(w io.Writer, text string, width int) {
	fmt.Fprintln(w, wrap(strings.ReplaceAll(text, "\n", " "), width))
}
