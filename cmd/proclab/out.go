package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// addOutFlags registers --out and --trust-out.
func addOutFlags(fl *pflag.FlagSet, out *string, trust *bool) {
	fl.StringVar(out, "out", "", "also write results.json, results.csv, results.md, bench.txt and plots into this directory")
	fl.BoolVar(trust, "trust-out", false, "write into --out even when it is a symbolic link or a directory another user owns or can write")
}

// checkOutDir makes dir (and its parents) and proves it writable before
// anything runs: a mistyped --out should not cost a whole lab run. Unless
// trusted (--trust-out), it refuses, as careful tools do, a dir that is a
// symbolic link (a link planted in /tmp sent the files into /etc) or that
// another user owns or can write (who could plant the results.json that
// report reads back, or swap the files). Its error is a usage error.
func checkOutDir(dir string, trust bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	if !trust {
		if err := outDirSafe(dir); err != nil {
			return usageError{fmt.Errorf("--out %s %w (--trust-out writes there all the same)", dir, err)}
		}
	}
	f, err := os.CreateTemp(dir, ".proclab-probe-*")
	if err != nil {
		return usageError{fmt.Errorf("--out %s is not writable: %w", dir, err)}
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// outDirSafe says why dir may not be this user's alone, or nil.
func outDirSafe(dir string) error {
	li, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if li.Mode()&fs.ModeSymlink != 0 {
		to, _ := os.Readlink(dir)
		return fmt.Errorf("is a symbolic link (to %s): give the directory itself", to)
	}
	st, ok := li.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	switch mode := li.Mode().Perm(); {
	case int(st.Uid) != os.Geteuid():
		return fmt.Errorf("belongs to uid %d, not to you (uid %d)", st.Uid, os.Geteuid())
	case mode&0o002 != 0:
		return fmt.Errorf("is writable by every user (mode %04o)", mode)
	case mode&0o020 != 0 && int(st.Gid) != os.Getegid():
		// A user's own group (umask 002) is not another user.
		return fmt.Errorf("is writable by group %d, not yours (mode %04o)", st.Gid, mode)
	}
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
