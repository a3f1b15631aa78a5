package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// `proclab calibrate --json` names its fields as issue 7's contract does;
// the run is real (the test binary doubles as the worker).
func TestCalibrateJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := proclab(&out, &errb, []string{"calibrate", "--n", "3", "--warmup", "0", "--method", "fork,spawn", "--json"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out.String())
	}
	jsonKinds(t, "document", doc, map[string]string{"schema": "string", "host": "object", "rounds": "positive",
		"warmup": "number", "n_iters": "positive", "floors": "array", "methods": "array", "goals": "array"})
	if doc["rounds"] != 3.0 {
		t.Errorf("rounds %v, want 3", doc["rounds"])
	}
	floors, _ := doc["floors"].([]any)
	names := map[string]bool{}
	for _, f := range floors {
		fl := f.(map[string]any)
		jsonKinds(t, "floor", fl, map[string]string{"name": "string", "n": "positive", "total_ns": "positive",
			"minflt": "number", "startup_ns": "positive|null"})
		names[fmt.Sprint(fl["name"])] = true
	}
	methods, _ := doc["methods"].([]any)
	if len(methods) != 2 {
		t.Errorf("%d methods, want 2", len(methods))
	}
	for _, m := range methods {
		mo := m.(map[string]any)
		jsonKinds(t, fmt.Sprintf("method %v", mo["method"]), mo, map[string]string{"method": "string", "floor": "string",
			"n": "positive", "startup_ns": "positive", "total_ns": "positive", "startup_ratio": "positive",
			"total_ratio": "positive", "startup_overhead_ns": "number", "total_overhead_ns": "number",
			"minflt": "positive", "failed": "number"})
		if !names[fmt.Sprint(mo["floor"])] {
			t.Errorf("method %v compared with floor %v, which is not among the floors %v", mo["method"], mo["floor"], names)
		}
	}
	goals, _ := doc["goals"].([]any)
	if len(goals) != 2 {
		t.Errorf("%d goals, want 2", len(goals))
	}
	for _, g := range goals {
		jsonKinds(t, "goal", g.(map[string]any), map[string]string{"name": "string", "ratio": "positive", "limit": "positive", "met": "bool"})
	}
}

func TestCalibrateTable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := proclab(&out, &errb, []string{"calibrate", "--n", "2", "--method", "fork"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"fork+_exit+wait4", "× floor", "fork startup: proclab's fork costs", "fork total per task: proclab's fork costs", "(the goal is at most 1.10x"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCalibrateBadInput(t *testing.T) {
	for _, args := range [][]string{{"--n", "0"}, {"--warmup", "-1"}, {"--method", "thread"}, {"--method", "vfork"}, {"--n", "x"}, {"extra"}} {
		var out, errb bytes.Buffer
		code := proclab(&out, &errb, append([]string{"calibrate"}, args...))
		msg := strings.TrimSpace(errb.String())
		if code != 2 || msg == "" || strings.Contains(msg, "\n") {
			t.Errorf("calibrate %v: exit %d, stderr %q; want 2 and one line", args, code, msg)
		}
	}
}
