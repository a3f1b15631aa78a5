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
