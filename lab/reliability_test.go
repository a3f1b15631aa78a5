package lab

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

func testEnv(t *testing.T, s Spec) *env {
	t.Helper()
	e, err := newEnv(&s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	return e
}

// peakChildren is an observer that counts, each time a child is created,
// the children this process has in the kernel's view (zombies included).
type peakChildren struct {
	mu   sync.Mutex
	peak int
}

func (p *peakChildren) watch(int, int, int64) {
	n := len(childrenOf(os.Getpid()))
	p.mu.Lock()
	p.peak = max(p.peak, n)
	p.mu.Unlock()
}

func (p *peakChildren) unwatch(int) []results.Sample { return nil }
func (p *peakChildren) ended(int64)                  {}

// --max-procs caps the children alive at once; the tasks run in waves and
// all finish.
func TestMaxProcsWaves(t *testing.T) {
	for _, m := range []results.Method{results.Fork, results.Spawn} {
		t.Run(string(m), func(t *testing.T) {
			obs := &peakChildren{}
			e := testEnv(t, Spec{Methods: []results.Method{m}, NTasks: 30, NIters: 20_000_000, MaxProcs: 3})
			e.obs = obs
			tasks := e.runProcesses(context.Background(), e.starter(m))
			for i, tk := range tasks {
				if tk.Error != "" || tk.ExitCode == nil || *tk.ExitCode != 0 || !tk.ChecksumPending {
					t.Errorf("task %d: %+v", i, tk)
				}
			}
			if obs.peak > 3 || obs.peak < 2 {
				t.Errorf("peak of %d children alive at once, want 2 or 3 with --max-procs 3", obs.peak)
			}
			assertNoChildren(t)
		})
	}
}

// The thread method keeps to --max-procs too: the loops' intervals (from
// each task's own stamps) overlap at most MaxProcs deep, and MaxProcs deep
// at some moment. Each task runs its loop for some 50 ms or more (about
// 1.5 ns an iteration here, longer on a loaded machine), so the next task
// starts while one still runs: the overlap is about wall time, not CPUs.
func TestMaxProcsThreads(t *testing.T) {
	const maxProcs = 3
	res := runSpec(t, Spec{Methods: []results.Method{results.Thread}, NTasks: 9, NIters: 40_000_000, MaxProcs: maxProcs})
	var spans [][2]int64
	for _, tk := range res.Runs[0].Tasks {
		if !tk.Good() || tk.StartupNS == nil {
			t.Fatalf("task %d: %+v", tk.Task, tk)
		}
		start := tk.Stamps.CreateNS + *tk.StartupNS
		spans = append(spans, [2]int64{start, start + tk.RunNS})
	}
	if depth := maxOverlap(spans); depth != maxProcs {
		t.Errorf("at most %d loops ran at once, want exactly %d (--max-procs %d): %v", depth, maxProcs, maxProcs, spans)
	}
}

// maxOverlap is the most intervals [start, end) that hold one moment.
func maxOverlap(spans [][2]int64) int {
	type edge struct {
		t     int64
		delta int
	}
	var edges []edge
	for _, s := range spans {
		edges = append(edges, edge{s[0], +1}, edge{s[1], -1})
	}
	// Ends before starts at the same instant: [a, b) and [b, c) do not overlap.
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.delta, b.delta)) })
	depth, most := 0, 0
	for _, e := range edges {
		depth += e.delta
		most = max(most, depth)
	}
	return most
}

func TestMaxOverlap(t *testing.T) {
	for _, tc := range []struct {
		spans [][2]int64
		want  int
	}{
		{nil, 0},
		{[][2]int64{{0, 10}}, 1},
		{[][2]int64{{0, 10}, {10, 20}}, 1},
		{[][2]int64{{0, 10}, {9, 20}}, 2},
		{[][2]int64{{0, 100}, {10, 20}, {15, 30}, {40, 50}}, 3},
	} {
		if got := maxOverlap(tc.spans); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.spans, got, tc.want)
		}
	}
}

