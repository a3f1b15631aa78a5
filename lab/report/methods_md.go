package report

import (
	"fmt"
	"io"

	"github.com/proclab/proclab/lab/results"
)

// methodsTable writes the per-method comparison table (Methods) as a
// fenced block into results.md and report.md.
func methodsTable(w io.Writer, res *results.Result) error {
	fmt.Fprintln(w, "```")
	if err := Methods(w, res); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "```")
	return err
}
