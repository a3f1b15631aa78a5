package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Every count of every command goes through one parser (number.go): plain
// decimal, 10_000 and 1e3 are read the same by the run command, compare
// and calibrate; octal-looking, hex, signed and suffixed numbers are
// refused with one line and exit status 2. Before, --n-tasks 010 ran 8
// tasks, 0x10 ran 16, +4 was taken, and 1e3 was refused by the run
// command but taken by compare (issue 11 item 17, issue 12).
func TestOneNumberParser(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want int // tasks run; 0: refused
		msg  string
	}{
		{"3", 3, ""},
		{"1e0", 1, ""},
		{"2.0e0", 2, ""},
		{"0_2", 0, "leading zero"},
		{"1_0", 10, ""},
		{"010", 0, "leading zero"},
		{"0x10", 0, "not a decimal number"},
		{"0o10", 0, "not a decimal number"},
		{"+4", 0, "without a sign"},
		{"4M", 0, "no unit suffix"},
		{"1.5", 0, "not a whole number"},
		{"1e-1", 0, "not a whole number"},
		{"1__0", 0, "not a whole number"},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			r := runLab(t, "--method", "thread", "--n-tasks", tc.arg, "--n-iters", "1e3", "--repeat", "1", "--json")
			if tc.want == 0 {
				assertBadInput(t, r, "--n-tasks: ", tc.msg)
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			res := decodeResult(t, r.stdout)
			if n := len(res.Runs[0].Tasks); n != tc.want {
				t.Errorf("--n-tasks %s ran %d tasks, want %d", tc.arg, n, tc.want)
			}
			if res.Spec.NIters != 1000 {
				t.Errorf("--n-iters 1e3 read as %d", res.Spec.NIters)
			}
		})
	}
	// The same syntax in compare and calibrate.
	assertBadInput(t, runLab(t, "compare", "--n-tasks", "010"), "--n-tasks: ", "leading zero")
	assertBadInput(t, runLab(t, "compare", "--n-iters", "1000", "0x10"), "--n-iters: ", "not a decimal number")
	assertBadInput(t, runLab(t, "compare", "--repeat", "+2"), "--repeat: ", "without a sign")
	assertBadInput(t, runLab(t, "calibrate", "--n", "0x10"), "--n: ", "not a decimal number")
	assertBadInput(t, runLab(t, "calibrate", "--rate-tasks", "1k"), "--rate-tasks: ", "no unit suffix")
	r := runLab(t, "compare", "--n-iters", "1_000", "--n-tasks", "1e0", "--repeat", "1e0", "--warmup", "0", "--json")
	if r.code != 0 {
		t.Fatalf("compare with 1_000 and 1e0: exit %d: %s", r.code, r.stderr)
	}
	if got := compareCells(t, r.stdout); !slices.Equal(got, [][2]int{{1000, 1}}) {
		t.Errorf("cells %v, want [[1000 1]]", got)
	}
}

// Refusing a value is one line on stderr starting "proclab: " and holding
// each of want, exit status 2, nothing on stdout.
func assertBadInput(t *testing.T, r labRun, want ...string) {
	t.Helper()
	msg := strings.TrimSuffix(r.stderr, "\n")
	if r.code != 2 || r.stdout != "" || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "proclab: ") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line", r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("stderr %q lacks %q", msg, w)
		}
	}
}

// compareCells lists the (n_iters, n_tasks) of a compare JSON document's
// cells, sorted.
func compareCells(t *testing.T, stdout string) [][2]int {
	t.Helper()
	var doc struct {
		Cells []struct {
			NIters int `json:"n_iters"`
			NTasks int `json:"n_tasks"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not one JSON document: %v", err)
	}
	var out [][2]int
	for _, c := range doc.Cells {
		out = append(out, [2]int{c.NIters, c.NTasks})
	}
	slices.SortFunc(out, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	return slices.Compact(out)
}

// A method named twice is refused, whichever way it is named twice
// (before: merged silently into one row; issue 11 item 18).
func TestMethodNamedTwice(t *testing.T) {
	for _, args := range [][]string{
		{"--method", "fork,fork"},
		{"--method", "fork", "--method", "fork"},
		{"--method", "fork", "spawn", "fork"},
		{"--method", "all,fork"},
		{"calibrate", "--method", "spawn,spawn"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runLab(t, append(args, "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1")...)
			if args[0] == "calibrate" {
				r = runLab(t, args...)
			}
			assertBadInput(t, r, "--method: ")
			if !strings.Contains(r.stderr, "named twice") && !strings.Contains(r.stderr, "all stands alone") {
				t.Errorf("stderr %q does not say a method is named twice", r.stderr)
			}
		})
	}
}
