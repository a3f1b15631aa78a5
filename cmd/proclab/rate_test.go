package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// `proclab rate --json` names its fields as issue 13's contract does, on a
// real run (the test binary doubles as the worker).
func TestRateJSON(t *testing.T) {
	code, stdout, stderr := run(t, "rate", "--method", "fork,spawn", "--tasks", "12", "--max-procs", "2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
	}
	jsonKinds(t, "document", doc, map[string]string{"schema": "string", "cpus": "positive", "rates": "array"})
	rates, _ := doc["rates"].([]any)
	if len(rates) != 2 {
		t.Fatalf("%d rates, want 2: %s", len(rates), stdout)
	}
	for i, r := range rates {
		row := r.(map[string]any)
		jsonKinds(t, fmt.Sprintf("rate %d", i), row, map[string]string{"method": "string", "tasks": "positive",
			"max_procs": "positive", "tasks_per_s": "positive", "floor": "string", "floor_tasks_per_s": "positive",
			"ratio": "positive", "failed": "number", "lab_anon_bytes": "positive", "lab_vmas": "positive"})
		if row["tasks"] != 12.0 || row["max_procs"] != 2.0 {
			t.Errorf("rate %d: tasks %v max_procs %v, want 12 and 2", i, row["tasks"], row["max_procs"])
		}
	}
}

func TestRateTable(t *testing.T) {
	code, stdout, stderr := run(t, "rate", "--method", "fork", "--tasks", "8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"tasks/s", "floor tasks/s", "fork+_exit+wait4", "load average"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
}

// Bad input to rate: one line on stderr, exit 2, no run.
func TestRateBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"rate", "--tasks", "0"},
		{"rate", "--tasks", "-5"},
		{"rate", "--tasks", "x"},
		{"rate", "--max-procs", "-1"},
		{"rate", "--max-procs", "100000"},
		{"rate", "--method", "thread"},
		{"rate", "--method", "nosuch"},
		{"rate", "--method", "py-fork"},
		{"rate", "extra"},
		{"rate", "--nosuch"},
		{"rate", "--fork-lab-heap", "copy"},
		{"rate", "--fork-lab-heap", ""},
		{"--fork-lab-heap", "no"},
		{"compare", "--fork-lab-heap", "x"},
		{"calibrate", "--fork-lab-heap", "x"},
	} {
		code, stdout, stderr := run(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "goroutine") {
			t.Errorf("%v: stdout %q, stderr %q: want one line on stderr", args, stdout, stderr)
		}
	}
}

// --fork-lab-heap says what fork children get of the lab's Go memory, and
// the document says which was used: dontfork (the default) keeps some of
// the lab's anonymous memory out of them, inherit none.
func TestRateForkLabHeap(t *testing.T) {
	for _, mode := range []string{"", "dontfork", "inherit"} {
		args := []string{"rate", "--method", "fork", "--tasks", "20", "--json"}
		if mode != "" {
			args = append(args, "--fork-lab-heap", mode)
		}
		code, stdout, stderr := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var doc struct {
			ForkLabHeap string `json:"fork_lab_heap"`
			Rates       []struct {
				LabAnonBytes     int64 `json:"lab_anon_bytes"`
				LabDontForkBytes int64 `json:"lab_dontfork_bytes"`
				Failed           int   `json:"failed"`
			} `json:"rates"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Rates) != 1 {
			t.Fatalf("%v: %v\n%s", args, err, stdout)
		}
		want := mode
		if want == "" {
			want = "dontfork"
		}
		r := doc.Rates[0]
		if doc.ForkLabHeap != want || r.Failed != 0 {
			t.Errorf("%v: fork_lab_heap %q (want %q), %d failed", args, doc.ForkLabHeap, want, r.Failed)
		}
		if kept := r.LabDontForkBytes; (want == "inherit") != (kept == 0) || kept > r.LabAnonBytes {
			t.Errorf("%v: lab_dontfork_bytes %d of lab_anon_bytes %d", args, kept, r.LabAnonBytes)
		}
	}
}
