package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// A reader of stdout that has left before the lab writes (proclab --out D
// | head -1) costs nothing: D is written whole and the exit status is 0.
// Before, the write to the broken pipe raised SIGPIPE and killed the lab
// (status 141) before it wrote D (issue 11 item 4).
func TestStdoutReaderLeft(t *testing.T) {
	for _, asJSON := range []bool{true, false} {
		t.Run(map[bool]string{true: "json", false: "table"}[asJSON], func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close() // the reader is gone before the lab writes a byte
			args := []string{"--method", "fork", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "2", "--out", dir}
			if asJSON {
				args = append(args, "--json")
			}
			code, stderr := runWithStdout(t, w, args...)
			w.Close()
			if code != 0 {
				t.Errorf("exit status %d, want 0 (the reader leaving is not a failure); stderr:\n%s", code, stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "broken pipe") {
				t.Errorf("stderr:\n%s", stderr)
			}
			b, err := os.ReadFile(filepath.Join(dir, "results.json"))
			if err != nil {
				t.Fatalf("--out was not written: %v", err)
			}
			if res := decodeResult(t, string(b)); len(res.Runs) != 2 {
				t.Errorf("results.json holds %d runs, want 2", len(res.Runs))
			}
		})
	}
}

// runWithStdout runs the real binary with stdout going to w and returns
// its exit status and stderr.
func runWithStdout(t *testing.T, w *os.File, args ...string) (int, string) {
	t.Helper()
	l := &startedLab{cmd: exec.Command(labBin, args...)}
	l.cmd.Stdout, l.cmd.Stderr = w, &l.errb
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := l.wait(t)
	return code, l.errb.String()
}

// A float flag takes no NaN or infinity: before, --sample-budget nan
// passed validation (NaN compares false), ran, and then JSON encoding
// failed at the end with nothing written (issue 11 item 5).
func TestNonFiniteFlags(t *testing.T) {
	for _, v := range []string{"nan", "NaN", "inf", "-Inf", "+Inf", "1e999"} {
		assertBadInput(t, runLab(t, "--sample-budget", v, "--n-iters", "1000", "--repeat", "1"), "--sample-budget: ", "is not a number")
	}
}

// Whatever float of a Result is not finite, every export is still
// written: the value is written as null (a *float64) or 0, and a warning
// names it. Before, one NaN made report.JSON fail and nothing was written
// (issue 11 item 5).
func TestEmitNonFinite(t *testing.T) {
	r := runLab(t, "--method", "fork", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "1", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	res := decodeResult(t, r.stdout)
	nan, inf := math.NaN(), math.Inf(1)
	res.Cells = []results.Cell{{NIters: 1, NTasks: 1, Speedup: nan, Efficiency: inf, ThreadUp: -inf}}
	res.Crossover = []results.Crossover{{NTasks: 1, Speedup: &nan}}
	if res.Sampler == nil {
		res.Sampler = &results.SamplerStats{}
	}
	res.Sampler.Overhead, res.Sampler.Budget = nan, inf
	if res.Host != nil {
		res.Host.LoadAvg = []float64{nan, 1, inf}
	}
	if err := report.JSON(&bytes.Buffer{}, res); err == nil {
		t.Fatal("the poisoned Result encodes: the test does not test anything")
	}
	dir := t.TempDir()
	var stdout bytes.Buffer
	if err := emit(&stdout, io.Discard, res, true, nil, dir, nil); err != nil {
		t.Fatalf("emit: %v", err)
	}
	for _, b := range [][]byte{stdout.Bytes(), mustRead(t, filepath.Join(dir, "results.json"))} {
		var doc struct {
			Warnings  []string         `json:"warnings"`
			Cells     []map[string]any `json:"cells"`
			Crossover []map[string]any `json:"crossover"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if len(doc.Cells) != 1 || doc.Cells[0]["speedup"] != 0.0 || len(doc.Crossover) != 1 || doc.Crossover[0]["speedup"] != nil {
			t.Errorf("cells %v crossover %v: want speedup 0 and null", doc.Cells, doc.Crossover)
		}
		if w := strings.Join(doc.Warnings, "\n"); !strings.Contains(w, "not a finite number") || !strings.Contains(w, "cells[0].speedup") {
			t.Errorf("warnings %q do not name the values", doc.Warnings)
		}
	}
	for _, name := range []string{"results.csv", "results.md", "bench.txt"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// SIGHUP (the terminal closed, ssh dropped) is handled like SIGTERM:
// every child killed and reaped, the results so far written to --out and
// stdout marked incomplete, exit status 129. Before, the lab died of the
// signal (129) with nothing written (issue 11 item 6).
func TestHangupWritesResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	l := startLab(t, &syscall.SysProcAttr{}, "--method", "fork", "--n-tasks", "2",
		"--n-iters", longIters, "--repeat", "2", "--json", "--out", dir)
	if !l.waitForTasks(t, 2) {
		l.wait(t)
		t.Fatalf("the lab exited before starting its tasks: %s", l.errb.String())
	}
	ps := descendants(l.pid())
	syscall.Kill(l.pid(), syscall.SIGHUP)
	if code := l.wait(t); code != 129 {
		t.Errorf("exit status %d, want 129; stderr:\n%s", code, l.errb.String())
	}
	assertReapedByLab(t, ps)
	if s := l.errb.String(); !strings.Contains(s, "interrupted by SIGHUP") || strings.Count(withoutWarnings(s), "\n") != 1 {
		t.Errorf("stderr is not one line saying SIGHUP interrupted the run:\n%s", s)
	}
	for _, doc := range []string{l.out.String(), string(mustRead(t, filepath.Join(dir, "results.json")))} {
		res := decodeResult(t, doc)
		if !res.Incomplete || len(res.Runs) != 1 || len(res.Runs[0].Tasks) != 2 {
			t.Errorf("want one run of 2 tasks marked incomplete, got incomplete=%v runs=%d", res.Incomplete, len(res.Runs))
		}
	}
}
