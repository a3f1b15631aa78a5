package csys

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The record a child writes (struct proclab_record in csys.h): a fixed
// header, then NSamples little-endian uint64 program counters.
const (
	RecordMagic      = 0x43524c50 // "PLRC"
	RecordHeaderSize = 144
)

// Record flags.
const (
	FlagExeced    = 0x1 // the child ran a fresh image
	FlagGoRuntime = 0x2 // the child started its own Go runtime
	FlagPython    = 0x4 // a Python multiprocessing child (lab/python.go)
)

// Record is a decoded child record. Stamps are CLOCK_MONOTONIC nanoseconds;
// zero means "did not happen" (a fork child has no exec and no runtime).
type Record struct {
	Version        uint16
	Task           uint32
	Flags          uint32
	PID, PPID      int32
	NIters         uint64
	Checksum       uint64
	ExecDoneNS     int64
	RuntimeReadyNS int64
	TaskStartNS    int64
	TaskEndNS      int64
	TextBase       uint64
	ProfileHz      uint32
	SamplesDropped uint32
	Samples        []uint64 // sampled program counters

	// TaskCPUNS is the task's CPU time around the loop, from the CPU clock
	// of the thread that ran it; -1 if the clock could not be read.
	TaskCPUNS int64
	// The child's own memory, read from /proc/self after TaskEndNS, in
	// bytes; 0 where it could not be read (MemErr then says why).
	// MemReadNS stamps the end of that read.
	HWMBytes, EndRSSBytes, EndPSSBytes, EndUSSBytes int64
	MemReadNS                                       int64
	MemErr                                          uint32 // errno, 0 if the read worked
}

// ErrNoRecord means the child closed its pipe without writing anything.
var ErrNoRecord = errors.New("no record (the child ended before reporting)")

// RecordError describes a record that is short, corrupt or of another
// version. Children are not trusted blindly.
type RecordError struct{ Reason string }

func (e *RecordError) Error() string { return "bad record: " + e.Reason }

// DecodeHeader decodes a record header. It returns the number of sample
// bytes that follow.
func DecodeHeader(b []byte) (Record, int, error) {
	var r Record
	if len(b) < RecordHeaderSize {
		return r, 0, &RecordError{fmt.Sprintf("short header: %d of %d bytes", len(b), RecordHeaderSize)}
	}
	le := binary.LittleEndian
	if m := le.Uint32(b[0:]); m != RecordMagic {
		return r, 0, &RecordError{fmt.Sprintf("magic %#x, want %#x", m, RecordMagic)}
	}
	r.Version = le.Uint16(b[4:])
	if r.Version != ProtocolVersion {
		return r, 0, &RecordError{fmt.Sprintf("version %d, want %d", r.Version, ProtocolVersion)}
	}
	if hs := le.Uint16(b[6:]); hs != RecordHeaderSize {
		return r, 0, &RecordError{fmt.Sprintf("header size %d, want %d", hs, RecordHeaderSize)}
	}
	r.Task = le.Uint32(b[8:])
	r.Flags = le.Uint32(b[12:])
	r.PID = int32(le.Uint32(b[16:]))
	r.PPID = int32(le.Uint32(b[20:]))
	r.NIters = le.Uint64(b[24:])
	r.Checksum = le.Uint64(b[32:])
	r.ExecDoneNS = int64(le.Uint64(b[40:]))
	r.RuntimeReadyNS = int64(le.Uint64(b[48:]))
	r.TaskStartNS = int64(le.Uint64(b[56:]))
	r.TaskEndNS = int64(le.Uint64(b[64:]))
	r.TextBase = le.Uint64(b[72:])
	r.ProfileHz = le.Uint32(b[80:])
	n := le.Uint32(b[84:])
	r.SamplesDropped = le.Uint32(b[88:])
	r.MemErr = le.Uint32(b[92:])
	r.TaskCPUNS = int64(le.Uint64(b[96:]))
	r.MemReadNS = int64(le.Uint64(b[104:]))
	r.HWMBytes = int64(le.Uint64(b[112:]))
	r.EndRSSBytes = int64(le.Uint64(b[120:]))
	r.EndPSSBytes = int64(le.Uint64(b[128:]))
	r.EndUSSBytes = int64(le.Uint64(b[136:]))
	switch {
	case n > MaxSamples:
		return r, 0, &RecordError{fmt.Sprintf("%d samples, at most %d", n, MaxSamples)}
	case r.PID <= 0:
		return r, 0, &RecordError{fmt.Sprintf("pid %d", r.PID)}
	case r.TaskStartNS <= 0 || r.TaskEndNS < r.TaskStartNS:
		return r, 0, &RecordError{fmt.Sprintf("task stamps %d..%d out of order", r.TaskStartNS, r.TaskEndNS)}
	}
	if err := r.selfConsistent(); err != nil {
		return r, 0, err
	}
	return r, int(n) * 8, nil
}

// ReadRecord reads one whole record (header and samples) from r.
func ReadRecord(rd io.Reader) (Record, error) {
	var hdr [RecordHeaderSize]byte
	n, err := io.ReadFull(rd, hdr[:])
	if err == io.EOF {
		return Record{}, ErrNoRecord
	}
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			return Record{}, &RecordError{fmt.Sprintf("short header: %d of %d bytes", n, RecordHeaderSize)}
		}
		return Record{}, err
	}
	rec, sampleBytes, err := DecodeHeader(hdr[:])
	if err != nil {
		return rec, err
	}
	if sampleBytes > 0 {
		buf := make([]byte, sampleBytes)
		if n, err := io.ReadFull(rd, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return rec, &RecordError{fmt.Sprintf("short samples: %d of %d bytes", n, sampleBytes)}
			}
			return rec, err
		}
		rec.Samples = make([]uint64, sampleBytes/8)
		for i := range rec.Samples {
			rec.Samples[i] = binary.LittleEndian.Uint64(buf[i*8:])
		}
	}
	return rec, nil
}
