package report

import (
	"io"

	"github.com/proclab/proclab/lab"
)

// methodsTable writes the per-method comparison table (median and
// p10–p90 startup, ratio to the fastest) into results.md and report.md.
//
// HOOK(methods): that table is report.Methods (lab/report/methods.go on
// main). Once both are on one branch, make the body:
//
//	fmt.Fprintln(w, "```")
//	defer fmt.Fprintln(w, "```\n")
//	return Methods(w, res)
func methodsTable(w io.Writer, res *lab.Result) error {
	_, _ = w, res
	return nil
}
