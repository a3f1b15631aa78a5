package lab

import (
	"bufio"
	"github.com/proclab/proclab/lab/symbols"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/proclab/proclab/csys"
)

// hotLoopLines finds the lines proclab_hot_loop spans in csys/hotloop.c:
// from its definition to the closing brace at the start of a line.
func hotLoopLines(t *testing.T) (file string, first, last int) {
	t.Helper()
	file, err := filepath.Abs("../csys/hotloop.c")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case first == 0 && strings.Contains(line, "proclab_hot_loop(uint64_t n_iters) {"):
			first = n
		case first != 0 && line == "}":
			return file, first, n
		}
	}
	t.Fatalf("proclab_hot_loop not found in %s", file)
	return
}

// buildProclab builds the proclab command into a temporary directory,
// with symbols: `go test` strips its test binaries, so this process cannot
// symbolize itself. pie selects -buildmode=pie.
func buildProclab(t *testing.T, pie bool) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the proclab binary")
	}
	goTool, err := exec.LookPath("go") // go test puts GOROOT/bin on PATH
	if err != nil {
		t.Fatalf("no go command to build proclab with: %v", err)
	}
	out := filepath.Join(t.TempDir(), "proclab")
	args := []string{"build", "-o", out}
	if pie {
		args = append(args, "-buildmode=pie")
	}
	cmd := exec.Command(goTool, append(args, "github.com/proclab/proclab/cmd/proclab")...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// proclab_hot_loop resolves to its own name and to hotloop.c on a line of
// its body, in an ordinary and in a PIE build (linked at 0).
func TestSymbolizeHotLoop(t *testing.T) {
	file, first, last := hotLoopLines(t)
	for _, pie := range []bool{false, true} {
		t.Run(map[bool]string{false: "exe", true: "pie"}[pie], func(t *testing.T) {
			syms, err := symbols.Load(buildProclab(t, pie))
			if err != nil {
				t.Fatal(err)
			}
			if (syms.Start == 0) != pie {
				t.Errorf("image linked at %#x; PIE %v", syms.Start, pie)
			}
			addr := funcAddr(t, syms, "proclab_hot_loop")
			if !syms.Contains(addr) {
				t.Fatalf("hot loop at %#x, outside the image [%#x, %#x)", addr, syms.Start, syms.Limit)
			}
			for _, a := range []uint64{addr, addr + 8, addr + 16} {
				fr := syms.Frame(a)
				if fr.Func != "proclab_hot_loop" {
					t.Errorf("%#x: function %q, want proclab_hot_loop", a, fr.Func)
				}
				if fr.File != file || fr.Line < first || fr.Line > last {
					t.Errorf("%#x: %s:%d, want %s:%d-%d", a, fr.File, fr.Line, file, first, last)
				}
			}
			// Go functions resolve too (a spawned worker's runtime frames).
			if fr := syms.Frame(funcAddr(t, syms, "runtime.main")); fr.Func != "runtime.main" || !strings.HasSuffix(fr.File, "proc.go") {
				t.Errorf("runtime.main resolves to %+v", fr)
			}
			if syms.Contains(syms.Start-1) || syms.Contains(syms.Limit) {
				t.Error("Contains accepts addresses outside the image")
			}
			if again, _ := symbols.Load(syms.Path); again != syms {
				t.Error("LoadSymbols read the same binary twice")
			}
		})
	}
}

// This test binary is stripped by `go test` (unless built with -c): the
// image bounds are still known, functions are not, and nothing fails.
func TestSymbolizeOwnBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	syms, err := symbols.Load(exe)
	if err != nil {
		t.Fatal(err)
	}
	addr := syms.FileAddr(csys.HotLoopAddr(), csys.TextBase())
	if !syms.Contains(addr) {
		t.Fatalf("hot loop at file address %#x, outside the image [%#x, %#x)", addr, syms.Start, syms.Limit)
	}
	if fr := syms.Frame(addr); fr.Func != "" && fr.Func != "proclab_hot_loop" {
		t.Errorf("hot loop entry resolves to %q", fr.Func)
	}
}

func funcAddr(t *testing.T, s *symbols.Symbols, name string) uint64 {
	t.Helper()
	if a, ok := s.Addr(name); ok {
		return a
	}
	t.Fatalf("no symbol %s", name)
	return 0
}

// A PIE process loaded at some base maps back by that base.
func TestFileAddrPIE(t *testing.T) {
	s := &symbols.Symbols{Start: 0, Limit: 0x500000}
	const base = 0x55d0c0de0000
	if got := s.FileAddr(base+0x20f543, base); got != 0x20f543 {
		t.Errorf("PIE: %#x, want 0x20f543", got)
	}
	s = &symbols.Symbols{Start: 0x400000, Limit: 0x900000}
	if got := s.FileAddr(0x5a4080, 0x400000); got != 0x5a4080 {
		t.Errorf("non-PIE: %#x, want unchanged", got)
	}
}

func TestLoadSymbolsErrors(t *testing.T) {
	if _, err := symbols.Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("no error for a missing binary")
	}
	notELF := filepath.Join(t.TempDir(), "x")
	os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755)
	if _, err := symbols.Load(notELF); err == nil || !strings.Contains(err.Error(), notELF) {
		t.Errorf("not an ELF file: %v", err)
	}
}
