package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// A terminal table: columns of one kind each, every number of a column in
// one unit (named in its header), and only as many columns, in order of
// importance, as fit the width, unless the user asked for them all or by
// name.

// colKind is what a column holds, which decides its unit.
type colKind int

const (
	kindText  colKind = iota // as given
	kindDur                  // nanoseconds: one of ns, µs, ms, s per column
	kindBytes                // bytes: one of B, KiB, MiB, GiB per column
	kindCount                // an integer
	kindRatio                // a ratio printed as 1.23×
)

// tcol is one column: its name for --columns, its header, its kind, its
// importance (0 is always shown; higher goes first when the width is
// short), and one cell per row. A numeric cell is NaN where there is no
// figure (printed "-"); a range cell holds two numbers.
type tcol struct {
	key, header string
	kind        colKind
	prio        int
	left        bool
	text        []string
	num         [][]float64 // per row: one value, or two for a range (lo, hi), or two with sep "±"
	sep         string      // between the two values of a cell: " … " or " ± "
	// unitFrom: the column whose unit this one takes (a range beside its
	// median), -1 for its own.
	unitFrom int
}

// TermOptions says how wide the table may be and which columns it shows.
type TermOptions struct {
	Width   int      // the terminal's width (80 when it is not a terminal); 0: no limit
	Wide    bool     // every column, whatever the width
	Columns []string // these columns, in the table's order, whatever the width
	Color   bool     // colour the fastest and slowest rows and the warnings
}

// termTable is a table being built: rows are added cell by cell.
type termTable struct {
	cols []*tcol
	// style per row: "" plain, "best" fastest, "worst" slowest.
	style []string
}

func (tt *termTable) col(key, header string, kind colKind, prio int) *tcol {
	c := &tcol{key: key, header: header, kind: kind, prio: prio, unitFrom: -1, left: kind == kindText}
	tt.cols = append(tt.cols, c)
	return c
}

func (c *tcol) addText(s string) { c.text = append(c.text, s) }
func (c *tcol) add(v float64)    { c.num = append(c.num, []float64{v}) }
func (c *tcol) addPair(a, b float64) {
	c.num = append(c.num, []float64{a, b})
}

// unit picks one unit for the values of a column: the largest in which
// its biggest value is at least 1, and the decimals that give its
// smallest nonzero value two significant digits (at most 3).
type unit struct {
	name  string
	scale float64
	dec   int
}

func pickUnit(kind colKind, vals []float64) unit {
	hi, lo := 0.0, math.Inf(1)
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		a := math.Abs(v)
		hi = max(hi, a)
		if a > 0 {
			lo = min(lo, a)
		}
	}
	var u unit
	if math.IsInf(lo, 1) && hi == 0 && (kind == kindDur || kind == kindBytes) {
		empty := true
		for _, v := range vals {
			empty = empty && math.IsNaN(v)
		}
		if empty { // no figure: no unit to name
			return unit{"", 1, 0}
		}
	}
	switch kind {
	case kindDur:
		u = unit{"ns", 1, 0}
		for _, c := range []unit{{"µs", 1e3, 0}, {"ms", 1e6, 0}, {"s", 1e9, 0}} {
			if hi >= c.scale {
				u = c
			}
		}
	case kindBytes:
		u = unit{"B", 1, 0}
		for _, c := range []unit{{"KiB", 1 << 10, 0}, {"MiB", 1 << 20, 0}, {"GiB", 1 << 30, 0}} {
			if hi >= c.scale {
				u = c
			}
		}
	case kindRatio:
		return unit{"×", 1, 2}
	default:
		return unit{"", 1, 0}
	}
	// A column from microseconds to seconds: the unit where its smallest
	// figure keeps two significant digits in three decimals, unless its
	// largest would then need more than four digits.
	for _, down := range [][2]unit{{{"s", 1e9, 0}, {"ms", 1e6, 0}}, {{"ms", 1e6, 0}, {"µs", 1e3, 0}}, {{"µs", 1e3, 0}, {"ns", 1, 0}},
		{{"GiB", 1 << 30, 0}, {"MiB", 1 << 20, 0}}, {{"MiB", 1 << 20, 0}, {"KiB", 1 << 10, 0}}, {{"KiB", 1 << 10, 0}, {"B", 1, 0}}} {
		if u.name == down[0].name && !math.IsInf(lo, 1) && lo/u.scale < 0.01 && hi/down[1].scale < 1e4 {
			u = down[1]
		}
	}
	if !math.IsInf(lo, 1) && u.scale > 1 {
		// two significant digits for the smallest figure, three for a
		// column whose figures are all below 10 units
		x := lo / u.scale
		d := 0
		for d < 3 && x*math.Pow10(d) < 10 {
			d++
		}
		if hi/u.scale < 10 {
			d = max(d, 2)
		} else if hi/u.scale < 100 {
			d = max(d, 1)
		}
		u.dec = min(d, 3)
	}
	return u
}

func (u unit) format(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	s := fmt.Sprintf("%.*f", u.dec, v/u.scale)
	if u.name == "×" {
		s += "×"
	}
	return s
}

