package results

import (
	"os/exec"
	"strings"
	"testing"
)

// The documents, the statistics and the renderers are pure Go: none of
// them reaches cgo, the lab, csys or gopsutil, so `proclab report` and
// `proclab diff` and every renderer build and test without a C compiler.
func TestPureGo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for _, pkg := range []string{"results", "stats", "report", "symbols"} {
		out, err := exec.Command(goTool, "list", "-deps", "github.com/proclab/proclab/lab/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			switch {
			case dep == "runtime/cgo", dep == "github.com/proclab/proclab/lab", strings.HasPrefix(dep, "github.com/proclab/proclab/csys"),
				strings.HasPrefix(dep, "github.com/shirou/gopsutil"):
				t.Errorf("lab/%s depends on %s", pkg, dep)
			}
		}
	}
}
