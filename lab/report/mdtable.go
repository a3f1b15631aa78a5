package report

import (
	"fmt"
	"io"
	"strings"
)

// mdTable writes a GitHub-flavoured Markdown table; columns listed in
// right are right-aligned (numbers).
func mdTable(w io.Writer, header []string, right []bool, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(escapeCells(header), " | "))
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		if i < len(right) && right[i] {
			seps[i] = "---:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(escapeCells(r), " | "))
	}
	fmt.Fprintln(w)
}

func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(c, "|", `\|`), "\n", " ")
	}
	return out
}

// durCells writes a column of durations in one unit, as the terminal
// tables do (pickUnit): the unit for the header and a cell per value
// ("-" for NaN).
func durCells(vals []float64) (unit string, cells []string) {
	u := pickUnit(kindDur, vals)
	for _, v := range vals {
		cells = append(cells, u.format(v))
	}
	return u.name, cells
}

// withUnit names a column's unit in its header.
func withUnit(header, unit string) string {
	if unit == "" {
		return header
	}
	return header + " (" + unit + ")"
}
