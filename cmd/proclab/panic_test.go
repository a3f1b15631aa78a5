package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// The command: one fork task, one round, --out. Its startup
// figure had one point, and a one-point log axis panicked in gonum (exit
// 2, `.startup.png.tmp-*` left) whenever the startup was under 1 ms.
func TestOneForkTaskOut(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "--method", "fork", "--n-tasks", "1", "--repeat", "1", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	assertNoTempFiles(t, dir)
}

// A panic that still escapes a renderer is caught at the top: one line on
// stderr, exit 1, and no temporary file left in --out.
func TestRendererPanicCaught(t *testing.T) {
	saved := exports
	t.Cleanup(func() { exports = saved })
	exports = func(res *results.Result) []report.Export {
		return append(saved(res), report.Export{Name: "boom.png", Write: func(w io.Writer) error {
			if _, err := w.Write(make([]byte, 1<<16)); err != nil { // reaches the temporary file
				return err
			}
			panic("Values must be greater than 0\nfor a log scale.")
		}})
	}
	dir := t.TempDir()
	code, _, stderr := run(t, "--method", "fork", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1", "--out", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "internal error") || !strings.Contains(lines[0], "for a log scale") {
		t.Errorf("stderr is not one line naming the panic: %q", stderr)
	}
	assertNoTempFiles(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		t.Errorf("the files written before the panic: %v", err)
	}
}
