package lab

import (
	"github.com/proclab/proclab/lab/results"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Warmup rounds run (every method, every round: progress counts them) and
// are not recorded: Warmup 2, Repeat 3 records rounds 0..2 of each method,
// in the interleaved order, and no more.
func TestWarmupNotRecorded(t *testing.T) {
	var calls []int
	res := runSpec(t, Spec{Methods: []results.Method{results.Fork, results.Thread}, NTasks: 1, NIters: 1000, Warmup: 2, Repeat: 3,
		Progress: func(done, total int) {
			if total != 10 {
				t.Errorf("progress total %d, want (2+3) rounds x 2 methods = 10", total)
			}
			calls = append(calls, done)
		}})
	if len(calls) != 10 || calls[9] != 10 {
		t.Errorf("progress calls %v, want 1..10", calls)
	}
	if res.Spec.Warmup != 2 || res.Spec.Repeat != 3 {
		t.Errorf("spec warmup %d repeat %d", res.Spec.Warmup, res.Spec.Repeat)
	}
	var got []string
	for _, r := range res.Runs {
		got = append(got, string(r.Method)+strconv.Itoa(r.Round))
	}
	if want := "fork0 thread0 fork1 thread1 fork2 thread2"; strings.Join(got, " ") != want {
		t.Errorf("runs %q, want %q", strings.Join(got, " "), want)
	}
	assertNoChildren(t)
}

// --parent-thp backs the ballast with transparent huge pages: while the
// run holds a 64 MiB ballast, the lab's AnonHugePages is tens of MiB
// higher with it than without it (the ballast is otherwise advised
// MADV_NOHUGEPAGE). Needs THP in madvise or always mode.
func TestParentTHPReachesBallast(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		t.Skipf("no transparent huge pages here: %v", err)
	}
	if strings.Contains(string(mode), "[never]") {
		t.Skipf("transparent huge pages are off (%s): --parent-thp cannot reach the ballast", strings.TrimSpace(string(mode)))
	}
	const ballast = 64 << 20
	huge := func(thp bool) int64 {
		var most int64 = -1
		runSpec(t, Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1000, ParentRSS: []int64{ballast}, ParentTHP: thp,
			// Called after each run, while the ballast is held.
			Progress: func(int, int) { most = max(most, anonHugePages(t)) }})
		return most
	}
	off, on := huge(false), huge(true)
	t.Logf("AnonHugePages while holding 64 MiB: %d MiB without --parent-thp, %d MiB with it", off>>20, on>>20)
	if on-off < ballast/2 {
		t.Errorf("--parent-thp adds %d MiB of huge pages to a 64 MiB ballast, want at least 32", (on-off)>>20)
	}
}

// anonHugePages reads this process's AnonHugePages (bytes).
func anonHugePages(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no AnonHugePages in /proc/self/smaps_rollup")
	return 0
}
