package report

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
	"github.com/proclab/proclab/lab/stats"
)

// startProfileLine marks the figures of a run measured with the start
// profile on: its sampling interrupts every running thread of the lab and
// its children, so they carry its cost.
func startProfileLine(res *results.Result) string {
	sp := res.StartProfile
	if sp == nil || sp.Error != "" {
		return ""
	}
	line := fmt.Sprintf("Measured with the start profile on (cpu-clock sampling every %s with call chains): the figures above include its cost; %d samples in phases, read with %s of the lab's CPU",
		dur(float64(sp.PeriodNS)), sp.Samples, dur(float64(sp.ReaderCPUNS)))
	if sp.Lost > 0 {
		line += fmt.Sprintf(", %d lost", sp.Lost)
	}
	if sp.Path != "" {
		line += ", in " + sp.Path
	}
	return line
}

// startProfileSection writes what a start profile says (report.md): per
// method, parent size and phase, the CPU per task and where it went, a
// few sentences on the parts users ask about, and how to open it.
func startProfileSection(w io.Writer, root, dir string, res *results.Result, hasFile bool) {
	sp := res.StartProfile
	if sp == nil || sp.Error != "" || len(sp.Phases) == 0 {
		return
	}
	fmt.Fprintf(w, "### Where the time goes\n\n")
	fmt.Fprintf(w, "From the start profile (perf cpu-clock samples every %s, kernel and user call chains, cut into phases by the lab's stamps). "+
		"CPU per task is the sampled CPU of the phase over the tasks of that method and size: a phase shorter than the period is seen in only some tasks. "+
		"Shares are of the phase's samples; the runs here were measured with the profile on, so their timings carry its cost.\n\n", dur(float64(sp.PeriodNS)))
	for _, line := range startProfileSentences(sp.Phases) {
		fmt.Fprintf(w, "%s\n", line)
	}
	fmt.Fprintln(w)
	var rows [][]string
	var cpu []float64
	for _, ph := range sp.Phases {
		if ph.Phase == startprof.PhaseLoop {
			continue // the hot loop: the other profile's subject
		}
		cpu = append(cpu, perTask(ph))
		rows = append(rows, []string{ph.Method, parentCell(res, ph.ParentRSSBytes), ph.Phase,
			"", shares(ph.Parts, 2), shares(ph.Kernel, 2), shares(ph.User, 2)})
	}
	unit, cells := durCells(cpu)
	for i := range rows {
		rows[i][3] = cells[i]
	}
	mdTable(w, []string{"method", "parent", "phase", withUnit("CPU per task", unit), "doing", "top kernel functions", "top user functions"},
		[]bool{false, true, false, true, false, false, false}, rows)
	fmt.Fprintln(w)
	if hasFile {
		p := shellQuote(path.Join(root, dir, "start-profile.pb.gz"))
		fmt.Fprintf(w, "The profile: [start-profile.pb.gz](%s). pprof keeps only the last `-tagfocus`, so give method and phase in one, comma-separated:\n\n",
			mdURL(path.Join(dir, "start-profile.pb.gz")))
		fmt.Fprintf(w, "    go tool pprof -top -tagfocus='method:fork$,phase:create$' %s\n", p)
		fmt.Fprintf(w, "    go tool pprof -top -tagfocus='method:spawn$,phase:child-start$' %s\n", p)
		fmt.Fprintf(w, "    go tool pprof -tags %s\n\n", p)
	}
}

func perTask(ph results.PhaseSummary) float64 { return stats.PhaseCPUPerTask(ph) }

func shares(fs []results.FuncShare, n int) string {
	var parts []string
	for i, f := range fs {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%%", mdText(f.Func), 100*f.Share))
	}
	return strings.Join(parts, ", ")
}

func partShare(ph results.PhaseSummary, part string) float64 {
	for _, p := range ph.Parts {
		if p.Func == part {
			return p.Share
		}
	}
	return 0
}

// largestPhase is the phase of method at the largest parent size profiled.
func largestPhase(phases []results.PhaseSummary, method, phase string) (results.PhaseSummary, bool) {
	var best results.PhaseSummary
	ok := false
	for _, ph := range phases {
		if ph.Method == method && ph.Phase == phase && (!ok || ph.ParentRSSBytes > best.ParentRSSBytes) {
			best, ok = ph, true
		}
	}
	return best, ok
}

// startProfileSentences says, in plain words, what the profile shows for
// the questions users bring: how much of fork is copying page tables (at
// the largest parent), what a spawned worker's start is made of, and what
// exec costs after fork.
func startProfileSentences(phases []results.PhaseSummary) []string {
	find := func(method, phase string) (results.PhaseSummary, bool) { return largestPhase(phases, method, phase) }
	size := func(b int64) string {
		if b == 0 {
			return "with no ballast"
		}
		return "with a " + bytesIEC(float64(b)) + " parent"
	}
	var out []string
	if ph, ok := find("fork", startprof.PhaseCreate); ok {
		out = append(out, fmt.Sprintf("- fork %s: the create call took %s of CPU per task, %.0f%% of it in the kernel and %.0f%% copying page tables (%s).",
			size(ph.ParentRSSBytes), dur(perTask(ph)), 100*ph.KernelShare, 100*partShare(ph, startprof.PartPageTableCopy), shares(ph.Kernel, 2)))
	}
	if ph, ok := find("fork", startprof.PhaseChildExit); ok && partShare(ph, startprof.PartMemRead) > 0.5 {
		out = append(out, fmt.Sprintf("- fork %s: a child's end took %s per task, %.0f%% of it reading its own smaps_rollup (the lab's memory figure, left out of total_ns), which walks the page tables it shares with the lab.",
			size(ph.ParentRSSBytes), dur(perTask(ph)), 100*partShare(ph, startprof.PartMemRead)))
	}
	for _, m := range []string{"spawn", "fork-exec", "exec"} {
		ph, ok := find(m, startprof.PhaseChildStart)
		if !ok {
			continue
		}
		out = append(out, fmt.Sprintf("- %s %s: a child's start (birth to its task's first stamp) took %s of CPU per task: %s.",
			m, size(ph.ParentRSSBytes), dur(perTask(ph)), shares(ph.Parts, 4)))
	}
	if ph, ok := find("forkserver", startprof.PhaseCreate); ok {
		line := fmt.Sprintf("- forkserver %s: the lab's create call (a request over a socket) took %s of CPU per task, %.0f%% copying page tables",
			size(ph.ParentRSSBytes), dur(perTask(ph)), 100*partShare(ph, startprof.PartPageTableCopy))
		if s, ok := find("forkserver", startprof.PhaseServer); ok {
			line += fmt.Sprintf("; the server's fork of its own small image took %s per task", dur(perTask(s)))
		}
		out = append(out, line+".")
	}
	return out
}
