package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	jsonKinds(t, "document", doc, map[string]string{
		"schema": "string", "spec": "object", "runs": "array", "incomplete": "bool",
		"binary": "string", "host": "object", "lab_peak_rss_bytes": "positive",
		"forkserver": "null",   // no forkserver method asked for
		"python":     "null",   // no Python method asked for
		"summary":    "array",  // one entry per method and parent size
		"sampler":    "object", // live sampling is on by default
	})
	if host, ok := doc["host"].(map[string]any); ok {
		jsonKinds(t, "host", host, map[string]string{"cpus": "positive", "kernel": "string", "thp": "string",
			"memory_bytes": "positive", "go_version": "string"})
	}
	if spec, ok := doc["spec"].(map[string]any); ok {
		jsonKinds(t, "spec", spec, map[string]string{"methods": "array", "n_tasks": "positive", "n_iters": "positive",
			"repeat": "positive", "warmup": "number", "parent_rss_bytes": "array"})
	}
	runs, ok := doc["runs"].([]any)
	if !ok || len(runs) != 2 {
		t.Fatalf("runs: %v", doc["runs"])
	}
	for _, r := range runs {
		run := r.(map[string]any)
		jsonKinds(t, "run", run, map[string]string{"method": "string", "round": "number", "n_tasks": "number",
			"n_iters": "number", "wall_ns": "positive", "tasks": "array", "parent_rss_bytes": "number"})
		if run["n_tasks"] != 2.0 || run["n_iters"] != 1000.0 {
			t.Errorf("aliases --n_tasks/--n_iters not applied: %v", run)
		}
		tasks, _ := run["tasks"].([]any)
		if len(tasks) != 2 {
			t.Errorf("%v tasks, want 2", len(tasks))
		}
		for _, tk := range tasks {
			task := tk.(map[string]any)
			jsonKinds(t, fmt.Sprintf("%v task %v", run["method"], task["task"]), task, map[string]string{
				"task": "number", "pid": "positive", "parent_pid": "positive", "startup_ns": "positive",
				"total_ns": "positive", "run_ns": "positive", "user_ns": "number", "sys_ns": "number",
				"task_cpu_ns": "positive", "hwm_bytes": "positive", "end_rss_bytes": "positive",
				"end_pss_bytes": "positive", "end_uss_bytes": "positive", "mem_read_ns": "positive",
				"rusage_maxrss_bytes": "positive", // the kernel's figure (the lab's size for an exec'd worker)
				"minflt":              "positive", "majflt": "number", "nvcsw": "number", "nivcsw": "number",
				"exit_code": "number", "signal": "null", "checksum": "string", "checksum_ok": "bool", "timed_out": "bool",
			})
			if task["checksum_ok"] != true || task["exit_code"] != 0.0 {
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
