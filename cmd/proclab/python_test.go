package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/results"
)

// Without python3 on PATH, a Python method is bad input that says what to
// install, and `all` runs without the Python rows, saying so once.
func TestPythonMissingCLI(t *testing.T) {
	t.Setenv("PATH", "")
	t.Setenv("PROCLAB_PYTHON", "")
	r := runLab(t, "--method", "py-spawn", "--n-tasks", "1")
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "install it (apt-get install python3)") {
		t.Fatalf("py-spawn without python3: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runLab(t, "--method", "all", "--n-tasks", "1", "--n-iters", "1000", "--json", "--sample-interval", "0")
	if r.code != 0 || strings.Count(r.stderr, "leaves out py-fork") != 1 {
		t.Fatalf("all without python3: exit %d, stderr %q", r.code, r.stderr)
	}
	var res results.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Spec.Methods {
		if m.IsPython() {
			t.Errorf("all ran %s without python3", m)
		}
	}
}

// The Python rows go through every output like the others: the table, the
// JSON with the driver's figures, and the files of --out.
func TestPythonRowsEverywhere(t *testing.T) {
	if _, err := lab.Python(); err != nil {
		t.Skipf("no python3: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	r := runLab(t, "--method", "py-fork,py-forkserver,fork", "--n-tasks", "2", "--n-iters", "2000", "--repeat", "2", "--out", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, m := range []string{"py-fork", "py-forkserver"} {
		if !strings.Contains(r.stdout, m) {
			t.Errorf("table has no %s row:\n%s", m, r.stdout)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res results.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Python == nil || res.Python.PID <= 0 || res.Python.ForkserverPID == nil {
		t.Fatalf("python driver figures: %+v", res.Python)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "results.csv"))
	bench, _ := os.ReadFile(filepath.Join(dir, "bench.txt"))
	if !strings.Contains(string(csv), "py-forkserver") || !strings.Contains(string(bench), "method=py-fork") {
		t.Errorf("csv or bench.txt has no Python rows:\n%s\n%s", csv, bench)
	}
}
