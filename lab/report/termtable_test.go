package report

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/proclab/proclab/lab/results"
)

func p64(v int64) *int64 { return &v }

// termResult is three methods, two runs each, tasks with the given
// startups (total = 2 × startup).
func termResult(startups map[results.Method][]int64) *results.Result {
	res := &results.Result{Schema: results.Schema}
	for _, m := range []results.Method{results.Fork, results.Spawn, results.Forkserver} {
		if startups[m] == nil {
			continue
		}
		res.Spec.Methods = append(res.Spec.Methods, m)
	}
	for round := range 2 {
		for _, m := range res.Spec.Methods {
			r := results.RunResult{Method: m, Round: round, NTasks: len(startups[m]), NIters: 1000, WallNS: 10_000_000}
			for i, s := range startups[m] {
				r.Tasks = append(r.Tasks, results.Task{Task: i, PID: 1000 + i, StartupNS: p64(s), TotalNS: 2 * s, RunNS: s / 2,
					TaskCPUNS: p64(s / 2), HWMBytes: p64(3 << 20), EndRSSBytes: p64(3 << 20), EndPSSBytes: p64(1 << 20),
					MinFlt: p64(25), NVCSW: p64(1), NIVCSW: p64(0), ExitCode: p64i(0), ChecksumOK: results.Ptr(true)})
			}
			res.Runs = append(res.Runs, r)
		}
	}
	return res
}

func p64i(v int) *int { return &v }

// One unit per column, named in its header, with every cell the figure
// itself to the printed precision; every line within the width.
func TestTermTableUnitsAndWidth(t *testing.T) {
	res := termResult(map[results.Method][]int64{
		results.Fork:       {500_000, 1_500_000},
		results.Spawn:      {12_000_000, 12_500_000},
		results.Forkserver: {250_000, 260_000},
	})
	var b bytes.Buffer
	if err := Table(&b, res, TableOptions{Term: TermOptions{Width: 80}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("%d columns: %q", n, l)
		}
	}
	lines := strings.Split(out, "\n")
	hdr := strings.Fields(lines[0])
	// "startup ms" and "total ms": find the startup column's index among
	// the fields (each unit is a field of its own).
	col := -1
	for i := range hdr {
		if hdr[i] == "startup" && i+1 < len(hdr) && hdr[i+1] == "ms" {
			col = i - strings.Count(strings.Join(hdr[:i], " "), " ms") - strings.Count(strings.Join(hdr[:i], " "), " MiB") - strings.Count(strings.Join(hdr[:i], " "), " µs")
		}
	}
	if col < 0 {
		t.Fatalf("no 'startup ms' header: %q", lines[0])
	}
	k := 0
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			k++
			f := strings.Fields(lines[k])
			v, err := strconv.ParseFloat(f[col], 64)
			if err != nil || math.Abs(v*1e6-float64(*tk.StartupNS)) > 0.005e6 {
				t.Errorf("row %d: startup cell %q, the task's %dns", k, f[col], *tk.StartupNS)
			}
			if strings.Contains(lines[k], "µs") || strings.Contains(lines[k], "ms") {
				t.Errorf("row %d carries a unit: %q", k, lines[k])
			}
		}
	}
	// The comparison table's startup × is the ratio of medians.
	if !strings.Contains(out, "1.00×") || !strings.Contains(out, "3.92×") || !strings.Contains(out, "48.04×") {
		t.Errorf("ratios 1.00 (forkserver), 1.0/0.255 = 3.92 (fork), 12.25/0.255 = 48.04 (spawn) not in:\n%s", out)
	}
	if !strings.Contains(out, "not shown to fit the width") {
		t.Errorf("no note of the columns left out:\n%s", out)
	}
}

func TestPickUnit(t *testing.T) {
	for _, c := range []struct {
		kind colKind
		vals []float64
		want []string
		name string
	}{
		{kindDur, []float64{5e5, 1.5e6, 1.2e7}, []string{"0.50", "1.50", "12.00"}, "ms"},
		{kindDur, []float64{183e3, 229e3}, []string{"183", "229"}, "µs"},
		{kindDur, []float64{1.5e9, 2e7}, []string{"1.500", "0.020"}, "s"},
		{kindBytes, []float64{680 << 10, 12.4 * (1 << 20)}, []string{"0.66", "12.40"}, "MiB"},
		{kindBytes, []float64{900}, []string{"900"}, "B"},
		// Python's totals beside the lab's (the issue's --method all):
		// 0.004 s would keep one digit; in ms both read.
		{kindDur, []float64{4.2e6, 1.6e6, 1.027e9}, []string{"4.2", "1.6", "1027.0"}, "ms"},
		// but not at the cost of a figure of five digits or more
		{kindDur, []float64{5e4, 12e9}, []string{"0.000", "12.000"}, "s"},
	} {
		u := pickUnit(c.kind, c.vals)
		if u.name != c.name {
			t.Errorf("%v: unit %q, want %q", c.vals, u.name, c.name)
		}
		for i, v := range c.vals {
			if got := u.format(v); got != c.want[i] {
				t.Errorf("%v in %s: %q, want %q", v, u.name, got, c.want[i])
			}
		}
	}
}

