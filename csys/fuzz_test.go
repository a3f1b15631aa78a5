package csys

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"testing/iotest"
)

// The seed corpus is committed under testdata/fuzz/<target>/: a real
// record from a forked child with profile samples, and short, corrupt and
// other-version ones. `go test -fuzz=FuzzReadRecord ./csys` grows it.

func validRecord() []byte {
	return AppendRecord(nil, &Record{Version: ProtocolVersion, Task: 3, PID: 42, PPID: 1, NIters: 1000,
		Checksum: 0xfeed, TaskStartNS: 100, TaskEndNS: 200, ProfileHz: 250, Samples: []uint64{0x401000, 0x401008}})
}

// DecodeHeader never panics, and what it accepts is a well-formed header
// whose every field it read back faithfully.
func FuzzDecodeHeader(f *testing.F) {
	f.Add(validRecord())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, sampleBytes, err := DecodeHeader(b)
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a RecordError", err, err)
			}
			return
		}
		if len(b) < RecordHeaderSize || sampleBytes%8 != 0 || sampleBytes > 8*MaxSamples ||
			r.PID <= 0 || r.TaskStartNS <= 0 || r.TaskEndNS < r.TaskStartNS {
			t.Fatalf("accepted a bad header: %+v, %d sample bytes", r, sampleBytes)
		}
		r.Samples = make([]uint64, sampleBytes/8)
		// Re-encoded, the header matches the input.
		if enc := AppendRecord(nil, &r)[:RecordHeaderSize]; !bytes.Equal(enc, b[:RecordHeaderSize]) {
			t.Fatalf("decoded %+v re-encodes as\n%x\nnot\n%x", r, enc, b[:RecordHeaderSize])
		}
	})
}

// ReadRecord never panics, fails only with a RecordError (or ErrNoRecord
// for nothing at all), gives the same answer however the bytes arrive, and
// what it accepts re-encodes to the bytes it read.
func FuzzReadRecord(f *testing.F) {
	v := validRecord()
	f.Add(v)
	f.Add(v[:len(v)-3])
	f.Add(v[:RecordHeaderSize-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ReadRecord(bytes.NewReader(b))
		r1, err1 := ReadRecord(iotest.OneByteReader(bytes.NewReader(b)))
		if !reflect.DeepEqual(r, r1) || (err == nil) != (err1 == nil) || err != nil && err.Error() != err1.Error() {
			t.Fatalf("read whole: %+v, %v; read byte by byte: %+v, %v", r, err, r1, err1)
		}
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) && !(errors.Is(err, ErrNoRecord) && len(b) == 0) {
				t.Fatalf("error %v (%T) on %d bytes", err, err, len(b))
			}
			return
		}
		enc := AppendRecord(nil, &r)
		if len(enc) > len(b) || !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatalf("accepted %+v, which re-encodes differently from its %d input bytes", r, len(b))
		}
	})
}
