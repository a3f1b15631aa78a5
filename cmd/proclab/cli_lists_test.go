package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The tutorial's experiment 1, word for word, runs (before: unknown
// command "10000"); list values may be space-separated, comma-separated or
// given by repeating the flag, in both spellings, and accumulate (before:
// a repeated flag kept only its last value). Issue 12.
func TestTutorialListSpelling(t *testing.T) {
	// Word for word, plus the flags that keep a test short.
	r := runLab(t, "compare", "--n_iters", "1000", "10000", "--n_tasks", "1", "2", "3", "4", "--repeat", "1", "--warmup", "0", "--json")
	if r.code != 0 {
		t.Fatalf("the tutorial's command: exit %d: %s", r.code, r.stderr)
	}
	var want [][2]int
	for _, it := range []int{1000, 10000} {
		for _, nt := range []int{1, 2, 3, 4} {
			want = append(want, [2]int{it, nt})
		}
	}
	if got := compareCells(t, r.stdout); !slices.Equal(got, want) {
		t.Errorf("cells %v, want %v", got, want)
	}

	r = runLab(t, "compare", "--n-iters", "1000", "--n_iters", "1e4", "--n-tasks", "1,2", "--n-tasks", "3", "--repeat", "1", "--warmup", "0", "--json")
	if r.code != 0 {
		t.Fatalf("repeated flags: exit %d: %s", r.code, r.stderr)
	}
	want = [][2]int{{1000, 1}, {1000, 2}, {1000, 3}, {10000, 1}, {10000, 2}, {10000, 3}}
	if got := compareCells(t, r.stdout); !slices.Equal(got, want) {
		t.Errorf("repeated and comma lists: cells %v, want %v", got, want)
	}

	// --method fork spawn on the run command: both rows, in that order.
	r = runLab(t, "--method", "fork", "spawn", "--n_tasks", "1", "--n-iters", "1000", "--repeat", "1", "--json")
	if r.code != 0 {
		t.Fatalf("--method fork spawn: exit %d: %s", r.code, r.stderr)
	}
	res := decodeResult(t, r.stdout)
	var ms []results.Method
	for _, run := range res.Runs {
		ms = append(ms, run.Method)
	}
	if !slices.Equal(ms, []results.Method{results.Fork, results.Spawn}) {
		t.Errorf("--method fork spawn ran %v", ms)
	}
}

// foldListArgs folds only list items: never a subcommand, a path, a value
// of a flag that is not a list, or anything after "--".
func TestFoldListArgs(t *testing.T) {
	root := newRootCmd(nil, nil)
	for _, tc := range []struct{ in, want string }{
		{"compare --n_iters 1000 10000 --n_tasks 1 2", "compare --n_iters 1000 --n-iters=10000 --n_tasks 1 --n-tasks=2"},
		{"--method fork spawn --n-tasks 2", "--method fork --method=spawn --n-tasks 2"},
		{"--method=fork spawn", "--method=fork --method=spawn"},
		{"--n-tasks 2 3", "--n-tasks 2 3"}, // the run command's --n-tasks is one count: "3" stays an argument (refused)
		{"--json --method fork compare", "--json --method fork compare"},
		{"report 123", "report 123"},
		{"compare --json 1000", "compare --json 1000"}, // --json takes no value: 1000 is not its item
		{"compare --method spawn fork", "compare --method spawn --method=fork"},
		{"compare --n-iters 10 -- 20", "compare --n-iters 10 -- 20"},
		{"calibrate --rate-tasks 100 1000", "calibrate --rate-tasks 100 --rate-tasks=1000"},
	} {
		got := strings.Join(foldListArgs(root, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("%s\n\tgot  %s\n\twant %s", tc.in, got, tc.want)
		}
	}
}
