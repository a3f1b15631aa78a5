package csys

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// fsSeeds are forkserver messages as the server sends them, and broken
// ones; they are also the committed corpus of FuzzDecodeForkserverMsg
// (testdata/fuzz/FuzzDecodeForkserverMsg, written by TestForkserverFuzzCorpus).
func fsSeeds() map[string][]byte {
	started := EncodeForkserverMsg(ForkserverMsg{Type: FSStarted, Seq: 7, Task: 3, PID: 4242, StampNS: 123456789})
	badMagic := append([]byte(nil), started...)
	badMagic[0] ^= 0xff
	return map[string][]byte{
		"ready":          EncodeForkserverMsg(ForkserverMsg{Type: FSReady, PID: 99, StampNS: 5}),
		"started":        started,
		"started-eagain": EncodeForkserverMsg(ForkserverMsg{Type: FSStarted, Seq: 8, Task: 4, Err: syscall.EAGAIN, StampNS: 6}),
		"exited": EncodeForkserverMsg(ForkserverMsg{Type: FSExited, PID: 4242, StampNS: 9, Exit: Exit{Status: 9,
			Usage: Usage{User: 3 * time.Millisecond, Sys: time.Millisecond, MaxRSSBytes: 6 << 20, MinFlt: 120, MajFlt: 1, NVCSW: 2, NIVCSW: 3}}}),
		"short":         started[:5],
		"truncated":     started[:20],
		"bad-magic":     badMagic,
		"start-request": EncodeForkserverMsg(ForkserverMsg{Type: FSStart}),
		"pid-and-errno": EncodeForkserverMsg(ForkserverMsg{Type: FSStarted}),
		"exited-pid-0":  EncodeForkserverMsg(ForkserverMsg{Type: FSExited}),
		"empty":         {},
	}
}

// The forkserver's message decoder never panics; what it rejects is a
// protocol error; what it accepts has the size of its type and a pid that
// makes sense, and encodes back to the same bytes (every byte of
// STARTED and EXITED is a field; READY's are, but for 4 reserved ones),
// which decode to the same message.
func FuzzDecodeForkserverMsg(f *testing.F) {
	for _, b := range fsSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeForkserverMsg(b)
		if err != nil {
			var pe *ForkserverProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a protocol error", err, err)
			}
			return
		}
		size := map[ForkserverMsgType]int{FSReady: fsReadySize, FSStarted: fsStartedSize, FSExited: fsExitedSize}[m.Type]
		if size == 0 || len(b) != size {
			t.Fatalf("accepted %v of %d bytes", m.Type, len(b))
		}
		if m.Type == FSStarted && (m.Err == nil) == (m.PID <= 0) || m.Type != FSStarted && m.PID <= 0 {
			t.Fatalf("accepted %v with pid %d, error %v", m.Type, m.PID, m.Err)
		}
		enc := EncodeForkserverMsg(m)
		if m.Type == FSReady {
			copy(enc[12:16], b[12:16]) // reserved: not read
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("%+v encodes to\n% x\nnot\n% x", m, enc, b)
		}
		m2, err := decodeForkserverMsg(enc)
		if err != nil || fmt.Sprintf("%+v", m2) != fmt.Sprintf("%+v", m) {
			t.Fatalf("round trip: %+v, %v; want %+v", m2, err, m)
		}
	})
}

// The committed seed corpus is fsSeeds, in the go test fuzz v1 format:
// a change of the wire format shows here, and the corpus is rewritten
// with PROCLAB_WRITE_CORPUS=1.
func TestForkserverFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeForkserverMsg")
	for name, b := range fsSeeds() {
		want := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		path := filepath.Join(dir, name)
		if os.Getenv("PROCLAB_WRITE_CORPUS") != "" {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s: %v; the corpus is not the seeds (rewrite it with PROCLAB_WRITE_CORPUS=1)", path, err)
		}
	}
}
