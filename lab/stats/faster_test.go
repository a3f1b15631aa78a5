package stats

import (
	"math"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The "N times faster" lines: the fastest row by median startup, each
// other row's ratio of medians (the table's startup ×), and an interval
// that is exact when nothing varies and widens with the runs' spread.
func TestFasterTables(t *testing.T) {
	res := result(
		// forkserver: 100 everywhere.
		run(results.Forkserver, 0, 1000, 100, 100, 100, 100),
		run(results.Forkserver, 1, 1000, 100, 100, 100, 100),
		// fork: median 250 (a mean would be 812.5): 2.5x.
		run(results.Fork, 0, 1000, 250, 250, 250, 2500),
		run(results.Fork, 1, 1000, 250, 250, 250, 2500),
		// spawn: runs at 400 and 800: median 600 of the pooled tasks.
		run(results.Spawn, 0, 1000, 400, 400, 400, 400),
		run(results.Spawn, 1, 1000, 800, 800, 800, 800),
		// single has no startup: never in the lines.
		results.RunResult{Method: results.Single, NTasks: 4, NIters: 1000, WallNS: 900},
	)
	rows := Rows(res)
	fs := FasterTables(rows)
	if len(fs) != 1 {
		t.Fatalf("%d tables, want 1", len(fs))
	}
	f := fs[0]
	if f.Fastest.Method != results.Forkserver || len(f.Others) != 2 {
		t.Fatalf("fastest %s, %d others", f.Fastest.Method, len(f.Others))
	}
	fork, spawn := f.Others[0], f.Others[1]
	if fork.Method != results.Fork || spawn.Method != results.Spawn {
		t.Fatalf("order %s, %s: want fork then spawn (smallest ratio first)", fork.Method, spawn.Method)
	}
	// Fork's resampled medians are 250 unless half the draws are its
	// 2500s: its interval starts at 2.5.
	if fork.Ratio != 2.5 || fork.Lo != 2.5 || fork.Hi < 2.5 {
		t.Errorf("fork: %v [%v, %v], want 2.5 with the interval starting there", fork.Ratio, fork.Lo, fork.Hi)
	}
	if spawn.Ratio != 6 {
		t.Errorf("spawn ratio %v, want 600/100 = 6", spawn.Ratio)
	}
	for _, s := range f.Others {
		row, _ := RowFor(rows, s.Key)
		if s.Ratio != row.StartupRatio {
			t.Errorf("%s: ratio %v, the table's startup × %v", s.Method, s.Ratio, row.StartupRatio)
		}
	}
	// Two runs at 400 and 800: a draw of both runs from one gives 4 or 8,
	// so the 95% interval reaches out to both.
	if spawn.Lo != 4 || spawn.Hi != 8 {
		t.Errorf("spawn interval [%v, %v], want [4, 8]: the runs are the unit", spawn.Lo, spawn.Hi)
	}
	// Seeded: the same results, the same intervals.
	again := FasterTables(Rows(res))[0]
	if again.Others[0].Lo != fork.Lo || again.Others[1].Lo != spawn.Lo || again.Others[1].Hi != spawn.Hi {
		t.Errorf("not reproducible: %v then %v", fork.Lo, again.Others[0].Lo)
	}
}

// Tasks within one run vary: a single run still gets an interval, from
// its tasks, containing the ratio; a different parent size is its own table.
func TestFasterTablesOneRun(t *testing.T) {
	a := run(results.Fork, 0, 1000, 90, 95, 100, 105, 110, 100, 98, 102)
	b := run(results.Spawn, 0, 1000, 180, 200, 220, 190, 210, 200, 205, 195)
	big := run(results.Fork, 0, 1000, 300, 300)
	big.ParentRSSBytes = 1 << 30
	fs := FasterTables(Rows(result(a, b, big)))
	if len(fs) != 1 {
		t.Fatalf("%d tables, want 1 (a table of one row has no line)", len(fs))
	}
	s := fs[0].Others[0]
	if math.Abs(s.Ratio-2) > 1e-12 || !(s.Lo < s.Ratio && s.Ratio < s.Hi) || s.Hi-s.Lo > 0.5 {
		t.Errorf("ratio %v [%v, %v], want 2 inside a narrow interval", s.Ratio, s.Lo, s.Hi)
	}
}
