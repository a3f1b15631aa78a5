package lab

import (
	"context"
	"testing"
)

// Each run records the lab's own footprint right before its first create:
// "parent 0" is not 0, and a 64 MiB ballast shows as about 64 MiB more
// anonymous memory.
func TestLabFootprintPerRun(t *testing.T) {
	res, err := Run(context.Background(), Spec{Methods: []Method{Fork, Thread}, NTasks: 1, NIters: 1000,
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
		if r.Method == Fork {
			anon[r.ParentRSSBytes] = r.LabAnonBytes
		}
	}
	// The ballast is touched page by page, so it is resident and
	// anonymous; the rest of the lab moves by a few MiB at most.
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