// A cancelled run kills and reaps its children and returns what it has,
// marked incomplete (here under the race detector, in-process).
func TestCancelKillsAndReaps(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(childrenOf(os.Getpid())) < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	res, err := Run(ctx, Spec{Methods: []results.Method{results.Fork, results.Spawn}, NTasks: 2, NIters: 1 << 40, Repeat: 3})
	if err != context.Canceled || !res.Incomplete || len(res.Runs) != 1 {
		t.Fatalf("err %v incomplete %v runs %d", err, res != nil && res.Incomplete, len(res.Runs))
	}
	for _, tk := range res.Runs[0].Tasks {
		if tk.Error != "interrupted: killed by the lab" {
			t.Errorf("task %d: %q", tk.Task, tk.Error)
		}
	}
	assertNoChildren(t)
}

// A task past its timeout is killed and reported as timed out.
func TestTimeoutKills(t *testing.T) {
	res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Fork}, NTasks: 2, NIters: 1 << 40, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range res.Runs[0].Tasks {
		if !tk.TimedOut || tk.Signal == nil || !strings.HasPrefix(tk.Error, "timed out") {
			t.Errorf("task %d: %+v", tk.Task, tk)
		}
	}
	assertNoChildren(t)
}

// Records come from children, and are not trusted: a real child (a shell)
// writes each of these byte strings as its record, and the lab reports
// what is wrong with it.
func TestBadRecordsFromRealChildren(t *testing.T) {
	good := csys.Record{Version: csys.ProtocolVersion, PID: 1, NIters: 1000, TaskStartNS: 10, TaskEndNS: 20}
	enc := func(edit func(r *csys.Record)) []byte {
		r := good
		if edit != nil {
			edit(&r)
		}
		return csys.AppendRecord(nil, &r)
	}
	withSamples := enc(func(r *csys.Record) { r.Samples = []uint64{1, 2, 3, 4} })
	patch := func(b []byte, off int, v uint32) []byte {
		b = append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	cases := []struct {
		name   string
		record []byte
		script string // instead of writing the record
		want   string
	}{
		{"nothing", nil, "exit 0", "ended before reporting"},
		{"exit status", nil, "exit 3", "exited with status 3 before reporting"},
		{"short header", enc(nil)[:40], "", fmt.Sprintf("bad record: short header: 40 of %d bytes", csys.RecordHeaderSize)},
		{"bad magic", patch(enc(nil), 0, 0xdeadbeef), "", "bad record: magic 0xdeadbeef"},
		{"wrong version", enc(func(r *csys.Record) { r.Version = csys.ProtocolVersion + 1 }), "", fmt.Sprintf("bad record: version %d, want %d", csys.ProtocolVersion+1, csys.ProtocolVersion)},
		{"short samples", withSamples[:len(withSamples)-12], "", "bad record: short samples: 20 of 32 bytes"},
		{"too many samples", patch(enc(nil), 84, csys.MaxSamples+1), "", "samples, at most"},
		{"stamps out of order", enc(func(r *csys.Record) { r.TaskEndNS = 5 }), "", "task stamps 10..5 out of order"},
		{"another process's record", enc(nil), "", "bad record: from pid 1, want"},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			script := tc.script
			if script == "" {
				f := filepath.Join(dir, tc.name)
				if err := os.WriteFile(f, tc.record, 0o644); err != nil {
					t.Fatal(err)
				}
				script = `cat "$1" >&3`
			}
			e := testEnv(t, Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1000})
			start := e.reaped(func(_ csys.Task, w int) (csys.Created, error) {
				return csys.Spawn("/bin/sh", []string{"sh", "-c", script, "sh", filepath.Join(dir, tc.name)}, w)
			}, 0)
			tk := e.runProcesses(context.Background(), start)[0]
			if !strings.Contains(tk.Error, tc.want) || tk.ChecksumPending {
				t.Errorf("case %d: error %q, want it to contain %q", i, tk.Error, tc.want)
			}
			assertNoChildren(t)
		})
	}
}
