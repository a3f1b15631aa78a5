// Package startprof records where the CPU goes while processes start and
// end: perf_event_open cpu-clock samples with kernel and user call chains,
// inherited by every process the lab creates, stamped on CLOCK_MONOTONIC
// so that they line up with the lab's own stamps, and cut by those stamps
// into phases (create, child-start, loop, child-exit, reap, server) in a
// labelled pprof profile.
//
// The reader is a small one over golang.org/x/sys/unix: no Go library for
// perf events is served by the module proxy here (github.com/elastic/go-perf
// is not), and the part needed is about two hundred lines.
package startprof

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DefaultPeriod is the cpu-clock sampling period: 4 kHz per running
// thread. A fork of a small parent takes ~0.5 ms, so it gets a sample or
// two, and many tasks add up. Measured on a 2-vCPU VM, 100 µs made a
// small fork's startup ~1.9x slower, 1 ms ~1.25x; the kernel's floor for
// cpu-clock is 10 µs.
const DefaultPeriod = 250 * time.Microsecond

// ringPages is the data size of each CPU's ring buffer in pages (a power
// of two): 1 MiB, drained every drainEvery, holds far more than one
// CPU's samples in that time (~100 KB at 10 kHz, ~300 bytes each). Each
// drain wakes a lab thread on a machine the children keep busy, so it is
// not more frequent than it needs to be.
const (
	ringPages  = 256
	drainEvery = 25 * time.Millisecond
)

// Sample is one cpu-clock sample.
type Sample struct {
	PID, TID uint32
	TimeNS   int64    // CLOCK_MONOTONIC
	Stack    []uint64 // leaf first; kernel addresses (IsKernel) then user ones
}

// Mapping is an executable file mapping the kernel reported (PERF_RECORD_MMAP2)
// for a process: exec'd images, the dynamic loader, shared libraries.
type Mapping struct {
	PID                 uint32
	Start, Limit, Pgoff uint64
	File                string
}

// Recording is what a Recorder collected.
type Recording struct {
	Samples  []Sample
	Mappings []Mapping
	Parents  map[uint32]uint32 // process -> the process that forked it (PERF_RECORD_FORK)
	Lost     uint64            // samples the kernel dropped: the ring buffer was full
	Events   int               // perf events opened (threads x CPUs)
	PeriodNS int64
	// ReaderCPUNS is the CPU the lab spent draining the ring buffers
	// while sampling: part of what the profile costs the figures (the
	// kernel's side, taking the samples, is not in it).
	ReaderCPUNS int64

	stacks map[string][]uint64 // call chains seen, shared between samples
}

// Recorder samples the calling process and everything it starts from Open
// until Stop.
type Recorder struct {
	fds    []int
	rings  []*ring
	period time.Duration
	stop   chan struct{}
	done   chan struct{}

	mu  sync.Mutex
	rec Recording
}

// ErrForced is what Open returns when PROCLAB_START_PROFILE_DENY is set:
// the test hook that takes the path of a machine where perf_event_open is
// not allowed.
var ErrForced = errors.New("perf_event_open: permission denied (forced by PROCLAB_START_PROFILE_DENY)")

