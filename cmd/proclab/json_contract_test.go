package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
)

// The JSON field names are a public contract; this runs the real command
// (the test binary doubles as the worker) and checks them.
func TestJSONContract(t *testing.T) {
	var out, errb bytes.Buffer
	code := proclab(&out, &errb, []string{"--method", "fork,spawn", "--n_tasks", "2", "--n_iters", "1000", "--repeat", "1", "--json"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out.String())
	}
	runs, ok := doc["runs"].([]any)
	if !ok || len(runs) != 2 {
		t.Fatalf("runs: %v", doc["runs"])
	}
	for _, r := range runs {
		run := r.(map[string]any)
		for _, k := range []string{"method", "n_tasks", "n_iters", "wall_ns", "tasks", "parent_rss_bytes"} {
			if _, ok := run[k]; !ok {
				t.Errorf("run lacks %q", k)
			}
		}
		if run["n_tasks"].(float64) != 2 || run["n_iters"].(float64) != 1000 {
			t.Errorf("aliases --n_tasks/--n_iters not applied: %v", run)
		}
		for _, tk := range run["tasks"].([]any) {
			task := tk.(map[string]any)
			for _, k := range []string{"task", "pid", "startup_ns", "total_ns", "user_ns", "sys_ns", "task_cpu_ns", "hwm_bytes", "end_rss_bytes", "end_pss_bytes", "end_uss_bytes", "rusage_maxrss_bytes", "minflt", "exit_code", "signal", "checksum_ok", "parent_pid"} {
				if _, ok := task[k]; !ok {
					t.Errorf("task lacks %q", k)
				}
			}
			if task["checksum_ok"] != true || task["signal"] != nil || task["exit_code"].(float64) != 0 {
				t.Errorf("task %v", task)
			}
		}
	}
}

func TestTableOutput(t *testing.T) {
	var out, errb bytes.Buffer
	if code := proclab(&out, &errb, []string{"--method", "fork", "--n-tasks", "4", "--n-iters", "1000", "--repeat", "2"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"startup", "The start method is fork", "Average execution time:", "Median startup latency:"} {
		if !bytes.Contains([]byte(s), []byte(want)) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^\s+fork\s+\d+\s+\d+\s+\d+`).FindAllString(s, -1)); n != 8 {
		t.Errorf("%d task rows, want 8:\n%s", n, s)
	}
}
