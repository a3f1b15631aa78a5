// Package report renders a lab.Result: every renderer is a pure function
// of the result that writes bytes to a writer.
package report

import (
	"encoding/json"
	"io"

	"github.com/proclab/proclab/lab/results"
)

// JSON writes res as one indented JSON document.
func JSON(w io.Writer, res *results.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
