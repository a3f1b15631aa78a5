// Package results holds the documents proclab users keep: a run (and a
// compare grid, which is a run of many cells), a calibration and a rate
// measurement. It owns their types, their JSON encoding with a schema
// version, and reading them back, older forms included.
//
// It is pure Go and measures nothing: no cgo, no gopsutil, no /proc. The
// lab fills these documents; package stats computes every figure shown
// from them; the renderers (lab/report) and the commands that only read
// results (proclab report, proclab diff) need nothing else, so they build
// and test without a C compiler.
package results
