// Package reportrun holds the tests that render real runs of the lab
// (real children, real profiles read back with the pprof library) with
// the renderers. The renderers' own tests, in lab/report, use made-up
// results and need no cgo; these need the lab, so they live apart.
package reportrun
