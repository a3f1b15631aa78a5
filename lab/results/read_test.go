package results

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeDoc(t *testing.T, doc string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(name, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// Results written before checksums became strings are read, all 64 bits
// of them; today's string form too.
func TestReadOldNumericChecksums(t *testing.T) {
	for _, doc := range []string{
		`{"schema":"proclab/v1","spec":{},"runs":[{"method":"fork","tasks":[{"task":0,"checksum":18446744073709551615}]}]}`,
		`{"schema":"proclab/v1","spec":{},"runs":[{"method":"fork","tasks":[{"task":0,"checksum":"18446744073709551615"}]}]}`,
	} {
		res, err := ReadFile(writeDoc(t, doc))
		if err != nil || res.Runs[0].Tasks[0].Checksum != math.MaxUint64 {
			t.Fatalf("%s: %v %+v", doc, err, res)
		}
	}
}

// A document written is the document read back.
func TestRoundTrip(t *testing.T) {
	one := int64(250_000)
	res := &Result{Schema: Schema, Spec: SpecInfo{Methods: []Method{Fork}, NTasks: 1, NIters: 7, ParentRSSBytes: []int64{0}},
		Runs: []RunResult{{Method: Fork, NTasks: 1, NIters: 7, WallNS: 9, Tasks: []Task{{Task: 0, PID: 3, StartupNS: &one, TotalNS: 8,
			Checksum: math.MaxUint64 - 1, ChecksumOK: Ptr(true), Stamps: Stamps{CreateNS: 1, ReapedNS: 9}}}}}}
	var buf bytes.Buffer
	if err := Encode(&buf, res); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, res)
	}
}

// What cannot be a measurement is refused with the place it is in, rather
// than printed as a figure: a negative duration, int64's largest, a null
// task, an unknown method, another schema.
func TestCheckRefusesImpossibleFigures(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0,"startup_ns":-1000000}]}]}`, "runs[0].tasks[0].startup_ns is -1000000"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0,"total_ns":9223372036854775807}]}]}`, "runs[0].tasks[0].total_ns"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0},null]}]}`, "a task is null"},
		{`{"schema":"proclab/v1","runs":[{"method":"frok","tasks":[]}]}`, `unknown method "frok"`},
		{`{"schema":"proclab/v1","spec":{"methods":["vfrok"]},"runs":[]}`, `unknown method "vfrok"`},
		{`{"schema":"proclab/v9","runs":[]}`, `schema "proclab/v9"`},
		{`{"runs":[]}`, "no schema"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","wall_ns":-5,"tasks":[]}]}`, "runs[0].wall_ns is -5"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0,"run_ns":-1}]}]}`, "runs[0].tasks[0].run_ns is -1"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0,"run_ns":2592000000000001}]}]}`, "more than 30 days"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0,"hwm_bytes":-1}]}]}`, "hwm_bytes is -1"},
		{`{"schema":"proclab/v1","runs":[{"method":"fork","tasks":[{"task":0,"checksum":"-3"}]}]}`, "checksum"},
		{`not json at all`, "not a proclab results document"},
	} {
		_, err := ReadFile(writeDoc(t, c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.doc, err, c.want)
		}
		if err != nil && strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%s: a multi-line error: %q", c.doc, err)
		}
	}
}

// What is read is bounded: a device is not a document, and a file larger
// than any results document is refused before it is read.
func TestReadIsBounded(t *testing.T) {
	if _, err := ReadFile("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero: %v", err)
	}
	big := filepath.Join(t.TempDir(), "results.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxDocumentBytes + 1); err != nil { // sparse: no disk used
		t.Skipf("cannot make a sparse file here: %v", err)
	}
	f.Close()
	if _, err := ReadFile(big); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a %d-byte file: %v", int64(MaxDocumentBytes+1), err)
	}
	// A stream past the bound is cut there.
	_, err = Decode(strings.NewReader(`{"schema":"proclab/v1","warnings":["` + strings.Repeat("x", 10) + `"]}`))
	if err != nil {
		t.Errorf("a small stream: %v", err)
	}
}

// ReadParts reads a results.json, a directory written by --out, and a lab
// tree, in the tree's order; a directory with none says so.
func TestReadParts(t *testing.T) {
	doc := `{"schema":"proclab/v1","spec":{"methods":["fork"]},"runs":[]}`
	tree := t.TempDir()
	for _, part := range []string{"methods", "compare"} {
		os.MkdirAll(filepath.Join(tree, part), 0o755)
		os.WriteFile(filepath.Join(tree, part, "results.json"), []byte(doc), 0o644)
		os.WriteFile(filepath.Join(tree, part, "bench.txt"), nil, 0o644)
	}
	os.MkdirAll(filepath.Join(tree, "empty"), 0o755)
	parts, err := ReadParts(tree)
	if err != nil || len(parts) != 2 || parts[0].Name != "compare" || parts[1].Name != "methods" ||
		!reflect.DeepEqual(parts[1].Files, []string{"bench.txt", "results.json"}) {
		t.Fatalf("tree: %v %+v", err, parts)
	}
	out := filepath.Join(tree, "methods")
	if parts, err := ReadParts(out); err != nil || len(parts) != 1 || parts[0].Name != "." {
		t.Errorf("--out dir: %v %+v", err, parts)
	}
	if parts, err := ReadParts(filepath.Join(out, "results.json")); err != nil || len(parts) != 1 {
		t.Errorf("results.json: %v %+v", err, parts)
	}
	if _, err := ReadParts(filepath.Join(tree, "empty")); err == nil || !strings.Contains(err.Error(), "holds no results.json") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := ReadParts(filepath.Join(tree, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
