package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// Markdown writes results.md: what was run, the host, the start methods
// table, the compare grid or the runs, the figures and the warnings.
// Figures are linked by the names Exports gives them, beside results.md.
func Markdown(w io.Writer, res *results.Result) error {
	fmt.Fprintf(w, "# proclab results\n\n")
	fmt.Fprintf(w, "Command: %s\n\n", codeSpan(SpecCommand(res)))
	if res.Incomplete {
		fmt.Fprintf(w, "**Interrupted: these results are incomplete.**\n\n")
	}
	hostSection(w, res, "##")
	if len(res.Cells) > 0 {
		fmt.Fprintf(w, "## Single process against processes and threads\n\n")
		compareMarkdown(w, res)
	} else {
		fmt.Fprintf(w, "## Start methods\n\n")
		if err := methodsTable(w, res); err != nil {
			return err
		}
		if line := footprintLine(res); line != "" {
			fmt.Fprintf(w, "%s\n\n", line)
		}
		runsMarkdown(w, res)
	}
	figs := Figures(res)
	if len(figs) > 0 {
		fmt.Fprintf(w, "## Figures\n\n")
		for _, f := range figs {
			fmt.Fprintf(w, "![%s](%s.png)\n\n([SVG](%s.svg))\n\n", f.Title, f.Name, f.Name)
		}
	}
	if !slices.ContainsFunc(figs, func(f Figure) bool { return f.Name == "startup" }) {
		if lines := startupSentences(res); len(lines) > 0 { // too few tasks to plot: in words
			fmt.Fprintf(w, "## Startup latency\n\n%s\n\n", strings.Join(lines, "\n"))
		}
	}
	if !slices.ContainsFunc(figs, func(f Figure) bool { return f.Name == "rss" }) {
		if lines := rssSentences(res); len(lines) > 0 { // too few tasks to plot: in words
			fmt.Fprintf(w, "## Memory of each child\n\n%s\n\n", strings.Join(lines, "\n"))
		}
	}
	warnings(w, res)
	return nil
}

// hostSection lists the host metadata, if the results carry any.
func hostSection(w io.Writer, res *results.Result, level string) {
	kvs := hostConfig(res)
	if len(kvs) == 0 {
		return
	}
	fmt.Fprintf(w, "%s Host\n\n", level)
	var rows [][]string
	for _, kv := range kvs {
		v := kv.value
		if strings.HasSuffix(kv.key, "_bytes") {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				v = bytesIEC(n) // memory in GiB, not a 11-digit count
			}
		}
		rows = append(rows, []string{mdText(kv.key), mdText(v)})
	}
	mdTable(w, []string{"key", "value"}, nil, rows)
	if line := thpSentence(res); line != "" {
		fmt.Fprintf(w, "%s\n\n", line)
	}
}

// thpSentence says which transparent huge page mode was in force, and what
// it does to fork.
func thpSentence(res *results.Result) string {
	if res.Host == nil || res.Host.THP == "" {
		return ""
	}
	s := fmt.Sprintf("Transparent huge pages were %s during these runs. ", codeSpan(res.Host.THP))
	switch res.Host.THP {
	case "always":
		s += "Anonymous memory, the lab's ballast included, may be backed by 2 MiB pages, each mapped by one page-table entry, so fork copies " +
			"up to 512 times fewer entries for a large parent than with 4 KiB pages: fork's growth with the parent is much flatter than with `madvise` or `never`."
	case "madvise":
		s += "Only memory that asks for them (`--parent-thp` madvises the ballast) gets 2 MiB pages; without it the ballast is mapped in 4 KiB pages, " +
			"and fork copies one page-table entry per 4 KiB of the parent: that is what makes fork grow with the parent here."
	case "never":
		s += "Every page is 4 KiB, `--parent-thp` included: fork copies one page-table entry per 4 KiB of the parent."
	}
	return s
}

// compareMarkdown is the compare grid and its crossovers.
func compareMarkdown(w io.Writer, res *results.Result) {
	if len(res.Cells) == 0 {
		fmt.Fprintf(w, "No cell of the grid has every way of running it complete: nothing to compare.\n\n")
		return
	}
	m := res.Cells[0].Method
	var single, multi, thread []float64
	for _, c := range res.Cells {
		single, multi, thread = append(single, float64(c.SingleNS)), append(multi, float64(c.MultiNS)), append(thread, float64(c.ThreadNS))
	}
	us, sc := durCells(single)
	um, mc := durCells(multi)
	ut, tc := durCells(thread)
	var rows [][]string
	for i, c := range res.Cells {
		rows = append(rows, []string{fmt.Sprint(c.NTasks), fmt.Sprint(c.NIters), sc[i], mc[i], tc[i],
			fmt.Sprintf("%.2f×", c.Speedup), fmt.Sprintf("%.0f%%", 100*c.Efficiency), fmt.Sprintf("%.2f×", c.ThreadUp)})
	}
	mdTable(w, []string{"n_tasks", "n_iters", withUnit("single", us), withUnit(string(m), um), withUnit("thread", ut), "speedup", "efficiency", "thread speedup"},
		[]bool{true, true, true, true, true, true, true, true}, rows)
	fmt.Fprintf(w, "Median wall time per run of n_tasks tasks over %d round(s). Speedup is single over %s; "+
		"efficiency is the speedup over min(n_tasks, CPUs).\n\n", res.Cells[0].Rounds, m)
	fmt.Fprintf(w, "Crossover, the smallest n_iters of the grid from which on %s processes beat one process by more than 5%% (less is a tie, the noise of a shared machine), "+
		"and where the speedups of processes and of threads cross 1× (interpolated between grid points on log n_iters):\n\n", m)
	for _, line := range crossoverLines(res) {
		fmt.Fprintf(w, "- %s\n", line)
	}
	fmt.Fprintln(w)
}

