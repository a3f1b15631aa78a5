package csys

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// floorProgram builds the static floor program, or skips where there is
// no C compiler (the cgo build of this package had one, so that is rare).
func floorProgram(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "floor_true")
	src := p + ".c"
	if err := os.WriteFile(src, FloorProgramSource(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The flags of lab/floorprog.go.
	out, err := exec.Command("cc", "-static", "-nostdlib", "-O2", "-fno-stack-protector",
		"-fno-asynchronous-unwind-tables", "-Wl,--build-id=none", "-o", p, src).CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%v: %s", err, out)
		if _, lerr := exec.LookPath("cc"); lerr != nil {
			t.Skipf("no C compiler: %v", err)
		}
		t.Fatal(err)
	}
	return p
}

func checkFloor(t *testing.T, ss []FloorSample, n int, stamped bool) {
	t.Helper()
	if len(ss) != n {
		t.Fatalf("%d samples, want %d", len(ss), n)
	}
	for i, s := range ss {
		if s.TotalNS <= 0 {
			t.Errorf("sample %d: total %d", i, s.TotalNS)
		}
		if s.MinFlt < 0 {
			t.Errorf("sample %d: %d minor faults", i, s.MinFlt)
		}
		if !stamped {
			if s.StartupNS != -1 {
				t.Errorf("sample %d: startup %d from a program that writes no stamp", i, s.StartupNS)
			}
			continue
		}
		if s.StartupNS <= 0 || s.StartupNS >= s.TotalNS {
			t.Errorf("sample %d: startup %d not in (0, total %d)", i, s.StartupNS, s.TotalNS)
		}
	}
	assertNoZombies(t)
}

func TestFloorForkAndVfork(t *testing.T) {
	for _, k := range []FloorKind{FloorFork, FloorVfork} {
		ss, err := Floor(k, "", nil, 5)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		checkFloor(t, ss, 5, true)
	}
}

func TestFloorExecStaticProgram(t *testing.T) {
	prog := floorProgram(t)
	for _, k := range []FloorKind{FloorForkExec, FloorSpawn} {
		ss, err := Floor(k, prog, []string{prog}, 5)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		checkFloor(t, ss, 5, true)
	}
}

// This binary with FloorArg stops in its C constructor: it stamps, and no
// Go runtime (nor any test) runs.
func TestFloorOwnImage(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := Floor(FloorSpawn, exe, []string{exe, FloorArg}, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkFloor(t, ss, 3, true)
}

func TestFloorBinTrueHasNoStartup(t *testing.T) {
	if _, err := os.Stat("/bin/true"); err != nil {
		t.Skip("no /bin/true")
	}
	ss, err := Floor(FloorSpawn, "/bin/true", []string{"true"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkFloor(t, ss, 3, false)
}

func TestFloorErrors(t *testing.T) {
	if _, err := Floor(FloorSpawn, "/nonexistent/floor", []string{"x"}, 2); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("missing program: %v, want ENOENT", err)
	}
	// The child of fork+execve exits 127 when exec fails: the floor says so.
	ss, err := Floor(FloorForkExec, "/nonexistent/floor", []string{"x"}, 2)
	if err == nil || len(ss) > 1 {
		t.Errorf("fork+execve of a missing program: %v, %d samples", err, len(ss))
	}
	if _, err := Floor(FloorKind(99), "", nil, 1); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("unknown kind: %v, want EINVAL", err)
	}
	if _, err := Floor(FloorFork, "", nil, 0); err == nil {
		t.Error("n 0 accepted")
	}
	assertNoZombies(t)
}

func TestFloorForkRate(t *testing.T) {
	for _, p := range []int{1, 4} {
		d, err := FloorForkRate(20, p)
		if err != nil || d <= 0 {
			t.Fatalf("max %d: %v, %v", p, d, err)
		}
	}
	if _, err := FloorForkRate(1, 0); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("max_procs 0: %v, want EINVAL", err)
	}
	assertNoZombies(t)
}
