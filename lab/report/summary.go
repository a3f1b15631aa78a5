package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
	"github.com/proclab/proclab/lab/stats"
)

// report.md opens with its lessons: a few sentences with this machine's
// figures, each linking to the section it comes from, then a table of
// contents. Every figure a lesson quotes is one package stats computed;
// a lesson whose part the lab did not run is left out.

// A heading of report.md and its anchor.
type heading struct {
	level int
	text  string
	id    string
	at    int // its offset in the text it was found in
}

// slugs makes heading anchors the way GitHub does (and report.html uses
// the same): lower case, letters, digits, '-' and '_' kept, spaces made
// '-', anything else dropped; a repeated anchor gets -1, -2, ….
type slugs struct{ seen map[string]int }

func (s *slugs) id(text string) string {
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(text)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	base := b.String()
	id := base
	for { // github-slugger's rule
		if _, taken := s.seen[id]; !taken {
			break
		}
		s.seen[base]++
		id = fmt.Sprintf("%s-%d", base, s.seen[base])
	}
	s.seen[id] = 0
	return id
}

var headingLine = regexp.MustCompile(`(?m)^(#{1,6}) (.+)$`)

// headingsOf lists the headings of a Markdown text with their anchors,
// numbering repeats on s.
func headingsOf(md string, s *slugs) []heading {
	var out []heading
	for _, m := range headingLine.FindAllStringSubmatchIndex(md, -1) {
		text := md[m[4]:m[5]]
		out = append(out, heading{level: m[3] - m[2], text: text, id: s.id(text), at: m[0]})
	}
	return out
}

// A lesson is one sentence of the summary and the heading it links to.
type lesson struct {
	text string
	to   heading
}

// lessonSection is a section of the report with its own headings (the
// first its "##").
type lessonSection struct {
	LabSection
	heads []heading
}

// sub is the section's first heading whose text starts with prefix, or
// the section's own.
func (s lessonSection) sub(prefix string) heading {
	for _, h := range s.heads {
		if strings.HasPrefix(h.text, prefix) {
			return h
		}
	}
	return s.heads[0]
}

// lessons are the summary's sentences, in the order the issue asks them:
// the fastest start method, what spawn's startup is made of, where
// processes and threads pay off, how fork grows with the parent and what
// huge pages change, what the start profile sees, and Python's methods.
func lessons(secs []lessonSection) []lesson {
	var out []lesson
	add := func(to heading, text string) {
		if text != "" {
			out = append(out, lesson{text, to})
		}
	}
	first := func(ok func(s lessonSection) bool) (lessonSection, bool) {
		i := slices.IndexFunc(secs, ok)
		if i < 0 {
			return lessonSection{}, false
		}
		return secs[i], true
	}
	methods, okM := first(func(s lessonSection) bool {
		return stats.KindOf(s.Res) == stats.KindMethods && len(stats.RankStartups(smallestRows(s.Res)).Procs) > 1 && !hasPython(s.Res)
	})
	if !okM {
		methods, okM = first(func(s lessonSection) bool {
			return stats.KindOf(s.Res) == stats.KindMethods && len(stats.RankStartups(smallestRows(s.Res)).Procs) > 1
		})
	}
	if okM {
		add(methods.sub("Startup"), fastestLesson(methods.Res))
	}
	if s, ok := first(func(s lessonSection) bool {
		return stats.KindOf(s.Res) != stats.KindStartProfile && splitRow(smallestRows(s.Res)) != nil
	}); ok {
		add(s.sub("Startup"), splitLesson(*splitRow(smallestRows(s.Res))))
	}
	if s, ok := first(func(s lessonSection) bool { return len(s.Res.Cells) > 0 && !s.Res.Cells[0].Method.IsPython() }); ok {
		add(s.heads[0], payOffLesson(s.Res))
	}
	if s, ok := first(func(s lessonSection) bool { return stats.KindOf(s.Res) == stats.KindParentRSS }); ok {
		var thp *results.Result // a second sweep, the other way of --parent-thp
		if o, ok := first(func(o lessonSection) bool {
			return stats.KindOf(o.Res) == stats.KindParentRSS && o.Res.Spec.ParentTHP != s.Res.Spec.ParentTHP
		}); ok {
			thp = o.Res
		}
		add(s.heads[0], growthLesson(s.Res, thp))
	}
	if s, ok := first(func(s lessonSection) bool { return stats.KindOf(s.Res) == stats.KindStartProfile }); ok {
		add(s.sub("Where the time goes"), profileLesson(s.Res))
	}
	if s, ok := first(func(s lessonSection) bool { return hasPython(s.Res) && len(s.Res.Cells) == 0 }); ok {
		add(s.heads[0], pythonLesson(s.Res))
	}
	if s, ok := first(func(s lessonSection) bool { return len(s.Res.Cells) > 0 && s.Res.Cells[0].Method.IsPython() }); ok {
		add(s.heads[0], gilLesson(s.Res))
	}
	return out
}

