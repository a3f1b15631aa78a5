package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// buildProclab builds this command with symbols (`go test` strips its own
// test binaries) into a temporary directory; pie selects -buildmode=pie.
func buildProclab(t *testing.T, pie bool) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the proclab binary")
	}
	goTool, err := exec.LookPath("go") // go test puts GOROOT/bin on PATH
	if err != nil {
		t.Fatalf("no go command to build proclab with: %v", err)
	}
	out := filepath.Join(t.TempDir(), "proclab")
	args := []string{"build", "-o", out}
	if pie {
		args = append(args, "-buildmode=pie")
	}
	if b, err := exec.Command(goTool, append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// runJSON is the part of the JSON results the profile is checked against.
type runJSON struct {
	Runs []struct {
		Method string `json:"method"`
		Round  int    `json:"round"`
		Tasks  []struct {
			Task int `json:"task"`
			PID  int `json:"pid"`
		} `json:"tasks"`
	} `json:"runs"`
}

// The whole path, as a user runs it: proclab with --profile writes a
// pprof file in which the hot loop is on top by name, file and line, the
// samples carry method/task/pid/n_iters labels that match the JSON
// results, and go tool pprof reads it. Both as an ordinary executable and
// as PIE (where every process, including spawned workers, loads at its own
// random base).
func TestProfileEndToEnd(t *testing.T) {
	for _, pie := range []bool{false, true} {
		t.Run(map[bool]string{false: "exe", true: "pie"}[pie], func(t *testing.T) {
			bin := buildProclab(t, pie)
			dir := t.TempDir()
			prof, cpuProf := filepath.Join(dir, "hot.pb.gz"), filepath.Join(dir, "lab.pb.gz")
			cmd := exec.Command(bin, "--method", "fork,spawn,thread,single", "--n-tasks", "2",
				"--n-iters", "150000000", "--repeat", "1", "--profile-hz", "250",
				"--profile", prof, "--cpuprofile", cpuProf, "--json")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("proclab: %v\n%s", err, stderr.String())
			}
			var res runJSON
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			p := readProfile(t, prof)
			checkHotLoopOnTop(t, p)
			checkLabelsMatch(t, p, res)
			if p.Mapping[0].File != bin || (p.Mapping[0].Start == 0) != pie {
				t.Errorf("mapping %+v", p.Mapping[0])
			}
			if lp := readProfile(t, cpuProf); len(lp.SampleType) == 0 || lp.SampleType[len(lp.SampleType)-1].Type != "cpu" {
				t.Errorf("--cpuprofile: sample types %v", lp.SampleType)
			}
			checkPprofTool(t, prof)
			checkTagfocusForms(t, prof, "../../docs/metrics.md", "hot.pb.gz", func(f string) bool { return strings.Contains(f, "method") })
			if ents, _ := os.ReadDir(dir); len(ents) != 2 {
				t.Errorf("%d files in the output directory, want the 2 profiles (no temporaries)", len(ents))
			}
		})
	}
}

func readProfile(t *testing.T, path string) *profile.Profile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// checkHotLoopOnTop: at least 80% of the samples are in proclab_hot_loop,
// at lines of hotloop.c.
func checkHotLoopOnTop(t *testing.T, p *profile.Profile) {
	t.Helper()
	var total, hot int64
	for _, s := range p.Sample {
		total += s.Value[0]
		if ln := s.Location[0].Line; len(ln) == 1 && ln[0].Function.Name == "proclab_hot_loop" {
			hot += s.Value[0]
			if f := ln[0].Function.Filename; !strings.HasSuffix(f, "/csys/hotloop.c") || ln[0].Line < 1 {
				t.Errorf("hot loop sample at %s:%d", f, ln[0].Line)
			}
		}
	}
	if total == 0 || hot*10 < total*8 {
		t.Errorf("%d of %d samples in proclab_hot_loop, want at least 80%%", hot, total)
	}
}

func checkLabelsMatch(t *testing.T, p *profile.Profile, res runJSON) {
	t.Helper()
	type key struct {
		method      string
		task, round int64
	}
	pids := map[key]int64{}
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			pids[key{r.Method, int64(tk.Task), int64(r.Round)}] = int64(tk.PID)
		}
	}
	seen := map[key]bool{}
	for _, s := range p.Sample {
		m, n := s.Label["method"], s.NumLabel["n_iters"]
		num := func(key string) int64 {
			v := s.Label[key]
			if len(v) != 1 {
				t.Fatalf("sample labels %v %v: no %s", s.Label, s.NumLabel, key)
			}
			k, err := strconv.ParseInt(v[0], 10, 64)
			if err != nil {
				t.Fatalf("sample label %s=%q: %v", key, v[0], err)
			}
			return k
		}
		task, round, pid := []int64{num("task")}, []int64{num("round")}, []int64{num("pid")}
		if len(m) != 1 || len(n) != 1 || n[0] != 150000000 {
			t.Fatalf("sample labels %v %v", s.Label, s.NumLabel)
		}
		k := key{m[0], task[0], round[0]}
		if want, ok := pids[k]; !ok || want != pid[0] {
			t.Errorf("%+v: pid label %d, results say %d", k, pid[0], want)
		}
		seen[k] = true
	}
	if len(seen) != len(pids) {
		t.Errorf("samples from %d of %d tasks", len(seen), len(pids))
	}
}

// checkPprofTool runs go tool pprof as a user would.
func checkPprofTool(t *testing.T, prof string) {
	t.Helper()
	pprof := func(args ...string) string {
		out, err := exec.Command("go", append([]string{"tool", "pprof"}, append(args, prof)...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool pprof %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// -top: the first row after the header names the hot loop.
	top := pprof("-top")
	_, rows, _ := strings.Cut(top, "flat%")
	if lines := strings.Split(strings.TrimSpace(rows), "\n"); len(lines) < 2 || !strings.HasSuffix(lines[1], "proclab_hot_loop") {
		t.Errorf("go tool pprof -top:\n%s", top)
	}
	tags := pprof("-tags")
	for _, want := range []string{"method:", "fork", "spawn", "thread", "single", "pid:", "task:", "n_iters:"} {
		if !strings.Contains(tags, want) {
			t.Errorf("go tool pprof -tags lacks %q:\n%s", want, tags)
		}
	}
	// -tagfocus keeps fork's samples only: a quarter or so of the total.
	focus := pprof("-top", "-tagfocus=method=fork")
	if !strings.Contains(focus, "tagfocus=method=fork") || !strings.Contains(focus, "proclab_hot_loop") || strings.Contains(focus, "100% of") {
		t.Errorf("go tool pprof -tagfocus=method=fork:\n%s", focus)
	}
}

// Bad profile requests are bad input (exit 2) and leave no file behind.
func TestProfileFlagErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--profile", filepath.Join(dir, "p.pb.gz"), "--profile-hz", "0"}, "--profile needs --profile-hz above 0"},
		{[]string{"--profile", filepath.Join(dir, "missing", "p.pb.gz")}, "--profile:"},
		{[]string{"--cpuprofile", filepath.Join(dir, "missing", "c.pb.gz")}, "--cpuprofile:"},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		code := proclab(&stdout, &stderr, append([]string{"--n-iters", "1000", "--repeat", "1"}, tc.args...))
		if code != 2 || !strings.Contains(stderr.String(), tc.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}
