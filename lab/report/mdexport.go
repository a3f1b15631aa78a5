package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// MarkdownTable is --export-markdown, as hyperfine's: the comparison
// table (every column, one unit per column named in its header) as a
// GitHub table, then the "times faster" lines as a list.
func MarkdownTable(w io.Writer, res *results.Result) error {
	rows := stats.Rows(res)
	var b strings.Builder
	methodsMarkdown(&b, res, rows)
	for _, f := range stats.FasterTables(rows) {
		fmt.Fprintf(&b, "\n%s started fastest (median startup", f.Fastest.Method)
		if len(res.Spec.ParentRSSBytes) > 1 {
			fmt.Fprintf(&b, ", the parent at %s", sizeText(f.ParentRSSBytes))
		}
		b.WriteString("):\n\n")
		for _, s := range f.Others {
			apart := ""
			if s.Lo <= 1 {
				apart = ": not told apart"
			}
			fmt.Fprintf(&b, "- %s times faster than %s (95%% interval %s … %s%s)\n", sig3(s.Ratio), s.Method, sig3(s.Lo), sig3(s.Hi), apart)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// methodsMarkdown is the comparison table (every column, one unit per
// column named in its header, numbers right-aligned) as a GitHub table,
// the fastest row's method in bold.
func methodsMarkdown(b *strings.Builder, res *results.Result, rows []stats.Row) {
	tt := methodsTerm(res, rows)
	headers, cells := tt.cells()
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	b.WriteString("|")
	for _, h := range headers {
		b.WriteString(" " + esc(h) + " |")
	}
	b.WriteString("\n|")
	for _, c := range tt.cols {
		if c.left {
			b.WriteString(":---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for r := range len(rows) {
		b.WriteString("|")
		for i := range tt.cols {
			s := esc(cells[i][r])
			if i == 0 && tt.style[r] == "best" {
				s = "**" + s + "**"
			}
			b.WriteString(" " + s + " |")
		}
		b.WriteString("\n")
	}
}
