package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// LabReport is what report.md (the report of `make lab`) is written from:
// several results directories, each written by --out.
type LabReport struct {
	Title    string       // first heading
	Root     string       // the report's directory as the reader names it; commands use it
	Sections []LabSection // in the order the report shows them
}

// A LabSection is one results directory of the report.
type LabSection struct {
	Dir   string          // relative to the report
	Res   *results.Result //
	Files []string        // the files present in Dir: the report links only these
}

// Lab writes report.md: for each section its command, its tables, its
// figures with a few sentences on what they show here, links to its
// files, and the commands to open its profiles; then how to compare with
// another machine.
func Lab(w io.Writer, lr LabReport) error {
	var body bytes.Buffer
	starts := make([]int, len(lr.Sections)+1)
	var benches []string
	for i, s := range lr.Sections {
		starts[i] = body.Len()
		if err := labSection(&body, lr.Root, s, lr.Sections); err != nil {
			return err
		}
		if slices.Contains(s.Files, "bench.txt") {
			benches = append(benches, path.Join(s.Dir, "bench.txt"))
		}
	}
	starts[len(lr.Sections)] = body.Len()
	labWarnings(&body, lr.Sections)
	if len(benches) > 0 {
		fmt.Fprintf(&body, "## Comparing with another machine or kernel\n\n")
		fmt.Fprintf(&body, "Each directory holds `bench.txt` in the Go benchmark format. Run the lab there too, then, e.g.:\n\n")
		fmt.Fprintf(&body, "    go run golang.org/x/perf/cmd/benchstat@latest %s %s\n\n", shellQuote(path.Join(lr.Root, benches[0])), shellQuote("OTHER/"+benches[0]))
	}
	for _, s := range lr.Sections { // the host last: the lessons and tables first
		if len(hostConfig(s.Res)) > 0 {
			hostSection(&body, s.Res, "##")
			break
		}
	}
	title := fmt.Sprintf("# %s\n\n", mdText(lr.Title))
	// The anchors, numbered in the order the headings come: the title,
	// the lessons (if any), the contents, then the body's.
	layout := func(withLessons bool) ([]lesson, []heading) {
		sl := &slugs{}
		headingsOf(title, sl)
		if withLessons {
			sl.id("Lessons")
		}
		sl.id("Contents")
		heads := headingsOf(body.String(), sl)
		var secs []lessonSection
		for i, s := range lr.Sections {
			ls := lessonSection{LabSection: s}
			for _, h := range heads {
				if h.at >= starts[i] && h.at < starts[i+1] {
					ls.heads = append(ls.heads, h)
				}
			}
			if len(ls.heads) > 0 {
				secs = append(secs, ls)
			}
		}
		return lessons(secs), heads
	}
	ls, heads := layout(true)
	if len(ls) == 0 {
		ls, heads = layout(false)
	}
	io.WriteString(w, title)
	if len(ls) > 0 {
		fmt.Fprintf(w, "## Lessons\n\nWhat this run shows on this machine; each figure is from the section linked.\n\n")
		for _, l := range ls {
			fmt.Fprintf(w, "- %s ([%s](#%s))\n", l.text, l.to.text, l.to.id)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## Contents\n\n")
	for _, h := range heads {
		if h.level == 2 || h.level == 3 {
			fmt.Fprintf(w, "%s- [%s](#%s)\n", strings.Repeat("  ", h.level-2), h.text, h.id)
		}
	}
	fmt.Fprintln(w)
	_, err := w.Write(body.Bytes())
	return err
}

// labWarnings is the report's one warnings section: each section's
// warnings, grouped, under the section's title.
func labWarnings(w io.Writer, secs []LabSection) {
	head := false
	for _, s := range secs {
		ws := resultWarnings(s.Res)
		if len(ws) == 0 {
			continue
		}
		if !head {
			fmt.Fprintf(w, "## Warnings\n\n")
			head = true
		}
		where := ""
		if s.Dir != "." {
			where = " (" + s.Dir + "/)"
		}
		fmt.Fprintf(w, "- %s%s:\n", sectionTitle(s.Res), mdText(where))
		for _, x := range ws {
			fmt.Fprintf(w, "  - %s\n", mdText(x))
		}
	}
	if head {
		fmt.Fprintln(w)
	}
}

func sectionTitle(res *results.Result) string {
	title := kindTitles[stats.KindOf(res)]
	if hasPython(res) {
		title += ", Python's multiprocessing"
	}
	if res.Spec.ParentTHP && len(res.Spec.ParentRSSBytes) > 0 {
		title += ", in transparent huge pages" // not the same heading twice when a lab sweeps both ways
	}
	return title
}

var kindTitles = map[stats.Kind]string{
	stats.KindMethods:      "Start methods side by side",
	stats.KindCompare:      "One process against several",
	stats.KindParentRSS:    "Startup against the parent's memory",
	stats.KindStartProfile: "Where the time goes: starting and ending tasks, profiled",
}

var kindFigures = map[stats.Kind][]string{
	stats.KindMethods:   {"startup", "rss", "rss-live"},
	stats.KindCompare:   {"speedup"},
	stats.KindParentRSS: {"parent-rss"},
}

func labSection(w io.Writer, root string, s LabSection, all []LabSection) error {
	kind := stats.KindOf(s.Res)
	fmt.Fprintf(w, "## %s\n\n", sectionTitle(s.Res))
	if s.Dir == "." { // a directory written by --out: the report is beside its files
		fmt.Fprintf(w, "Command: %s\n\n", codeSpan(SpecCommand(s.Res)))
	} else {
		fmt.Fprintf(w, "Command: %s (results in [%s/](%s/))\n\n", codeSpan(SpecCommand(s.Res)), mdText(s.Dir), mdURL(s.Dir))
	}
	if s.Res.Incomplete {
		fmt.Fprintf(w, "**Interrupted: these results are incomplete.**\n\n")
	}
	switch kind {
	case stats.KindMethods:
		if err := methodsTable(w, s.Res); err != nil {
			return err
		}
		if line := footprintLine(s.Res); line != "" {
			fmt.Fprintf(w, "%s\n\n", line)
		}
	case stats.KindCompare:
		compareMarkdown(w, s.Res)
	case stats.KindStartProfile:
		fmt.Fprintf(w, "Timings measured with the start profile on (they carry its cost; the other sections are measured without it):\n\n")
		if err := methodsTable(w, s.Res); err != nil {
			return err
		}
	case stats.KindParentRSS:
		sweepMarkdown(w, s.Res)
		if line := footprintLine(s.Res); line != "" {
			fmt.Fprintf(w, "%s\n\n", line)
		}
	}
	has := func(name string) bool { return slices.Contains(s.Files, name) }
	figs := Figures(s.Res)
	for _, name := range kindFigures[kind] {
		i := slices.IndexFunc(figs, func(f Figure) bool { return f.Name == name })
		if i < 0 || !has(name+".png") {
			if name == "startup" { // too few tasks for a plot: the figures in words
				if lines := startupSentences(s.Res); len(lines) > 0 {
					fmt.Fprintf(w, "### Startup latency\n\n%s\n\n", strings.Join(lines, "\n"))
				}
			}
			continue
		}
		fmt.Fprintf(w, "### %s\n\n", figs[i].Title)
		fmt.Fprintf(w, "![%s](%s)\n\n", figs[i].Title, mdURL(path.Join(s.Dir, name+".png")))
		if has(name + ".svg") {
			fmt.Fprintf(w, "([SVG](%s))\n\n", mdURL(path.Join(s.Dir, name+".svg")))
		}
		for _, line := range figureSentences(name, s.Res) {
			fmt.Fprintf(w, "%s\n", line)
		}
		fmt.Fprintln(w)
	}
	if hasPython(s.Res) {
		py := pythonCompareSentences(s.Res, goThreadSpeedup(all, s.Res))
		if kind != stats.KindCompare {
			py = pythonSentences(s.Res)
		}
		for _, line := range py {
			fmt.Fprintf(w, "%s\n", line)
		}
		if len(py) > 0 {
			fmt.Fprintln(w)
		}
	}
	if kind == stats.KindMethods {
		memoryNotes(w, s.Res, has("rss.png"), has("rss-live.png"))
	}
	var links []string
	for _, name := range []string{"results.md", "results.json", "results.csv", "bench.txt"} {
		if has(name) {
			links = append(links, fmt.Sprintf("[%s](%s)", name, mdURL(path.Join(s.Dir, name))))
		}
	}
	if len(links) > 0 {
		fmt.Fprintf(w, "Files: %s.\n\n", joinComma(links))
	}
	startProfileSection(w, root, s.Dir, s.Res, has("start-profile.pb.gz"))
	if has("profile.pb.gz") {
		p := shellQuote(path.Join(root, s.Dir, "profile.pb.gz"))
		fmt.Fprintf(w, "Profile of the hot loop in every child ([profile.pb.gz](%s)); open it with:\n\n", mdURL(path.Join(s.Dir, "profile.pb.gz")))
		fmt.Fprintf(w, "    go tool pprof -top %s\n    go tool pprof -http=localhost:8080 %s\n\n", p, p)
	}
	return nil
}

// memoryNotes writes, in place of a memory figure left out, its figures in
// words or why there are none: a plot of one point is no picture.
func memoryNotes(w io.Writer, res *results.Result, figure, live bool) {
	if !figure {
		lines := rssSentences(res)
		if len(lines) == 0 {
			lines = []string{"No memory figure per child in these results (no process task, or results from a lab that did not read them)."}
		} else {
			fmt.Fprintf(w, "### Memory of each child\n\n")
		}
		for _, l := range lines {
			fmt.Fprintf(w, "%s\n", l)
		}
		fmt.Fprintln(w)
	}
	if !live {
		fmt.Fprintf(w, "No child was sampled live twice or more in this run, so there is no figure of memory over time.\n\n")
	}
}

func figureSentences(name string, res *results.Result) []string {
	switch name {
	case "startup":
		return startupSentences(res)
	case "speedup":
		return speedupSentences(res)
	case "parent-rss":
		return parentSentences(res)
	case "rss":
		return rssSentences(res)
	}
	return nil
}

// sweepMarkdown is the median startup per method (columns) and parent
// size (rows).
func sweepMarkdown(w io.Writer, res *results.Result) {
	header := []string{"parent holds"} // cells "ballast + lab" once measured; footprintLine says so
	right := []bool{true}
	for _, m := range res.Spec.Methods {
		header = append(header, string(m))
		right = append(right, true)
	}
	rows := stats.Rows(res)
	cells := make([][]string, len(res.Spec.ParentRSSBytes))
	for i, size := range res.Spec.ParentRSSBytes {
		cells[i] = []string{parentCell(res, size)}
	}
	for j, m := range res.Spec.Methods {
		var vals []float64
		for _, size := range res.Spec.ParentRSSBytes {
			v := math.NaN()
			if r, ok := stats.RowFor(rows, stats.Key{Method: m, ParentRSSBytes: size, NTasks: res.Spec.NTasks, NIters: res.Spec.NIters}); ok && r.Startup.N > 0 {
				v = r.Startup.Median
			}
			vals = append(vals, v)
		}
		unit, col := durCells(vals)
		header[1+j] = withUnit(string(m), unit)
		for i := range cells {
			cells[i] = append(cells[i], col[i])
		}
	}
	fmt.Fprintf(w, "Median startup latency per method and parent size:\n\n")
	mdTable(w, header, right, cells)
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
