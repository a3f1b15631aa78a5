package lab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/proclab/proclab/csys"
)

// buildFloorProgram compiles csys's floor program (floorprog/floor_true.c,
// the smallest program worth exec'ing: static, no libc; it stamps fd 3 and
// exits) into dir with the C compiler ($CC, else cc) and returns its path.
// It fails where there is no C compiler or no stub for the architecture;
// /bin/true is the fallback then, which gives totals but no startup.
func buildFloorProgram(dir string) (string, error) {
	src := filepath.Join(dir, "floor_true.c")
	if err := os.WriteFile(src, csys.FloorProgramSource(), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "floor_true")
	cc := strings.Fields(os.Getenv("CC"))
	if len(cc) == 0 {
		cc = []string{"cc"}
	}
	args := append(cc[1:], "-static", "-nostdlib", "-O2", "-fno-stack-protector",
		"-fno-asynchronous-unwind-tables", "-Wl,--build-id=none", "-o", bin, src)
	if out, err := exec.Command(cc[0], args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the floor program with %s: %v: %s", cc[0], err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// tempFloorProgram builds the floor program in a new temporary directory
// (prefix names it) that cleanup removes. Where it cannot be built, prog
// is /bin/true and why says what failed; err is a directory that could
// not be made.
func tempFloorProgram(prefix string) (prog string, cleanup func(), why, err error) {
	dir, err := makeTempDir(prefix)
	if err != nil {
		return "", nil, nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if prog, why = buildFloorProgram(dir); why != nil {
		prog = "/bin/true"
	}
	return prog, cleanup, why, nil
}
