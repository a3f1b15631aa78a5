package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = proclab(&out, &errb, args)
	return code, out.String(), errb.String()
}

func TestOutWritesEveryExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	code, _, stderr := run(t, "--method", "fork,thread", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "2", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"results.json", "results.csv", "results.md", "bench.txt", "startup.png", "startup.svg"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	var doc map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if err := json.Unmarshal(b, &doc); err != nil || doc["schema"] != "proclab/v1" {
		t.Errorf("results.json: %v, schema %v", err, doc["schema"])
	}
	assertNoTempFiles(t, dir)
	// Every file the lab writes is one removeStale knows as the lab's.
	res, err := results.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range report.Exports(res) {
		if !isLabFile(e.Name) {
			t.Errorf("%s is not in labFiles or labFigures: an older one would be left beside a newer set", e.Name)
		}
	}
	for _, fig := range []string{"startup", "rss", "rss-live", "parent-rss", "speedup"} {
		if !isLabFile(fig+".png") || !isLabFile(fig+".svg") {
			t.Errorf("figure %s is not the lab's", fig)
		}
	}
}

// An unwritable --out is bad input, found before anything runs.
func TestOutUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--method", "fork", "--n-iters", "1000", "--out", filepath.Join(file, "sub")},
		{"compare", "--n-iters", "1000", "--n-tasks", "1", "--out", filepath.Join(file, "sub")},
	} {
		code, stdout, stderr := run(t, args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "--out") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing run, one line", args, code, stdout, stderr)
		}
	}
}

// A failed write leaves the old file whole and no temporary file behind.
func TestWriteFilesAtomic(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "results.json")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := writeFiles(dir, []report.Export{{Name: "results.json", Write: func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 1<<16)) // more than the buffer: reaches the temporary file
		return boom
	}}})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Errorf("target now holds %d bytes, want the old file", len(b))
	}
	assertNoTempFiles(t, dir)

	if err := writeFiles(dir, []report.Export{{Name: "results.json", Write: func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q, want new", b)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode())
	}
	assertNoTempFiles(t, dir)
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestCompareJSON(t *testing.T) {
	code, stdout, stderr := run(t, "compare", "--n_iters", "1000,100000", "--n_tasks", "1,2", "--repeat", "1", "--warmup", "0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not one JSON document: %v", err)
	}
	cells, ok := doc["cells"].([]any)
	if !ok || len(cells) != 4 {
		t.Fatalf("cells: %v", doc["cells"])
	}
	for _, c := range cells {
		cell := c.(map[string]any)
		for _, k := range []string{"n_iters", "n_tasks", "single_ns", "multi_ns", "thread_ns", "speedup"} {
			if _, ok := cell[k].(float64); !ok {
				t.Errorf("cell lacks number %q: %v", k, cell)
			}
		}
		if s := cell["single_ns"].(float64) / cell["multi_ns"].(float64); s/cell["speedup"].(float64) > 1.001 || s/cell["speedup"].(float64) < 0.999 {
			t.Errorf("speedup %v is not single over multi (%v)", cell["speedup"], s)
		}
	}
	if doc["schema"] != "proclab/v1" {
		t.Errorf("schema %v", doc["schema"])
	}
}

func TestCompareTable(t *testing.T) {
	code, stdout, stderr := run(t, "compare", "--n-iters", "1000", "--n-tasks", "1,2", "--repeat", "1", "--method", "spawn")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"single", "spawn", "thread", "speedup", "efficiency", "Crossover", "1 task:", "2 tasks:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^\s+[12]\s+1000\s`).FindAllString(stdout, -1)); n != 2 {
		t.Errorf("%d cell rows, want 2:\n%s", n, stdout)
	}
}

func TestCompareBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"compare", "--n-iters", "0"},
		{"compare", "--n-iters", "ten"},
		{"compare", "--n-tasks", "1,,2"},
		{"compare", "--method", "thread"},
		{"compare", "--method", "vfork"},
		{"compare", "--repeat", "0"},
		{"compare", "extra"},
		{"report"},
		{"report", "/nonexistent/dir"},
	} {
		code, stdout, stderr := run(t, args...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, stdout, stderr)
		}
	}
}

// An --out that is a symbolic link, or a directory another user owns or
// can write, is refused with one line before anything runs, unless
// --trust-out asks for it. Before, a link planted in /tmp sent the files
// wherever it pointed (8 files into /etc), and another user's directory
// was written into.
func TestOutNotTrusted(t *testing.T) {
	base := t.TempDir()
	target := filepath.Join(base, "target")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777) // past the umask
	cases := map[string]string{link: "is a symbolic link", open: "is writable by every user"}
	if os.Geteuid() == 0 {
		other := filepath.Join(base, "other")
		if err := os.Mkdir(other, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cases[other] = "belongs to uid 65534"
	}
	run := []string{"--method", "fork", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1"}
	for dir, want := range cases {
		assertBadInput(t, runLab(t, append(run, "--out", dir)...), "--out "+dir+" "+want, "--trust-out")
		assertBadInput(t, runLab(t, "compare", "--n-iters", "1000", "--n-tasks", "1", "--out", dir), want)
	}
	if ents, _ := os.ReadDir(target); len(ents) > 0 {
		t.Errorf("the link's target was written: %s", ents[0].Name())
	}
	if r := runLab(t, append(run, "--out", link, "--trust-out")...); r.code != 0 {
		t.Fatalf("--trust-out: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(target, "results.json")); err != nil {
		t.Errorf("--trust-out did not write through the link: %v", err)
	}
}

// An --out that holds an older run's files ends with this run's set only:
// the lab's files this run did not write (an older profile, live RSS
// plot, report of the older results) and a killed run's temporary files
// go; a file that is not the lab's stays. Before, they stayed beside the
// new results.
func TestOutReplacesTheSet(t *testing.T) {
	dir := t.TempDir()
	old := []string{"profile.pb.gz", "rss-live.png", "rss-live.svg", "report.md", "report.html", ".results.json.tmp-123"}
	mine := []string{"notes.txt", "results.json.bak", "speedup.txt"}
	for _, name := range append(append([]string{}, old...), mine...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runLab(t, "--method", "fork", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1",
		"--profile-hz", "0", "--sample-interval", "0", "--out", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, name := range old {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("the older %s is still there", name)
		}
	}
	for _, name := range append(mine, "results.json", "bench.txt", "startup.png") {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Two labs with the same --out: the second is refused with one line
// before anything runs, while the first holds the directory. Before,
// both wrote, and the set was a mix of the two (3 tries of 3).
func TestOutLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	first := startLab(t, nil, "--method", "fork", "--n-tasks", "1", "--n-iters", longIters, "--repeat", "1", "--out", dir)
	if !first.waitForTasks(t, 1) {
		first.wait(t)
		t.Fatalf("the first lab exited early: %s", first.errb.String())
	}
	assertBadInput(t, runLab(t, "--method", "fork", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1", "--out", dir),
		"--out "+dir+" is in use by another proclab run")
	assertBadInput(t, runLab(t, "compare", "--n-iters", "1000", "--n-tasks", "1", "--out", dir), "is in use")
	syscall.Kill(first.pid(), syscall.SIGINT)
	if code := first.wait(t); code != 130 {
		t.Errorf("first lab: exit %d: %s", code, first.errb.String())
	}
	// Free again once the first has gone.
	if r := runLab(t, "--method", "fork", "--n-tasks", "1", "--n-iters", "1000", "--repeat", "1", "--out", dir); r.code != 0 {
		t.Errorf("after the first: exit %d: %s", r.code, r.stderr)
	}
}
