package report

import (
	"fmt"
	"io"
	"regexp"

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
func Warnings(w io.Writer, res *results.Result) {
	textWarnings(w, GroupWarnings(res.Warnings, len(res.Cells)))
}
