package main

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// hyperfine's export flags: each file whole, "-" as stdout in the
// table's place, the Markdown table's figures the JSON's.
func TestExportFlags(t *testing.T) {
	dir := t.TempDir()
	js, cs := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.csv")
	r := runLab(t, "--method", "fork,spawn", "--n-tasks", "2", "--n-iters", "10000", "--repeat", "2",
		"--export-json", js, "--export-csv", cs, "--export-markdown", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	f, err := os.Open(js)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := results.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(mustRead(t, cs)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tasks := 0
	for _, run := range res.Runs {
		tasks += len(run.Tasks)
	}
	if len(rows) != tasks+1 || tasks != 8 {
		t.Errorf("csv: %d rows for %d tasks (+ header)", len(rows), tasks)
	}
	// stdout is the Markdown table only: its startup cells are the
	// medians of the results, in the header's unit.
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "| method |") || !strings.Contains(lines[0], "| startup ms |") {
		t.Fatalf("stdout is not the Markdown table:\n%s", r.stdout)
	}
	hdr := strings.Split(lines[0], "|")
	col := -1
	for i, h := range hdr {
		if strings.TrimSpace(h) == "startup ms" {
			col = i
		}
	}
	for _, row := range stats.Rows(res) {
		found := false
		for _, l := range lines[2:] {
			cells := strings.Split(l, "|")
			if len(cells) <= col || strings.Trim(strings.TrimSpace(cells[1]), "*") != string(row.Method) {
				continue
			}
			found = true
			// The cell is the median rounded to the digits it shows (a
			// column keeps two significant digits of its smallest figure):
			// off by no more than half its last digit.
			cell := strings.TrimSpace(cells[col])
			v, err := strconv.ParseFloat(cell, 64)
			dec := 0
			if i := strings.IndexByte(cell, '.'); i >= 0 {
				dec = len(cell) - i - 1
			}
			if err != nil || math.Abs(v*1e6-row.Startup.Median) > 0.5e6*math.Pow10(-dec)+1 {
				t.Errorf("%s: startup cell %q, median %.0fns", row.Method, cells[col], row.Startup.Median)
			}
		}
		if !found {
			t.Errorf("no row for %s:\n%s", row.Method, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "times faster than") || strings.Contains(r.stdout, "round") {
		t.Errorf("stdout: want the table and its summary only:\n%s", r.stdout)
	}
}

func TestExportFlagsBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--export-json", "-", "--export-csv", "-"},
		{"--export-json", "-", "--json"},
		{"--export-csv", "/no/such/dir/r.csv"},
		{"--export-markdown", os.TempDir()},
		{"--columns", "startup,bogus"},
	} {
		r := runLab(t, append(args, "--n-tasks", "1", "--n-iters", "1000")...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and one line", args, r.code, r.stdout, r.stderr)
		}
	}
}
