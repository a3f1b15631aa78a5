package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The binary the CLI tests run is linked as make build links it, and the
// results say how: every method's children start from that image.
func TestStaticBinary(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(STATIC|STATIC_LD) := (.*)$`).FindAllStringSubmatch(string(mk), -1) {
		vars[m[1]] = strings.TrimSpace(m[2])
	}
	if want := strings.Join(staticBuild[:2], " "); vars["STATIC"] != want {
		t.Errorf("Makefile STATIC = %q, the tests build with %q", vars["STATIC"], want)
	}
	if vars["STATIC_LD"] != staticBuild[3] {
		t.Errorf("Makefile STATIC_LD = %q, the tests build with %q", vars["STATIC_LD"], staticBuild[3])
	}
	r := runLab(t, "--method", "fork,fork-exec,spawn,forkserver,exec", "--n-tasks", "2", "--n-iters", "1000",
		"--repeat", "1", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var res struct {
		BinaryLinking string `json:"binary_linking"`
		Runs          []struct {
			Method string `json:"method"`
			Tasks  []struct {
				Error string `json:"error"`
			} `json:"tasks"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.BinaryLinking != "static" {
		t.Errorf("binary_linking %q, want static", res.BinaryLinking)
	}
	for _, r := range res.Runs {
		for _, task := range r.Tasks {
			if task.Error != "" {
				t.Errorf("%s: %s", r.Method, task.Error)
			}
		}
	}
}
