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