// --wide shows every column, --columns the named ones and those always
// shown; colour only when asked, on the fastest and slowest rows.
func TestTermTableColumnsAndColour(t *testing.T) {
	res := termResult(map[results.Method][]int64{results.Fork: {500_000}, results.Spawn: {4_000_000}})
	render := func(opt TermOptions) string {
		var b bytes.Buffer
		if err := Table(&b, res, TableOptions{Term: opt}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	wide := render(TermOptions{Width: 80, Wide: true})
	for _, h := range []string{"pid", "minflt", "ivcsw", "end pss MiB", "outliers", "left out", "p10 … p90"} {
		if !strings.Contains(wide, h) {
			t.Errorf("--wide has no %q column:\n%s", h, wide)
		}
	}
	if strings.Contains(wide, "not shown") || strings.Contains(wide, "\x1b") {
		t.Errorf("--wide left columns out or coloured:\n%s", wide)
	}
	picked := render(TermOptions{Width: 80, Columns: []string{"pid", "outliers"}})
	first := strings.SplitN(picked, "\n", 2)[0]
	if strings.Fields(first)[0] != "method" || !strings.Contains(first, "pid") || strings.Contains(first, "cpu") || strings.Contains(first, "round") {
		t.Errorf("--columns pid: header %q", first)
	}
	if !strings.Contains(picked, "\nmethod  startup ms  outliers\n") || strings.Contains(picked, "not shown") {
		t.Errorf("--columns outliers: the comparison table:\n%s", picked)
	}
	col := render(TermOptions{Width: 80, Color: true})
	var best, worst string
	for _, l := range strings.Split(col, "\n") {
		if strings.HasPrefix(l, "\x1b[32mfork ") {
			best = l
		}
		if strings.HasPrefix(l, "\x1b[31mspawn ") {
			worst = l
		}
	}
	if best == "" || worst == "" || !strings.HasSuffix(best, "\x1b[0m") {
		t.Errorf("fastest row not green or slowest not red:\n%q", col)
	}
}

// The answer first: the fastest method, each other's ratio of medians and
// its 95% interval, and "not told apart" when the interval reaches 1.
func TestFasterLines(t *testing.T) {
	res := termResult(map[results.Method][]int64{
		results.Fork:       {250, 250, 250, 250},
		results.Spawn:      {1000, 1000, 1000, 1000},
		results.Forkserver: {100, 100, 100, 100},
	})
	var b bytes.Buffer
	if err := Table(&b, res, TableOptions{Term: TermOptions{Width: 80}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Summary: forkserver started fastest (median startup)",
		"2.50 times faster than fork  (95% interval 2.50 … 2.50)",
		"10.0 times faster than spawn (95% interval 10.0 … 10.0)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Index(out, "fork  (95%") > strings.Index(out, "spawn (95%") {
		t.Errorf("not smallest ratio first:\n%s", out)
	}
	// Overlapping: fork's tasks straddle forkserver's.
	res = termResult(map[results.Method][]int64{results.Fork: {90, 120, 100, 115}, results.Forkserver: {100, 95, 110, 105}})
	b.Reset()
	Table(&b, res, TableOptions{Term: TermOptions{Width: 80}})
	if !strings.Contains(b.String(), ": not told apart)") {
		t.Errorf("overlapping methods told apart:\n%s", b.String())
	}
}

// Warnings stay one line each for a script (width 0) and wrap, indented,
// on a terminal.
func TestWarningsWrapOnATerminal(t *testing.T) {
	res := &results.Result{Warnings: []string{strings.Repeat("word ", 30) + "end", "short"}}
	var one, wrapped bytes.Buffer
	WarningsWidth(&one, res, 0)
	WarningsWidth(&wrapped, res, 40)
	if lines := strings.Split(strings.TrimSpace(one.String()), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "warning: short") {
		t.Errorf("width 0: %q", one.String())
	}
	lines := strings.Split(strings.TrimSpace(wrapped.String()), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "warning: word") || lines[len(lines)-1] != "warning: short" {
		t.Fatalf("width 40: %q", wrapped.String())
	}
	for _, l := range lines[1 : len(lines)-1] {
		if width(l) > 40 || !strings.HasPrefix(l, "  ") {
			t.Errorf("line %q: over 40 columns or not indented", l)
		}
	}
}
