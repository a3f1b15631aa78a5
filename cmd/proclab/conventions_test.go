package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// `proclab --version` and `proclab version` print the same line, with the
// version the Makefile stamps; the results carry it as host.proclab_version.
func TestVersion(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "proclab")
	out, err := exec.Command("go", "build", "-ldflags", "-X github.com/proclab/proclab/lab.buildVersion=v9.8.7-test", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a, err1 := exec.Command(bin, "--version").Output()
	b, err2 := exec.Command(bin, "version").Output()
	if err1 != nil || err2 != nil || string(a) != string(b) || !strings.HasPrefix(string(a), "proclab v9.8.7-test (") {
		t.Fatalf("--version %q (%v), version %q (%v)", a, err1, b, err2)
	}
	j, err := exec.Command(bin, "--method", "fork", "--n-tasks", "1", "--n-iters", "10", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var res results.Result
	if err := json.Unmarshal(j, &res); err != nil || res.Host == nil || res.Host.ProclabVersion != "v9.8.7-test" {
		t.Fatalf("host.proclab_version: %v %+v", err, res.Host)
	}
}

// Checksums are JSON strings, so a 64-bit value keeps every digit in jq or
// JavaScript; every run JSON has a summary per method.
func TestChecksumStringAndSummary(t *testing.T) {
	r := runLab(t, "--method", "fork,thread", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "2", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Summary []map[string]any `json:"summary"`
		Runs    []struct {
			Tasks []map[string]any `json:"tasks"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// The loop's checksum for 1000 iterations (hotloop.c), all 64 bits.
	const want = "5434919372639981517"
	for _, run := range doc.Runs {
		for _, tk := range run.Tasks {
			if s, ok := tk["checksum"].(string); !ok || s != want {
				t.Errorf("checksum %#v, want the string %q", tk["checksum"], want)
			}
		}
	}
	if len(doc.Summary) != 2 {
		t.Fatalf("summary %v", doc.Summary)
	}
	for _, e := range doc.Summary {
		for _, k := range []string{"method", "parent_rss_bytes", "n", "startup", "total", "wall"} {
			if _, ok := e[k]; !ok {
				t.Errorf("summary entry without %q: %v", k, e)
			}
		}
		total, _ := e["total"].(map[string]any)
		for _, k := range []string{"median_ns", "p10_ns", "p90_ns", "mean_ns", "stddev_ns", "min_ns", "max_ns"} {
			if v, ok := total[k].(float64); !ok || v < 0 || k != "stddev_ns" && v <= 0 {
				t.Errorf("summary total.%s = %#v", k, total[k])
			}
		}
	}
}

// diff of a result set with itself finds no significant change; its JSON
// says so too; bad input is one line and exit 2.
func TestDiffCLI(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	if r := runLab(t, "--method", "fork", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "5", "--out", a); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r := runLab(t, "diff", a, filepath.Join(a, "results.json"))
	if r.code != 0 || !strings.Contains(r.stdout, "startup (median") || !regexp.MustCompile(`fork .*~ \(p=1\.000 n=5\+5\)`).MatchString(r.stdout) {
		t.Fatalf("diff a a: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runLab(t, "diff", "--json", a, a)
	var d stats.DiffResult
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || len(d.Rows) != 3 {
		t.Fatalf("diff --json: %v %+v", err, d)
	}
	for _, row := range d.Rows {
		if row.Changes[0] == nil || row.Changes[0].Significant || row.Changes[0].ChangePct != 0 {
			t.Errorf("%s %s: %+v", row.Method, row.Metric, row.Changes[0])
		}
	}
	for _, args := range [][]string{{"diff", a}, {"diff", a, filepath.Join(dir, "missing")}, {"diff", "--alpha", "2", a, a}} {
		if r := runLab(t, args...); r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// report with no DIR says what it wants; report of a directory written by
// --out writes its report.md there.
func TestReportArgs(t *testing.T) {
	r := runLab(t, "report")
	if r.code != 2 || !strings.Contains(r.stderr, "report needs DIR") {
		t.Fatalf("report: exit %d, stderr %q", r.code, r.stderr)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if r := runLab(t, "--method", "fork,spawn", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "3", "--out", dir); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r := runLab(t, "report", dir); r.code != 0 {
		t.Fatalf("report DIR: exit %d: %s", r.code, r.stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil || !regexp.MustCompile(`(?m)^\| (\*\*)?fork(\*\*)? \| 0B`).Match(md) || !strings.Contains(string(md), "[results.json](results.json)") {
		t.Fatalf("report.md: %v\n%s", err, md)
	}
}

// Mistyped flags, commands and methods get one line that names what was
// probably meant, and the help of the command they were given to.
func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--n-task", "3"}, "did you mean --n-tasks? (proclab --help"},
		{[]string{"--methods", "fork"}, "did you mean --method?"},
		{[]string{"--repeats", "3"}, "did you mean --repeat?"},
		{[]string{"compare", "--n-task", "2"}, "did you mean --n-tasks? (proclab compare --help"},
		{[]string{"--method", "posix_spawn"}, `unknown method "posix_spawn": did you mean spawn?`},
		{[]string{"--method", "fokr"}, `did you mean fork?`},
		{[]string{"comapre"}, `unknown command "comapre": did you mean proclab compare?`},
		{[]string{"reprot", "x"}, `did you mean proclab report?`},
	} {
		r := runLab(t, tc.args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want one line with %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