// Open starts sampling every thread of the calling process, with inherit
// so that processes and threads created afterwards are sampled too. The
// kernel refuses to mmap an inherited per-task event on "any CPU" (cpu
// -1), so there is one event per thread and CPU, and the events of one CPU
// share that CPU's ring buffer (PERF_EVENT_IOC_SET_OUTPUT). A thread
// created between listing the threads and opening the events by a thread
// not yet sampled is missed; the lab opens the recorder before it creates
// anything.
func Open(period time.Duration) (*Recorder, error) {
	if os.Getenv("PROCLAB_START_PROFILE_DENY") != "" {
		return nil, ErrForced
	}
	if period <= 0 {
		period = DefaultPeriod
	}
	tids, err := threads()
	if err != nil {
		return nil, err
	}
	r := &Recorder{period: period, stop: make(chan struct{}), done: make(chan struct{})}
	r.rec.Parents = map[uint32]uint32{}
	r.rec.stacks = map[string][]uint64{}
	r.rec.PeriodNS = period.Nanoseconds()
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_SOFTWARE,
		Config:      unix.PERF_COUNT_SW_CPU_CLOCK,
		Sample:      uint64(period.Nanoseconds()),
		Sample_type: unix.PERF_SAMPLE_IP | unix.PERF_SAMPLE_TID | unix.PERF_SAMPLE_TIME | unix.PERF_SAMPLE_CALLCHAIN,
		Bits: unix.PerfBitInherit | unix.PerfBitMmap | unix.PerfBitMmap2 | unix.PerfBitTask |
			unix.PerfBitUseClockID | unix.PerfBitExcludeHv,
		Clockid: unix.CLOCK_MONOTONIC,
	}
	attr.Size = uint32(unsafe.Sizeof(attr))
	for _, cpu := range cpus() {
		leader := -1
		for _, tid := range tids {
			fd, err := unix.PerfEventOpen(&attr, tid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
			if errors.Is(err, unix.ESRCH) {
				continue // the thread ended since it was listed
			}
			if err != nil {
				r.close()
				return nil, &OpenError{Err: err}
			}
			r.fds = append(r.fds, fd)
			if leader < 0 {
				rg, err := mapRing(fd)
				if err != nil {
					r.close()
					return nil, err
				}
				r.rings = append(r.rings, rg)
				leader = fd
				continue
			}
			if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_SET_OUTPUT, leader); err != nil {
				r.close()
				return nil, fmt.Errorf("perf_event_open: redirecting output: %w", err)
			}
		}
	}
	r.rec.Events = len(r.fds)
	go r.drainLoop()
	return r, nil
}

// cpus lists the online CPUs (/sys/devices/system/cpu/online, "0-1,4").
func cpus() []int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	var out []int
	if err == nil {
		for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
			lo, hi, found := strings.Cut(part, "-")
			a, err1 := strconv.Atoi(lo)
			z := a
			var err2 error
			if found {
				z, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil {
				out = nil
				break
			}
			for c := a; c <= z; c++ {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		for c := 0; c < runtime.NumCPU(); c++ {
			out = append(out, c)
		}
	}
	return out
}

// OpenError is perf_event_open refusing.
type OpenError struct{ Err error }

func (e *OpenError) Error() string { return "perf_event_open: " + e.Err.Error() }
func (e *OpenError) Unwrap() error { return e.Err }

// threads lists the calling process's threads.
func threads() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("listing the lab's threads: %w", err)
	}
	var tids []int
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

// Stop stops sampling, drains what is left and returns the recording.
func (r *Recorder) Stop() *Recording {
	for _, fd := range r.fds {
		unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_DISABLE, 0)
	}
	close(r.stop)
	<-r.done
	r.drain()
	r.close()
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.rec
	rec.stacks = nil
	return &rec
}

func (r *Recorder) close() {
	for _, rg := range r.rings {
		unix.Munmap(rg.mem)
	}
	r.rings = nil
	for _, fd := range r.fds {
		unix.Close(fd)
	}
	r.fds = nil
}

func (r *Recorder) drainLoop() {
	defer close(r.done)
	// On its own thread, whose CPU clock is then the reader's cost.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	defer func() {
		r.mu.Lock()
		r.rec.ReaderCPUNS = threadCPU() - cpu0
		r.mu.Unlock()
	}()
	t := time.NewTicker(drainEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.drain()
		}
	}
}

func (r *Recorder) drain() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rg := range r.rings {
		rg.read(&r.rec)
	}
}

func threadCPU() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return ts.Nano()
}

// ring is one CPU's mmap'd ring buffer: a metadata page, then the data.
type ring struct {
	mem  []byte
	meta *unix.PerfEventMmapPage
	data []byte
	buf  []byte // one record, copied out when it wraps
}

func mapRing(fd int) (*ring, error) {
	pg := os.Getpagesize()
	mem, err := unix.Mmap(fd, 0, (ringPages+1)*pg, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("perf_event_open: mapping the ring buffer: %w", err)
	}
	// A fork child would otherwise copy the mapping's page tables: the
	// profiler's cost must not grow the fork it measures.
	unix.Madvise(mem, unix.MADV_DONTFORK)
	return &ring{mem: mem, meta: (*unix.PerfEventMmapPage)(unsafe.Pointer(&mem[0])), data: mem[pg:]}, nil
}