func smallestRows(res *results.Result) []stats.Row {
	return stats.AtParent(stats.Rows(res), stats.SmallestParent(res))
}

// splitRow is spawn's row if its startup is split, else the first split row.
func splitRow(rows []stats.Row) *stats.Row {
	i := slices.IndexFunc(rows, func(r stats.Row) bool { return r.Method == results.Spawn && r.Split.N > 0 })
	if i < 0 {
		i = slices.IndexFunc(rows, func(r stats.Row) bool { return r.Split.N > 0 })
	}
	if i < 0 {
		return nil
	}
	return &rows[i]
}

// fastestLesson: the fastest process method, the slowest beside it, and
// Go's threads.
func fastestLesson(res *results.Result) string {
	rk := stats.RankStartups(smallestRows(res))
	best, slow := rk.Procs[0], rk.Procs[len(rk.Procs)-1]
	s := fmt.Sprintf("**%s** starts a process fastest here: a median %s from the create call to the task's first instruction", best.Method, dur(best.Startup.Median))
	if len(rk.Procs) > 2 { // the runner-up: by how much it is fastest
		next := rk.Procs[1]
		s += fmt.Sprintf("; the next, %s, takes %s as long (%s)", next.Method, times(next.Ratio), dur(next.Startup.Median))
	}
	s += fmt.Sprintf("; the slowest, %s, takes %s as long (%s)", slow.Method, times(slow.Ratio), dur(slow.Startup.Median))
	if th := rk.Thread; th != nil && rk.ThreadGain > 0 {
		s += fmt.Sprintf(", and a thread is running its task after %s", dur(th.Startup.Median))
	}
	return s + "."
}

// splitLesson: what part of an exec'd method's startup is creating the
// process and what part starting the program.
func splitLesson(r stats.Row) string {
	sp := r.Split
	return fmt.Sprintf("Of %s's startup (a median %s), creating the process and reaching the new image takes %s and starting the Go program "+
		"(runtime and package init) %s: per task a median %.0f%% is the program starting, not the process being created.",
		r.Method, dur(sp.Startup), dur(sp.Image), dur(sp.Program), 100*sp.ProgramShare)
}

// payOffLesson: from which n_iters on processes beat one process, with
// the most tasks of the grid, and what processes and threads reach for
// the largest tasks.
func payOffLesson(res *results.Result) string {
	m := res.Cells[0].Method
	var x *results.Crossover
	for i := range res.Crossover {
		if x == nil || res.Crossover[i].NTasks > x.NTasks {
			x = &res.Crossover[i]
		}
	}
	var s string
	var used []results.Cell
	if x != nil {
		if c, ok := stats.CellAt(res.Cells, x.NTasks, deref(x.NIters)); ok && x.NIters != nil {
			used = append(used, c)
			s = fmt.Sprintf("With %s, %s processes pay off from n_iters = %s on (speedup %.2f× there, one process taking %s per task)",
				plural(x.NTasks, "task"), m, itersText(c.NIters), c.Speedup, dur(stats.PerTaskSingle(c)))
		} else {
			s = fmt.Sprintf("With %s, %s processes never beat one process by more than 5%% within this grid (best speedup %.2f×)",
				plural(x.NTasks, "task"), m, stats.BestSpeedup(res.Cells, x.NTasks))
		}
	}
	if big := stats.LargestCell(res.Cells); big.NTasks > 1 {
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("for the largest tasks of the grid (%d × n_iters = %s) processes reach %.2f× and threads %.2f×",
			big.NTasks, itersText(big.NIters), big.Speedup, big.ThreadUp)
		used = append(used, big)
	}
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:] + "." + lessonSuspect(used...)
}

// lessonSuspect marks a lesson drawn from cells stats holds suspect
// (results.Cell.Suspect): the first one's first reason, and not as fact.
func lessonSuspect(cells ...results.Cell) string {
	for _, c := range cells {
		if c.Suspect != "" {
			why, _, _ := strings.Cut(c.Suspect, "; ")
			return fmt.Sprintf(" **Not to be trusted:** n_tasks=%d, n_iters=%s was measured on a busy machine or is impossible (%s).", c.NTasks, itersText(c.NIters), why)
		}
	}
	return ""
}

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

