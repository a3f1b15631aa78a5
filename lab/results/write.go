package results

import (
	"encoding/json"
	"io"
)

// Encode writes v (a *Result, *Calibration, *Throughput, or any document
// of this package) as one indented JSON document.
func Encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
