package lab

import (
	"context"
	"github.com/proclab/proclab/lab/results"
	"runtime"
	"testing"
)

// Each run records the lab's own footprint right before its first create:
// "parent 0" is not 0, and a 64 MiB ballast shows as about 64 MiB more
// anonymous memory.
func TestLabFootprintPerRun(t *testing.T) {
	res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Fork, results.Thread}, NTasks: 1, NIters: 1000,
		Repeat: 1, ParentRSS: []int64{0, 64 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	anon := map[int64]int64{}
	for _, r := range res.Runs {
		if r.LabRSSBytes <= 0 || r.LabAnonBytes <= 0 || r.LabVMAs <= 0 || r.LabPTEBytes <= 0 {
			t.Errorf("%s parent %d: rss %d anon %d vmas %d pte %d", r.Method, r.ParentRSSBytes,
				r.LabRSSBytes, r.LabAnonBytes, r.LabVMAs, r.LabPTEBytes)
		}
		if r.LabRSSBytes < r.LabAnonBytes || r.LabRSSBytes < r.ParentRSSBytes {
			t.Errorf("%s parent %d: rss %d below anon %d or the ballast", r.Method, r.ParentRSSBytes, r.LabRSSBytes, r.LabAnonBytes)
		}
		if r.Method == results.Fork {
			anon[r.ParentRSSBytes] = r.LabAnonBytes - r.LabDontForkBytes
		}
	}
	// The ballast is touched page by page, so it is resident and
	// anonymous, and a fork child inherits it; what else a child inherits
	// of the lab moves by a few MiB at most. (All of the lab's anonymous
	// memory moves with its Go heap too: in a test binary that has run
	// other tests first, the heap grew by 10 MiB between the two runs.)
	grew := anon[64<<20] - anon[0]
	if grew < 56<<20 || grew > 72<<20 {
		t.Errorf("anonymous memory grew by %d MiB with a 64 MiB ballast (%d → %d)", grew>>20, anon[0], anon[64<<20])
	}
}

func TestKBField(t *testing.T) {
	b := []byte("Rss:                1732 kB\nAnonymous:           116 kB\nVmPTE:\t      40 kB\nBad: 12\n")
	for name, want := range map[string]int64{"Rss": 1732 << 10, "Anonymous": 116 << 10, "VmPTE": 40 << 10} {
		if got, err := kBField(b, name); err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", name, got, err, want)
		}
	}
	for _, name := range []string{"Bad", "Missing", "Rs"} {
		if _, err := kBField(b, name); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The Go heap is kept out of fork children by default and inherited with
// InheritLabHeap; either way the run says which, and lab_dontfork_bytes is
// what the children did not get. A fork child's own RSS shows it: a 32 MiB
// Go slice of the lab is in the child only when inherited, and the 64 MiB
// ballast always.
func TestForkLabHeap(t *testing.T) {
	heap := make([]byte, 32<<20)
	for i := 0; i < len(heap); i += 4096 {
		heap[i] = 1
	}
	var rss []int64 // the child's, per run
	for _, inherit := range []bool{false, true, false} {
		res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1000,
			Repeat: 1, InheritLabHeap: inherit, ProfileHz: 1000, ParentRSS: []int64{64 << 20}})
		if err != nil {
			t.Fatal(err)
		}
		want := results.ForkLabHeapDontFork
		if inherit {
			want = results.ForkLabHeapInherit
		}
		if res.Spec.ForkLabHeap != want {
			t.Errorf("inherit %v: fork_lab_heap %q, want %q", inherit, res.Spec.ForkLabHeap, want)
		}
		r := res.Runs[0]
		task := r.Tasks[0]
		if task.Error != "" || task.EndRSSBytes == nil {
			t.Fatalf("inherit %v: task %+v", inherit, task)
		}
		childRSS := *task.EndRSSBytes
		rss = append(rss, childRSS)
		t.Logf("inherit %v: lab anon %d MiB, kept from the child %d MiB; child rss %d MiB", inherit,
			r.LabAnonBytes>>20, r.LabDontForkBytes>>20, childRSS>>20)
		if inherit {
			if r.LabDontForkBytes != 0 {
				t.Errorf("inherit: lab_dontfork_bytes %d, want 0", r.LabDontForkBytes)
			}
			if childRSS < 32<<20 {
				t.Errorf("inherit: the child's RSS %d is below the lab's 32 MiB Go slice", childRSS)
			}
		} else {
			if childRSS < 64<<20 {
				t.Errorf("dontfork: the child's RSS %d is below the 64 MiB ballast: the parent asked for was not inherited", childRSS)
			}
			if r.LabDontForkBytes < 32<<20 || r.LabDontForkBytes > r.LabAnonBytes {
				t.Errorf("dontfork: lab_dontfork_bytes %d, want the 32 MiB slice at least and at most lab_anon_bytes %d", r.LabDontForkBytes, r.LabAnonBytes)
			}
		}
	}
	// The first run marks the heap, the second undoes it, the third marks
	// it again (the race detector's shadow memory is in every child).
	if rss[1]-rss[0] < 24<<20 || rss[1]-rss[2] < 24<<20 {
		t.Errorf("the fork child's RSS: %d MiB kept out, %d inherited, %d kept out: the 32 MiB slice should make the difference", rss[0]>>20, rss[1]>>20, rss[2]>>20)
	}
	runtime.KeepAlive(heap)
}

func TestParseSmaps(t *testing.T) {
	smaps := "00400000-004ac000 r-xp 00000000 fe:00 10018914   /bin/x\nRss:  100 kB\nAnonymous: 0 kB\nVmFlags: rd ex mr mw me\n" +
		"be4000000-be6800000 rw-p 00000000 00:00 0 \nRss:  300 kB\nAnonymous: 300 kB\nVmFlags: rd wr mr mw me dc ac\n" +
		"7f00-7f10 rw-p 00000000 00:00 0  [heap]\nRss:  20 kB\nAnonymous: 12 kB\nVmFlags: rd wr mr mw me ac\n"
	fp, err := parseSmaps([]byte(smaps))
	if err != nil {
		t.Fatal(err)
	}
	if fp.vmas != 3 || fp.rss != 420<<10 || fp.anon != 312<<10 || fp.dontfork != 300<<10 {
		t.Errorf("parsed %+v", fp)
	}
	for _, bad := range []string{"", "7f00-7f10 rw-p 0 00:00 0\nRss: x kB\n", "7f00-7f10 rw-p 0 00:00 0\nAnonymous: 3 MB\n"} {
		if _, err := parseSmaps([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
