package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/proclab/proclab/lab/results"
)

// Warnings are data (the JSON keeps every one); on stderr they are grouped:
// the same warning for many compare cells or rounds is one line that says
// in how many ("10 of 24 cells: ..."), not 18 lines.

var (
	cellPrefix  = regexp.MustCompile(`^n_tasks=\d+ n_iters=\d+: `)
	roundPrefix = regexp.MustCompile(`^(\S+) round -?\d+: `)
	numbers     = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)
)

// GroupWarnings folds warnings that differ only in their compare cell or
// round prefix and in their figures into one line each, in the order they
// first appear; cells is how many cells the result has (0 if none).
func GroupWarnings(ws []string, cells int) []string {
	type group struct {
		first string // the first warning, as written
		body  string // without its cell or round prefix
		where string // "cells" or "rounds", or "" for an unprefixed warning
		n     int
	}
	var order []*group
	byKey := map[string]*group{}
	for _, w := range ws {
		body, where := w, ""
		switch {
		case cellPrefix.MatchString(w):
			body, where = cellPrefix.ReplaceAllString(w, ""), "cells"
		case roundPrefix.MatchString(w):
			body, where = roundPrefix.ReplaceAllString(w, "$1: "), "rounds"
		}
		key := where + "\x00" + numbers.ReplaceAllString(body, "#")
		g := byKey[key]
		if g == nil {
			g = &group{first: w, body: body, where: where}
			byKey[key] = g
			order = append(order, g)
		}
		g.n++
	}
	var out []string
	for _, g := range order {
		switch {
		case g.n == 1:
			out = append(out, g.first)
		case g.where == "cells" && cells > 0:
			out = append(out, fmt.Sprintf("%d of %d cells: %s (the first; the JSON has each)", g.n, cells, g.body))
		case g.where != "":
			out = append(out, fmt.Sprintf("%d %s: %s (the first; the JSON has each)", g.n, g.where, g.body))
		default:
			out = append(out, fmt.Sprintf("%s (%d times)", g.first, g.n))
		}
	}
	return out
}

// Warnings writes res's warnings to w (stderr), grouped, one line each;
// after MaxWarnings lines it points to the JSON, which keeps them all.
func Warnings(w io.Writer, res *results.Result) { WarningsWidth(w, res, 0) }

// WarningsWidth is Warnings with each warning wrapped to width columns
// (its later lines indented), for a terminal; 0 keeps one line each, for
// a script that reads them.
func WarningsWidth(w io.Writer, res *results.Result, width int) {
	textWarnings(w, GroupWarnings(res.Warnings, len(res.Cells)), width)
}

var taskPrefix = regexp.MustCompile(`^(\S+) round (-?\d+) task (\d+): `)

// reportWarnings groups warnings for report.md: those that say the same
// thing of several compare cells, rounds or tasks are one line that says
// how many and which ("3 of 24 cells (n_tasks=1 n_iters=1000, …): …");
// where their figures differ, the line quotes the first's and says so.
func reportWarnings(ws []string, cells int) []string {
	type group struct {
		first, body string
		where       []string
		same        bool
	}
	var order []*group
	byKey := map[string]*group{}
	for _, w := range ws {
		body, where := w, ""
		if m := cellPrefix.FindString(w); m != "" {
			body, where = w[len(m):], strings.TrimSuffix(m, ": ")
		} else if m := taskPrefix.FindStringSubmatch(w); m != nil {
			body, where = m[1]+": "+w[len(m[0]):], "round "+m[2]+" task "+m[3]
		} else if m := roundPrefix.FindStringSubmatch(w); m != nil {
			body, where = roundPrefix.ReplaceAllString(w, "$1: "), strings.TrimSuffix(strings.TrimPrefix(m[0], m[1]+" "), ": ")
		}
		key := where[:min(len(where), 1)] + "\x00" + numbers.ReplaceAllString(body, "#")
		if where == "" {
			key = "\x00" + body // unprefixed: only the very same line is one
		}
		g := byKey[key]
		if g == nil {
			g = &group{first: w, body: body, same: true}
			byKey[key] = g
			order = append(order, g)
		}
		g.same = g.same && body == g.body
		g.where = append(g.where, where)
	}
	var out []string
	for _, g := range order {
		n := len(g.where)
		switch {
		case n == 1:
			out = append(out, g.first)
		case g.where[0] == "":
			out = append(out, fmt.Sprintf("%s (%d times)", g.first, n))
		default:
			count := fmt.Sprint(n)
			if strings.HasPrefix(g.where[0], "n_tasks=") && cells > 0 {
				count = fmt.Sprintf("%d of %d cells", n, cells)
			} else if strings.Contains(g.where[0], "task") {
				count += " tasks"
			} else {
				count += " rounds"
			}
			line := fmt.Sprintf("%s (%s): %s", count, strings.Join(g.where, ", "), g.body)
			if !g.same {
				line += " (the figures are the first's; results.json has each)"
			}
			out = append(out, line)
		}
	}
	return out
}