// runsMarkdown lists every recorded run: its wall time and its tasks'
// median startup and total.
func runsMarkdown(w io.Writer, res *results.Result) {
	if len(res.Runs) == 0 {
		return
	}
	fmt.Fprintf(w, "### Runs\n\n")
	var rows [][]string
	for i := range res.Runs {
		r := &res.Runs[i]
		f := stats.OfRun(r)
		st, total, wall := "-", "-", dur(float64(r.WallNS))
		if f.Startup.N > 0 {
			st = dur(f.Startup.Median)
		}
		if f.Total.N > 0 {
			total = dur(f.Total.Median)
		}
		if !f.WallCounts {
			wall += " (left out)"
		}
		parent := sizeText(r.ParentRSSBytes)
		if r.LabRSSBytes > 0 {
			parent = sizeText(r.ParentRSSBytes) + " + " + bytesIEC(max(float64(r.LabRSSBytes-r.ParentRSSBytes), 0))
		}
		round := fmt.Sprint(r.Round)
		if !stats.Recorded(r) {
			round += " (warmup)"
		}
		rows = append(rows, []string{string(r.Method), parent, round,
			fmt.Sprint(len(r.Tasks)), wall, st, total, fmt.Sprint(f.LeftOut)})
	}
	mdTable(w, []string{"method", parentHeader(res), "round", "tasks", "wall", "startup (median)", "total/task (median)", "left out"},
		[]bool{false, true, true, true, true, true, true, true}, rows)
}

func warnings(w io.Writer, res *results.Result) {
	ws := resultWarnings(res)
	if len(ws) == 0 {
		return
	}
	fmt.Fprintf(w, "## Warnings\n\n")
	for _, s := range ws {
		fmt.Fprintf(w, "- %s\n", mdText(s))
	}
	fmt.Fprintln(w)
}

// resultWarnings are res's warnings and the tasks that did not end well,
// grouped.
func resultWarnings(res *results.Result) []string {
	return reportWarnings(append(problems(res), res.Warnings...), len(res.Cells))
}

// SpecCommand is a proclab command line that asks for what res ran.
func SpecCommand(res *results.Result) string {
	if len(res.Command) > 0 { // the command that ran, as typed
		var q []string
		for _, a := range res.Command {
			q = append(q, shellQuote(a))
		}
		return strings.Join(q, " ")
	}
	s := res.Spec
	var b strings.Builder
	if len(res.Cells) > 0 || len(s.NTasksGrid) > 0 {
		m := results.Fork
		if len(s.Methods) == 3 {
			m = s.Methods[1]
		}
		fmt.Fprintf(&b, "proclab compare --n-iters %s --n-tasks %s --method %s", joinUints(s.NItersGrid), joinInts(s.NTasksGrid), m)
	} else {
		var ms []string
		for _, m := range s.Methods {
			ms = append(ms, string(m))
		}
		fmt.Fprintf(&b, "proclab --method %s --n-tasks %d --n-iters %d", strings.Join(ms, ","), s.NTasks, s.NIters)
		if len(s.ParentRSSBytes) > 1 || len(s.ParentRSSBytes) == 1 && s.ParentRSSBytes[0] != 0 {
			var sizes []string
			for _, b := range s.ParentRSSBytes {
				sizes = append(sizes, sizeArg(b))
			}
			fmt.Fprintf(&b, " --parent-rss %s", strings.Join(sizes, ","))
		}
		if s.ParentTHP {
			b.WriteString(" --parent-thp")
		}
		if s.ProfileHz > 0 {
			fmt.Fprintf(&b, " --profile-hz %d", s.ProfileHz)
		}
	}
	fmt.Fprintf(&b, " --repeat %d", max(s.Repeat, 1))
	if s.Warmup > 0 {
		fmt.Fprintf(&b, " --warmup %d", s.Warmup)
	}
	return b.String()
}

// sizeArg writes a byte count the way --parent-rss reads it, exactly.
func sizeArg(b int64) string {
	switch {
	case b == 0:
		return "0"
	case b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	}
	return fmt.Sprint(b)
}

func joinInts(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ",")
}

func joinUints(xs []uint64) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ",")
}

// shellQuote quotes a for a POSIX shell where it needs it.
func shellQuote(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./,:+@%^") == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}
