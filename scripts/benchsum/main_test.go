package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMedianOfBenchmarkLines(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.txt")
	os.WriteFile(a, []byte("goos: linux\nBenchmarkHotLoop-2   10  100 ns/op  1.5 ns/iter  1.4 cpu-ns/iter\nBenchmarkHotLoopX-2 1 9 ns/op 9 ns/iter\n"), 0o644)
	os.WriteFile(b, []byte("BenchmarkHotLoop-2\t10\t100 ns/op\t1.7 ns/iter\nBenchmarkHotLoop-2\t10\t100 ns/op\t1.6 ns/iter\n"), 0o644)
	var out bytes.Buffer
	if err := benchsum(&out, []string{"median", "-name", "BenchmarkHotLoop", "-metric", "ns/iter", a, b}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "1.6" {
		t.Errorf("median %q, want 1.6 (the other benchmark and metric left out)", got)
	}
	if err := benchsum(&out, []string{"median", "-name", "BenchmarkNone", a}); err == nil {
		t.Error("no values: no error")
	}
}

func TestRateOfResult(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(p, []byte(`{"runs":[{"n_tasks":1000,"wall_ns":500000000},{"n_tasks":1000,"wall_ns":250000000},{"n_tasks":1000,"wall_ns":1000000000}]}`), 0o644)
	var out bytes.Buffer
	if err := benchsum(&out, []string{"rate", p}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "2000" {
		t.Errorf("rate %q, want the median 2000 tasks/s", got)
	}
}

func TestMaxRSS(t *testing.T) {
	var out bytes.Buffer
	if err := benchsum(&out, []string{"maxrss", "/bin/true"}); err != nil {
		t.Skip(err)
	}
	if s := strings.TrimSpace(out.String()); s == "0" || s == "" {
		t.Errorf("peak RSS of /bin/true: %q", s)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"ab", "dir"}, {"rate"}, {"maxrss"}} {
		if err := benchsum(&bytes.Buffer{}, args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
