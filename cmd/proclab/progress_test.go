package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a real pseudo-terminal pair: the bar's writer end (the
// terminal) and the end that reads what was drawn.
func openPTY(t *testing.T) (term, reader *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	// A terminal has a size (a fresh pty is 0x0, where a bar has no room).
	if err := unix.IoctlSetWinsize(int(m.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 100}); err != nil {
		t.Fatal(err)
	}
	return s, m
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	args := []string{"compare", "--n-iters", "10000000", "--n-tasks", "1,2", "--repeat", "2", "--warmup", "0"}

	// Not a terminal: a buffer, and a pipe (what a log redirect is).
	if newProgress(&bytes.Buffer{}) != nil {
		t.Error("a progress bar on a buffer")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := proclab(&out, pw, args); code != 0 {
		t.Fatalf("exit %d", code)
	}
	pw.Close()
	// Nothing but warnings (a busy machine's contention is one).
	if b, _ := io.ReadAll(pr); withoutWarnings(string(b)) != "" {
		t.Errorf("stderr to a pipe got %q, want no bar", b)
	}

	// A terminal: the bar is drawn there, and stdout stays clean.
	term, reader := openPTY(t)
	out.Reset()
	if code := proclab(&out, term, args); code != 0 {
		t.Fatalf("exit %d", code)
	}
	term.Close()
	drawn, _ := io.ReadAll(reader) // EIO once the terminal end is closed and drained
	if !strings.Contains(string(drawn), "runs") || !strings.Contains(string(drawn), "/12") {
		t.Errorf("terminal got %q, want a bar over 12 runs", drawn)
	}
	if strings.Contains(out.String(), "runs") && strings.Contains(out.String(), "/12") {
		t.Errorf("the bar went to stdout")
	}
}
