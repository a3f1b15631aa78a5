package csys

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// touchEnv makes this test binary, started as a child, touch that many MiB
// of fresh memory, say "ready" on stdout and wait for stdin to close: a
// child of known size for TestMaxRSSIsBytes. It runs in init, before any
// test, and never returns.
const touchEnv = "CSYS_TEST_TOUCH_MIB"

func init() {
	v := os.Getenv(touchEnv)
	if v == "" {
		return
	}
	mib, _ := strconv.Atoi(v)
	b, err := syscall.Mmap(-1, 0, mib<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		os.Exit(3)
	}
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	os.Stdout.WriteString("ready\n")
	var buf [1]byte
	os.Stdin.Read(buf[:]) // EOF: the test is done looking
	os.Exit(int(b[0]) - 1)
}

// Wait4's peak RSS is in bytes (the kernel's ru_maxrss is in KiB): a
// child that touched 128 MiB reports its own VmHWM, read from /proc
// while it waited (less a MiB: the kernel's RSS counters are per-CPU and
// settle at exit), and no more than the larger of that and this
// process's (ru_maxrss carries across execve) plus a little.
func TestMaxRSSIsBytes(t *testing.T) {
	const mib = 128
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := syscall.ForkExec(os.Args[0], []string{os.Args[0], "-test.run=^$"}, &syscall.ProcAttr{
		Env:   append(os.Environ(), fmt.Sprintf("%s=%d", touchEnv, mib)),
		Files: []uintptr{stdinR.Fd(), stdoutW.Fd(), os.Stderr.Fd()},
	})
	stdinR.Close()
	stdoutW.Close()
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdoutR).ReadString('\n')
	stdoutR.Close()
	childHWM, herr := vmHWM(fmt.Sprintf("/proc/%d/status", pid))
	stdinW.Close()
	ex, err := Wait4(pid)
	if err != nil {
		t.Fatal(err)
	}
	if line != "ready\n" || !ex.Status.Exited() || ex.Status.ExitStatus() != 0 || herr != nil {
		t.Fatalf("child said %q, ended %v; its VmHWM: %v", line, ex.Status, herr)
	}
	selfHWM, err := vmHWM("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	got := ex.Usage.MaxRSSBytes
	t.Logf("max_rss %d bytes; child's VmHWM %d, this process's %d", got, childHWM, selfHWM)
	if got < mib<<20 || got < childHWM-1<<20 || got > max(childHWM, selfHWM)+16<<20 {
		t.Errorf("max RSS %d bytes for a child that touched %d MiB (its VmHWM %d bytes; this process's %d)", got, mib, childHWM, selfHWM)
	}
}

// vmHWM reads a process's peak resident memory, in bytes, from its status.
func vmHWM(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in %s", path)
}