// Record types and callchain markers (include/uapi/linux/perf_event.h).
const (
	recordLost   = unix.PERF_RECORD_LOST
	recordFork   = unix.PERF_RECORD_FORK
	recordSample = unix.PERF_RECORD_SAMPLE
	recordMmap2  = unix.PERF_RECORD_MMAP2
	contextMax   = ^uint64(0xfff - 1) // PERF_CONTEXT_MAX as unsigned: markers are above it
)

// read consumes every complete record in the ring.
func (rg *ring) read(rec *Recording) {
	head := atomic.LoadUint64(&rg.meta.Data_head)
	tail := rg.meta.Data_tail
	size := uint64(len(rg.data))
	for tail+8 <= head {
		hdr := rg.bytes(tail, 8)
		typ := binary.LittleEndian.Uint32(hdr[0:])
		n := uint64(binary.LittleEndian.Uint16(hdr[6:]))
		if n < 8 || tail+n > head || n > size {
			break
		}
		body := rg.bytes(tail+8, n-8)
		parseRecord(typ, body, rec)
		tail += n
	}
	atomic.StoreUint64(&rg.meta.Data_tail, tail)
}

// bytes returns n bytes of the ring from position pos, copied when they wrap.
func (rg *ring) bytes(pos, n uint64) []byte {
	size := uint64(len(rg.data))
	off := pos % size
	if off+n <= size {
		return rg.data[off : off+n]
	}
	if uint64(cap(rg.buf)) < n {
		rg.buf = make([]byte, n)
	}
	b := rg.buf[:n]
	k := copy(b, rg.data[off:])
	copy(b[k:], rg.data[:n-uint64(k)])
	return b
}

// parseRecord decodes one record's body (after its 8-byte header).
func parseRecord(typ uint32, b []byte, rec *Recording) {
	le := binary.LittleEndian
	switch typ {
	case recordSample: // ip, pid, tid, time, nr, ips[nr]
		if len(b) < 32 {
			return
		}
		s := Sample{PID: le.Uint32(b[8:]), TID: le.Uint32(b[12:]), TimeNS: int64(le.Uint64(b[16:]))}
		nr := le.Uint64(b[24:])
		if uint64(len(b)-32)/8 < nr {
			return
		}
		// A long run takes hundreds of thousands of samples, most of them
		// of a few call chains (the hot loop): each chain is kept once.
		raw := b[32 : 32+8*nr]
		if st, ok := rec.stacks[string(raw)]; ok {
			s.Stack = st
		} else {
			s.Stack = make([]uint64, 0, nr)
			for i := uint64(0); i < nr; i++ {
				pc := le.Uint64(raw[8*i:])
				if pc >= contextMax {
					continue // PERF_CONTEXT_KERNEL, PERF_CONTEXT_USER...
				}
				s.Stack = append(s.Stack, pc)
			}
			if len(s.Stack) == 0 {
				s.Stack = append(s.Stack, le.Uint64(b[0:]))
			}
			if rec.stacks != nil && nr > 0 { // an empty chain stands for its ip: not shared
				rec.stacks[string(raw)] = s.Stack
			}
		}
		rec.Samples = append(rec.Samples, s)
	case recordLost: // id, lost
		if len(b) >= 16 {
			rec.Lost += le.Uint64(b[8:])
		}
	case recordFork: // pid, ppid, tid, ptid, time
		if len(b) >= 16 {
			pid, ppid := le.Uint32(b[0:]), le.Uint32(b[4:])
			if pid != ppid {
				rec.Parents[pid] = ppid
			}
		}
	case recordMmap2: // pid, tid, addr, len, pgoff, maj, min, ino, ino_gen, prot, flags, filename
		if len(b) < 64 {
			return
		}
		m := Mapping{PID: le.Uint32(b[0:]), Start: le.Uint64(b[8:]), Pgoff: le.Uint64(b[24:])}
		m.Limit = m.Start + le.Uint64(b[16:])
		name := b[64:]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		m.File = string(name)
		rec.Mappings = append(rec.Mappings, m)
	}
}

// IsKernel reports whether pc is a kernel address (x86-64: the upper half).
func IsKernel(pc uint64) bool { return pc >= 0xffff800000000000 }
