package csys

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The record checks of issue 10 item 9: what a record says about itself
// (flags and the stamps they promise, stamp order, memory order), checked
// by the decoder, and what the lab expects of its child (parent, flags of
// the method, stamps after the create call), checked by Record.Check.

const (
	testLab    = 4242 // the lab's pid, as a test's Expect names it
	testCreate = 1000 // the create call's stamp
)

// goodFork is a well-formed record of a fork child of testLab.
func goodFork() Record {
	return Record{Version: ProtocolVersion, Task: 3, PID: 42, PPID: testLab, NIters: 1000, Checksum: 0xfeed,
		TaskStartNS: 1100, TaskEndNS: 1200, MemReadNS: 1300, TaskCPUNS: 90, ProfileHz: 250,
		HWMBytes: 3 << 20, EndRSSBytes: 2 << 20, EndPSSBytes: 1 << 20, EndUSSBytes: 512 << 10,
		Samples: []uint64{0x401000, 0x401008}}
}

// goodWorker is a well-formed record of a re-exec'd worker of testLab.
func goodWorker() Record {
	r := goodFork()
	r.Flags = FlagExeced | FlagGoRuntime
	r.ExecDoneNS, r.RuntimeReadyNS = 1020, 1050
	return r
}

var forkExpect = Expect{PPID: testLab, Flags: 0, CreateNS: testCreate}
var workerExpect = Expect{PPID: testLab, Flags: FlagExeced | FlagGoRuntime, CreateNS: testCreate}

// decodeErrors: records the decoder must refuse, each for one check.
var decodeErrors = []struct {
	name string
	edit func(*Record)
	want string
}{
	{"unknown-flags", func(r *Record) { r.Flags = 0x4 }, "unknown flags 0x4"},
	{"runtime-without-exec", func(r *Record) { r.Flags, r.RuntimeReadyNS = FlagGoRuntime, 1050 }, "a Go runtime of its own without an exec"},
	{"exec-flag-without-stamp", func(r *Record) { r.Flags = FlagExeced }, "flags 0x1 with exec_done 0"},
	{"exec-stamp-without-flag", func(r *Record) { r.ExecDoneNS = 1020 }, "flags 0x0 with exec_done 1020"},
	{"runtime-stamp-without-flag", func(r *Record) { r.Flags, r.ExecDoneNS, r.RuntimeReadyNS = FlagExeced, 1020, 1050 }, "flags 0x1 with runtime_ready 1050"},
	{"exec-after-task-start", func(r *Record) { *r = goodWorker(); r.ExecDoneNS = 1150 }, "exec_done 1150 not before task_start 1100"},
	{"runtime-before-exec", func(r *Record) { *r = goodWorker(); r.RuntimeReadyNS = 1010 }, "runtime_ready 1010 not between exec_done 1020 and task_start 1100"},
	{"runtime-after-task-start", func(r *Record) { *r = goodWorker(); r.RuntimeReadyNS = 1101 }, "runtime_ready 1101 not between"},
	{"mem-read-before-task-end", func(r *Record) { r.MemReadNS = 1199 }, "memory read at 1199, before task_end 1200"},
	{"task-cpu-negative", func(r *Record) { r.TaskCPUNS = -5 }, "task_cpu -5"},
	{"negative-hwm", func(r *Record) { r.HWMBytes = -1 }, "negative memory figure"},
	{"uss-above-pss", func(r *Record) { r.EndUSSBytes = r.EndPSSBytes + 4096 }, "memory figures out of order"},
	{"pss-above-rss", func(r *Record) { r.EndPSSBytes = r.EndRSSBytes + 4096 }, "memory figures out of order"},
}

