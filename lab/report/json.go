// Package report renders proclab's documents (package results) and their
// figures (package stats): every renderer is a pure function of its input
// that writes bytes to a writer. It computes no statistic of its own: a
// median, a ratio or a crossover shown here is one stats computed. No cgo,
// and never imported by the lab.
package report

import (
	"io"

	"github.com/proclab/proclab/lab/results"
)

// JSON writes res as one indented JSON document.
func JSON(w io.Writer, res *results.Result) error { return results.Encode(w, res) }
