package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
// report reads back, or swap the files). One --out is one run's: it takes
// a lock on dir (flock of the directory), which a second lab with the
// same --out finds taken: it is refused, before anything runs, rather
// than mix its files with the first's. release drops the lock (the
// process's exit does too). Its error is a usage error.
func checkOutDir(dir string, trust bool) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageError{fmt.Errorf("--out: %w", err)}
	}
	if !trust {
		if err := outDirSafe(dir); err != nil {
			return nil, usageError{fmt.Errorf("--out %s %w (--trust-out writes there all the same)", dir, err)}
		}
	}
	f, err := os.CreateTemp(dir, ".proclab-probe-*")
	if err != nil {
		return nil, usageError{fmt.Errorf("--out %s is not writable: %w", dir, err)}
	}
	f.Close()
	os.Remove(f.Name())
	lock, err := os.Open(dir) // flock works on the directory itself: no lock file
	if err != nil {
		return nil, usageError{fmt.Errorf("--out %s: %w", dir, err)}
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, usageError{fmt.Errorf("--out %s is in use by another proclab run: give each run a directory of its own", dir)}
		}
		return nil, usageError{fmt.Errorf("--out %s: locking: %w", dir, err)}
	}
	return func() { lock.Close() }, nil
}

// labFiles are the names the lab writes in an --out directory, whatever
// the run (report.Exports; report.md and report.html are written there by
// proclab report), and labFigures its figures, each as .png and .svg. A
// run's set replaces the set before it: removeStale takes out of dir
// those of these it did not write this time (an older run's profile, its
// live RSS plot, a report of the older results), and the temporary files
// of a lab that was killed while writing; it never touches another file.
var (
	labFiles   = []string{"results.json", "results.csv", "results.md", "bench.txt", "profile.pb.gz", "start-profile.pb.gz", "report.md", "report.html"}
	labFigures = []string{"startup", "rss", "rss-live", "parent-rss", "speedup"}
)

func isLabFile(name string) bool {
	if slices.Contains(labFiles, name) {
		return true
	}
	fig, ext, ok := strings.Cut(name, ".")
	return ok && (ext == "png" || ext == "svg") && slices.Contains(labFigures, fig)
}

// isLabTemp says name is a temporary file of writeFile's (.NAME.tmp-*)
// for one of the lab's files.
func isLabTemp(name string) bool {
	base, _, ok := strings.Cut(strings.TrimPrefix(name, "."), ".tmp-")
	return ok && strings.HasPrefix(name, ".") && isLabFile(base)
}

// removeStale removes the lab's files in dir that this run did not write
// (wrote), and its stale temporary files. Only regular files go.
func removeStale(dir string, wrote []string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || slices.Contains(wrote, name) || !(isLabFile(name) || isLabTemp(name)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing the older %s: %w", name, err)
		}
	}
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
		res.Warnings = append(res.Warnings, benchFile+" not written: no task of a recorded round counts (interrupted during warmup, or every task failed)")
	}
	if err := writeFiles(dir, files); err != nil {
		return err
	}
	var wrote []string
	for _, e := range files {
		wrote = append(wrote, e.Name)
	}
	return removeStale(dir, wrote) // the older bench.txt too, when none was written
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