// checkErrors: well-formed records that do not answer what the lab expects.
var checkErrors = []struct {
	name   string
	rec    func() Record
	expect Expect
	want   string
}{
	{"wrong-ppid", goodFork, Expect{PPID: testLab + 1, CreateNS: testCreate}, fmt.Sprintf("from a child of pid %d, want %d", testLab, testLab+1)},
	{"forkserver-child-naming-the-lab", goodFork, Expect{PPID: 777, CreateNS: testCreate}, "from a child of pid 4242, want 777"},
	{"worker-flags-from-fork-method", goodWorker, forkExpect, "flags 0x3, want 0x0"},
	{"fork-flags-from-worker-method", goodFork, workerExpect, "flags 0x0, want 0x3"},
	{"task-start-before-create", goodFork, Expect{PPID: testLab, CreateNS: 1101}, "first stamp 1100 before the create call at 1101"},
	{"exec-done-before-create", goodWorker, Expect{PPID: testLab, Flags: workerExpect.Flags, CreateNS: 1021}, "first stamp 1020 before the create call at 1021"},
}

func TestRecordDecoderChecks(t *testing.T) {
	for _, good := range []Record{goodFork(), goodWorker()} {
		if _, err := ReadRecord(bytes.NewReader(AppendRecord(nil, &good))); err != nil {
			t.Fatalf("good record %+v refused: %v", good, err)
		}
	}
	for _, tc := range decodeErrors {
		r := goodFork()
		tc.edit(&r)
		_, err := ReadRecord(bytes.NewReader(AppendRecord(nil, &r)))
		var re *RecordError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a RecordError containing %q", tc.name, err, tc.want)
		}
	}
}