// growthLesson: how fork's startup grows with the parent, the huge page
// mode it grew under, and, from a second sweep the other way of
// --parent-thp, what 2 MiB pages change.
func growthLesson(res, other *results.Result) string {
	g, ok := stats.GrowthOf(stats.ParentGrowth(res, stats.Rows(res)), results.Fork)
	if !ok || !g.Measured {
		return ""
	}
	s := fmt.Sprintf("fork's startup goes from a median %s with %s in the parent to %s with %s, about %s more per GiB",
		dur(g.AtLo), sizeText(g.Lo), dur(g.AtHi), sizeText(g.Hi), dur(g.PerGiB))
	if !g.Grows {
		s = "fork's startup barely grows with the parent: " + strings.TrimPrefix(s, "fork's startup goes")
	}
	if other != nil {
		if o, ok := stats.GrowthOf(stats.ParentGrowth(other, stats.Rows(other)), results.Fork); ok && o.Measured {
			with, without := o, g
			if res.Spec.ParentTHP {
				with, without = g, o
			}
			if with.Grows || with.PerGiB > 0 {
				s += fmt.Sprintf("; with the ballast in 2 MiB pages (`--parent-thp`) %s per GiB against %s without", dur(with.PerGiB), dur(without.PerGiB))
			} else { // no growth measured: a slope at or below 0 is noise, not a gain
				s += fmt.Sprintf("; with the ballast in 2 MiB pages (`--parent-thp`) no growth was measured (%s at %s, %s at %s) against %s per GiB without",
					dur(with.AtLo), sizeText(with.Lo), dur(with.AtHi), sizeText(with.Hi), dur(without.PerGiB))
			}
			return strings.ToUpper(s[:1]) + s[1:] + "."
		}
	}
	if res.Host != nil && res.Host.THP != "" {
		s += ". Transparent huge pages were " + codeSpan(res.Host.THP)
		switch {
		case res.Host.THP == "always" || res.Spec.ParentTHP && res.Host.THP == "madvise":
			s += ": the ballast may sit in 2 MiB pages, each one page-table entry, so fork copies up to 512 times fewer entries than with 4 KiB pages"
		default:
			s += ": the ballast sits in 4 KiB pages and fork copies one page-table entry per 4 KiB; 2 MiB pages (`--parent-thp`) would make that up to 512 times fewer"
		}
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// profileLesson: what share of fork's create call the start profile saw
// copying page tables, at the largest parent profiled.
func profileLesson(res *results.Result) string {
	sp := res.StartProfile
	if sp == nil || sp.Error != "" {
		return ""
	}
	ph, ok := largestPhase(sp.Phases, string(results.Fork), startprof.PhaseCreate)
	if !ok {
		return ""
	}
	where := "with no ballast"
	if ph.ParentRSSBytes > 0 {
		where = "with " + sizeText(ph.ParentRSSBytes) + " in the parent"
	}
	return fmt.Sprintf("The start profile sees fork's create call, %s, take %s of CPU per task, %.0f%% of it copying page tables.",
		where, dur(stats.PhaseCPUPerTask(ph)), 100*partShare(ph, startprof.PartPageTableCopy))
}

// pythonLesson: Python's own start methods, and its fork beside the lab's.
func pythonLesson(res *results.Result) string {
	rows := smallestRows(res)
	med := func(m results.Method) float64 {
		if r, ok := rowOf(rows, m); ok && r.Startup.N > 0 {
			return r.Startup.Median
		}
		return 0
	}
	var py []string
	for _, m := range []results.Method{results.PyFork, results.PyForkserver, results.PySpawn} {
		if v := med(m); v > 0 {
			py = append(py, fmt.Sprintf("%s %s", m, dur(v)))
		}
	}
	if len(py) == 0 {
		return ""
	}
	s := fmt.Sprintf("Python's own start methods (%s) take a median %s to reach the task", pythonVersion(res), andStrings(py))
	if a, b := med(results.PyFork), med(results.Fork); a > 0 && b > 0 {
		s += fmt.Sprintf("; py-fork takes %s as long as the lab's fork (%s)", times(stats.Ratio(a, b)), dur(b))
	}
	return s + "."
}

// gilLesson: Python's threads against its processes, for the largest
// tasks of the Python grid.
func gilLesson(res *results.Result) string {
	big := stats.LargestCell(res.Cells)
	if big.NTasks < 2 {
		return ""
	}
	return fmt.Sprintf("In Python, %d threads of n_iters = %s reach %.2f× over one process and %d %s processes %.2f×: the GIL runs one thread's Python code at a time.",
		big.NTasks, itersText(big.NIters), big.ThreadUp, big.NTasks, big.Method, big.Speedup) + lessonSuspect(big)
}

func rowOf(rows []stats.Row, m results.Method) (stats.Row, bool) {
	i := slices.IndexFunc(rows, func(r stats.Row) bool { return r.Method == m })
	if i < 0 {
		return stats.Row{}, false
	}
	return rows[i], true
}
