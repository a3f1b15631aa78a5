package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// methodsTable writes the per-method comparison table into results.md
// and report.md: a Markdown table (one unit per column, in its header;
// the fastest method in bold), then what its columns mean.
func methodsTable(w io.Writer, res *results.Result) error {
	var b strings.Builder
	methodsMarkdown(&b, res, stats.Rows(res))
	_, err := fmt.Fprintf(w, "%s\n%s\n\n", b.String(), strings.ReplaceAll(methodsLegend, "\n", " "))
	return err
}