func TestRecordCheck(t *testing.T) {
	if r := goodFork(); r.Check(forkExpect) != nil {
		t.Errorf("good fork record: %v", r.Check(forkExpect))
	}
	if r := goodWorker(); r.Check(workerExpect) != nil {
		t.Errorf("good worker record: %v", r.Check(workerExpect))
	}
	// A stamp equal to the create stamp is in order (one clock, same tick).
	if r := goodFork(); r.Check(Expect{PPID: testLab, CreateNS: r.TaskStartNS}) != nil {
		t.Errorf("task start at the create stamp refused")
	}
	for _, tc := range checkErrors {
		r := tc.rec()
		err := r.Check(tc.expect)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// FuzzCheckRecord: whatever the bytes and the expectation, a record that
// both the decoder and Check accept answers the expectation, and its
// stamps and memory figures stand in order.
func FuzzCheckRecord(f *testing.F) {
	w := goodWorker()
	f.Add(AppendRecord(nil, &w), testLab, uint32(workerExpect.Flags), int64(testCreate))
	f.Fuzz(func(t *testing.T, b []byte, ppid int, flags uint32, createNS int64) {
		r, err := ReadRecord(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := r.Check(Expect{PPID: ppid, Flags: flags, CreateNS: createNS}); err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a RecordError", err, err)
			}
			return
		}
		first := r.TaskStartNS
		if r.ExecDoneNS != 0 {
			first = r.ExecDoneNS
		}
		switch {
		case int(r.PPID) != ppid || r.Flags != flags || first < createNS:
			t.Fatalf("accepted %+v against ppid %d, flags %#x, create %d", r, ppid, flags, createNS)
		case r.ExecDoneNS > r.TaskStartNS || r.RuntimeReadyNS != 0 && (r.RuntimeReadyNS < r.ExecDoneNS || r.RuntimeReadyNS > r.TaskStartNS):
			t.Fatalf("accepted stamps out of order: %+v", r)
		case r.TaskStartNS > r.TaskEndNS || r.MemReadNS != 0 && r.MemReadNS < r.TaskEndNS:
			t.Fatalf("accepted stamps out of order: %+v", r)
		case r.EndUSSBytes > r.EndPSSBytes || r.EndPSSBytes > r.EndRSSBytes || r.HWMBytes < 0 || r.EndUSSBytes < 0:
			t.Fatalf("accepted memory figures out of order: %+v", r)
		}
	})
}

// The seed corpus under testdata/fuzz is generated here: with
// PROCLAB_WRITE_CORPUS=1 this test (re)writes it, otherwise it checks the
// committed files are what it would write (so a layout change cannot leave
// stale seeds that no longer reach the decoder's checks). The seed from a
// real fork child is taken from a real child, and only written.
func TestFuzzCorpus(t *testing.T) {
	write := os.Getenv("PROCLAB_WRITE_CORPUS") == "1"
	enc := func(edit func(*Record)) []byte {
		r := goodFork()
		if edit != nil {
			edit(&r)
		}
		return AppendRecord(nil, &r)
	}
	patch16 := func(b []byte, off int, v uint16) []byte { b[off], b[off+1] = byte(v), byte(v>>8); return b }
	patch32 := func(b []byte, off int, v uint32) []byte {
		for i := range 4 {
			b[off+i] = byte(v >> (8 * i))
		}
		return b
	}
	valid := enc(nil)
	header := map[string][]byte{
		"empty":            {},
		"valid":            valid,
		"valid-worker":     enc(func(r *Record) { *r = goodWorker() }),
		"short-header":     valid[:40],
		"short-samples":    valid[:len(valid)-3],
		"trailing-bytes":   append(enc(nil), 1, 2, 3, 4, 5),
		"bad-magic":        patch32(enc(nil), 0, 0xdeadbeef),
		"old-version-1":    patch16(enc(nil), 4, 1),
		"header-size-96":   patch16(enc(nil), 6, 96),
		"pid-zero":         enc(func(r *Record) { r.PID = 0 }),
		"stamps-reversed":  enc(func(r *Record) { r.TaskEndNS = r.TaskStartNS - 1 }),
		"too-many-samples": patch32(enc(nil), 84, MaxSamples+1),
	}
	for _, tc := range decodeErrors {
		header[tc.name] = enc(tc.edit)
	}
	check := map[string]string{}
	for _, tc := range checkErrors {
		r := tc.rec()
		check[tc.name] = fuzzFile(AppendRecord(nil, &r), tc.expect)
	}
	check["valid-fork"] = fuzzFile(valid, forkExpect)
	check["valid-worker"] = fuzzFile(header["valid-worker"], workerExpect)

	want := map[string]string{}
	for name, b := range header {
		for _, target := range []string{"FuzzDecodeHeader", "FuzzReadRecord"} {
			want[filepath.Join(target, name)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		}
	}
	for name, s := range check {
		want[filepath.Join("FuzzCheckRecord", name)] = s
	}
	const real = "real-fork-child-with-samples"
	if write {
		_, rec, _ := runChild(t, func(w int) (Created, error) {
			return ForkRun(Task{Index: 1, NIters: 200_000_000, ProfileHz: 1000}, w)
		})
		b := AppendRecord(nil, &rec)
		want[filepath.Join("FuzzDecodeHeader", real)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		want[filepath.Join("FuzzReadRecord", real)] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		want[filepath.Join("FuzzCheckRecord", real)] = fuzzFile(b, Expect{PPID: int(rec.PPID), CreateNS: rec.TaskStartNS})
		for _, target := range []string{"FuzzDecodeHeader", "FuzzReadRecord", "FuzzCheckRecord"} {
			os.RemoveAll(filepath.Join("testdata/fuzz", target))
			if err := os.MkdirAll(filepath.Join("testdata/fuzz", target), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for name, s := range want {
			if err := os.WriteFile(filepath.Join("testdata/fuzz", name), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, s := range want {
		b, err := os.ReadFile(filepath.Join("testdata/fuzz", name))
		if err != nil || string(b) != s {
			t.Errorf("testdata/fuzz/%s is missing or stale (%v): rerun with PROCLAB_WRITE_CORPUS=1", name, err)
		}
	}
	for _, target := range []string{"FuzzDecodeHeader", "FuzzReadRecord", "FuzzCheckRecord"} {
		b, err := os.ReadFile(filepath.Join("testdata/fuzz", target, real))
		if err != nil {
			t.Errorf("%s: no seed from a real child: %v", target, err)
			continue
		}
		if !bytes.Contains(b, []byte(`[]byte("PLRC`)) {
			t.Errorf("%s/%s: no record in it", target, real)
		}
	}
}

func fuzzFile(b []byte, e Expect) string {
	return fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nint(%d)\nuint32(%d)\nint64(%d)\n", b, e.PPID, e.Flags, e.CreateNS)
}
