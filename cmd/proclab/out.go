package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// checkOutDir makes dir (and its parents) and proves it writable before
// anything runs: a mistyped --out should not cost a whole lab run. Its
// error is a usage error.
func checkOutDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	f, err := os.CreateTemp(dir, ".proclab-probe-*")
	if err != nil {
		return usageError{fmt.Errorf("--out %s is not writable: %w", dir, err)}
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// exports lists the files of --out; a variable so that a test can make a
// renderer panic.
var exports = report.Exports

// writeOut writes every export of res into dir. Without a task that
// counts in a recorded round (a run interrupted in its warmup, every task
// failed), bench.txt would be empty, which benchstat reads as nothing
// measured: it is not written, an older one is removed, and a warning
// says why.
func writeOut(dir string, res *results.Result) error {
	files := exports(res)
	if !anyTaskCounts(res) {
		files = slices.DeleteFunc(files, func(e report.Export) bool { return e.Name == benchFile })
		if err := os.Remove(filepath.Join(dir, benchFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the older %s: %w", benchFile, err)
		}
		res.Warnings = append(res.Warnings, benchFile+" not written: no task of a recorded round counts (interrupted during warmup, or every task failed)")
	}
	return writeFiles(dir, files)
}

const benchFile = "bench.txt"

// anyTaskCounts says whether a task of a recorded round enters the figures.
func anyTaskCounts(res *results.Result) bool {
	for i := range res.Runs {
		r := &res.Runs[i]
		if stats.Recorded(r) && slices.ContainsFunc(r.Tasks, func(t results.Task) bool { return stats.Counts(&t) }) {
			return true
		}
	}
	return false
}

// writeFiles writes each export to a temporary name in dir, syncs it and
// renames it into place, so that a crash or a full disk never leaves half
// a file under the real name: a reader sees the old file or the new one.
func writeFiles(dir string, files []report.Export) error {
	for _, e := range files {
		if err := writeFile(dir, e); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(dir string, e report.Export) (err error) {
	f, err := os.CreateTemp(dir, "."+e.Name+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	addPending(f.Name())
	defer donePending(f.Name())
	// Removed on an error and on a panic in the renderer alike (proclab
	// recovers it at the top), so no temporary file is left behind.
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := e.Write(bw); err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, e.Name)); err != nil {
		return fmt.Errorf("writing %s: %w", e.Name, err)
	}
	done = true
	return nil
}
