package main

import (
	"bytes"
	"encoding/json"
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
	for _, k := range []string{"schema", "host", "rounds", "floors", "methods", "goals"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("document lacks %q", k)
		}
	}
	for _, m := range doc["methods"].([]any) {
		mo := m.(map[string]any)
		for _, k := range []string{"method", "floor", "startup_ns", "total_ns", "startup_ratio", "total_ratio"} {
			if _, ok := mo[k]; !ok {
				t.Errorf("method lacks %q: %v", k, mo)
			}
		}
	}
}

func TestCalibrateTable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := proclab(&out, &errb, []string{"calibrate", "--n", "2", "--method", "fork"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"fork+_exit+wait4", "× floor", "goal: fork startup within 1.15x", "goal: fork total per task within 1.20x"} {
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
