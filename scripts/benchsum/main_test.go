package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
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

// touchEnv makes this test binary, run as a child, touch that many MiB
// and exit: a child of known peak size for TestMaxRSS.
const touchEnv = "BENCHSUM_TEST_TOUCH_MIB"

func TestMain(m *testing.M) {
	if v := os.Getenv(touchEnv); v != "" {
		mib, _ := strconv.Atoi(v)
		b := make([]byte, mib<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		os.Exit(int(b[0]) - 1) // 0, and b stays live to here
	}
	os.Exit(m.Run())
}

// maxrss prints the child's peak RSS in bytes (ru_maxrss is in KiB): a
// child that touches 48 MiB peaks at 48 MiB or a little more.
func TestMaxRSS(t *testing.T) {
	t.Setenv(touchEnv, "48")
	var out bytes.Buffer
	if err := benchsum(&out, []string{"maxrss", os.Args[0]}); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
	if err != nil || n < 48<<20 || n > 48<<20+200<<20 {
		t.Errorf("peak RSS of a child that touched 48 MiB: %q bytes (%v)", out.String(), err)
	}
	if err := benchsum(&out, []string{"maxrss", "/nonexistent/program"}); err == nil {
		t.Error("maxrss of a program that does not exist: no error")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"ab", "dir"}, {"rate"}, {"maxrss"}} {
		if err := benchsum(&bytes.Buffer{}, args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
