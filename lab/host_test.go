package lab

import (
	"context"
	"github.com/proclab/proclab/lab/results"
	"runtime"
	"testing"
)

func TestHost(t *testing.T) {
	h, warns := gatherHost(context.Background())
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	checkHost(t, h)
	// NumCPU counts the CPUs this process may use: no more than the host has.
	if h.GoVersion != runtime.Version() || h.CPUs < runtime.NumCPU() {
		t.Errorf("go %q cpus %d, runtime says %q %d", h.GoVersion, h.CPUs, runtime.Version(), runtime.NumCPU())
	}
	t.Logf("%+v", *h)
}

// checkHost checks the fields every result must carry.
func checkHost(t *testing.T, h *results.Host) {
	t.Helper()
	if h == nil {
		t.Fatal("no host metadata")
	}
	switch {
	case h.CPUModel == "", h.CPUs < 1, h.MemoryBytes <= 0, h.Kernel == "", h.GoVersion == "",
		h.ProclabVersion == "", h.Hostname == "", h.OS == "":
		t.Errorf("host metadata missing: %+v", *h)
	case len(h.LoadAvg) != 3:
		t.Errorf("load_avg %v, want 1, 5 and 15 minutes", h.LoadAvg)
	}
	switch h.THP {
	case "always", "madvise", "never":
	default:
		t.Errorf("thp %q, want always, madvise or never", h.THP)
	}
}

func TestBracketed(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never":                     "madvise",
		"[always] madvise never":                     "always",
		"always defer defer+madvise [madvise] never": "madvise",
		"tsc": "tsc",
		"":    "",
	} {
		if got := bracketed(in); got != want {
			t.Errorf("bracketed(%q) = %q, want %q", in, got, want)
		}
	}
}