// cells renders every column's cells and headers.
func (tt *termTable) cells() (headers []string, cells [][]string) {
	units := make([]unit, len(tt.cols))
	for i, c := range tt.cols {
		if c.kind == kindText || c.kind == kindCount {
			continue
		}
		var vals []float64
		for _, r := range c.num {
			vals = append(vals, r...)
		}
		units[i] = pickUnit(c.kind, vals)
	}
	for i, c := range tt.cols {
		if c.unitFrom >= 0 {
			units[i] = units[c.unitFrom]
		}
	}
	headers = make([]string, len(tt.cols))
	cells = make([][]string, len(tt.cols))
	for i, c := range tt.cols {
		h := c.header
		if u := units[i]; u.name != "" && u.name != "×" && c.kind != kindText && c.kind != kindCount {
			h += " " + u.name
		}
		headers[i] = h
		switch {
		case c.kind == kindText:
			cells[i] = c.text
		case c.kind == kindCount:
			for _, r := range c.num {
				if math.IsNaN(r[0]) {
					cells[i] = append(cells[i], "-")
				} else {
					cells[i] = append(cells[i], fmt.Sprintf("%.0f", r[0]))
				}
			}
		default:
			for _, r := range c.num {
				s := units[i].format(r[0])
				if len(r) == 2 {
					if math.IsNaN(r[0]) || math.IsNaN(r[1]) {
						s = "-"
					} else {
						s += c.sep + units[i].format(r[1])
					}
				}
				cells[i] = append(cells[i], s)
			}
		}
	}
	return headers, cells
}

func width(s string) int { return utf8.RuneCountInString(s) }

// choose is the columns shown: all with Wide, the named ones with
// Columns (in the table's order), else by importance as many as fit.
func (tt *termTable) choose(opt TermOptions, headers []string, cells [][]string) (shown []int, hidden int) {
	all := make([]int, len(tt.cols))
	for i := range all {
		all[i] = i
	}
	if opt.Wide {
		return all, 0
	}
	if len(opt.Columns) > 0 {
		for i, c := range tt.cols {
			if c.prio == 0 || slices.Contains(opt.Columns, c.key) {
				shown = append(shown, i)
			}
		}
		return shown, 0 // what was asked for: no note
	}
	w := make([]int, len(tt.cols))
	for i := range tt.cols {
		w[i] = width(headers[i])
		for _, s := range cells[i] {
			w[i] = max(w[i], width(s))
		}
	}
	byPrio := slices.Clone(all)
	slices.SortStableFunc(byPrio, func(a, b int) int { return tt.cols[a].prio - tt.cols[b].prio })
	used := 0
	keep := map[int]bool{}
	for _, i := range byPrio {
		need := w[i]
		if used > 0 {
			need += 2
		}
		if tt.cols[i].prio == 0 || opt.Width <= 0 || used+need <= opt.Width {
			keep[i] = true
			used += need
		}
	}
	for _, i := range all {
		if keep[i] {
			shown = append(shown, i)
		}
	}
	return shown, len(tt.cols) - len(shown)
}

// write prints the table: two spaces between columns, numbers right-aligned.
func (tt *termTable) write(w io.Writer, opt TermOptions) (hidden int, err error) {
	headers, cells := tt.cells()
	shown, hidden := tt.choose(opt, headers, cells)
	widths := make([]int, len(tt.cols))
	for _, i := range shown {
		widths[i] = width(headers[i])
		for _, s := range cells[i] {
			widths[i] = max(widths[i], width(s))
		}
	}
	rows := 0
	if len(tt.cols) > 0 {
		rows = len(cells[0])
	}
	line := func(get func(i int) string) string {
		var b strings.Builder
		for k, i := range shown {
			if k > 0 {
				b.WriteString("  ")
			}
			s := get(i)
			pad := strings.Repeat(" ", widths[i]-width(s))
			if tt.cols[i].left {
				if k == len(shown)-1 {
					pad = ""
				}
				b.WriteString(s + pad)
			} else {
				b.WriteString(pad + s)
			}
		}
		return b.String()
	}
	if _, err := fmt.Fprintln(w, line(func(i int) string { return headers[i] })); err != nil {
		return hidden, err
	}
	for r := range rows {
		l := line(func(i int) string { return cells[i][r] })
		if opt.Color && r < len(tt.style) {
			l = colorize(tt.style[r], l)
		}
		if _, err := fmt.Fprintln(w, l); err != nil {
			return hidden, err
		}
	}
	return hidden, nil
}

// colorize wraps s in the SGR colour of a style: green for the fastest,
// red for the slowest, yellow for a warning.
func colorize(style, s string) string {
	code := map[string]string{"best": "32", "worst": "31", "warn": "33"}[style]
	if code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// indent prefixes the first line of s with first and the others with rest.
func indent(s, first, rest string) string {
	return first + strings.ReplaceAll(s, "\n", "\n"+rest)
}

// wrap breaks prose into lines of at most width runes at spaces (a word
// longer than the width stands alone); width 0 leaves it as it is.
func wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var line string
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case width(line)+1+width(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
