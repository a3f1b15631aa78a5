package lab

import (
	"sync"
	"syscall"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// The rate loop for the lab's own children (fork, spawn, fork-exec): the
// same create call, child, record and wait4 as a run, without a run's
// bookkeeping. It allocates nothing per task. That matters beyond the
// allocator's own time: while a fork child lives, every page of the lab
// outside the Go heap that the lab writes (the allocator's span records,
// finalizer lists: runtime memory the heap mark does not cover) is
// shared copy-on-write with it, and the first write to each costs a
// fault, a page copy and a TLB shootdown of the other CPUs. Per task, a
// run's collect path allocated ~20 objects (an *os.File with a
// finalizer, the Task and its figures, a live-set entry).

// createFunc is a csys create call: fork, or a prepared worker's spawn or
// fork-exec.
type createFunc func(csys.Task, int) (csys.Created, error)

// directCreate is m's create call when the lab reaps m's children itself
// with nothing around them; nil for the other methods.
func (e *env) directCreate(m results.Method) (createFunc, uint32) {
	switch m {
	case results.Fork:
		return csys.ForkRun, 0
	case results.Spawn:
		return e.worker.Spawn, workerFlags
	case results.ForkExec:
		return e.worker.ForkExec, workerFlags
	}
	return nil, 0
}

// rateSlots holds each rate loop's live child, so that a cancelled rate
// kills them. A pid is set right after its create and cleared before its
// reap, under mu, so a kill never reaches a recycled pid.
type rateSlots struct {
	mu        sync.Mutex
	cancelled bool
	pids      []int // per loop; 0: none
}

func newRateSlots(loops int) *rateSlots { return &rateSlots{pids: make([]int, loops)} }

func (s *rateSlots) set(loop, pid int) {
	s.mu.Lock()
	s.pids[loop] = pid
	if s.cancelled {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.mu.Unlock()
}

func (s *rateSlots) clear(loop int) {
	s.mu.Lock()
	s.pids[loop] = 0
	s.mu.Unlock()
}

// killAll kills every live child, and every one set later.
func (s *rateSlots) killAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelled = true
	for _, pid := range s.pids {
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// directTask creates task i with create on loop's slot, reads its record
// from a blocking pipe into buf and reaps it. ok is false when the task
// failed: no record, a record that is not this child's (pid, parent,
// task, flags, stamps) or has a wrong checksum, or a bad exit. err is a
// create that failed (or a pipe that could not be made): the rate stops.
func (e *env) directTask(create createFunc, flags uint32, t csys.Task, loop int, slots *rateSlots,
	buf *[csys.RecordHeaderSize]byte) (ok bool, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return false, err
	}
	c, err := create(t, p[1])
	syscall.Close(p[1])
	if err != nil {
		syscall.Close(p[0])
		return false, err
	}
	slots.set(loop, c.PID)
	n := 0
	for n < len(buf) {
		r, err := syscall.Read(p[0], buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || r == 0 {
			break
		}
		n += r
	}
	syscall.Close(p[0])
	slots.clear(loop)
	ex, werr := csys.Wait4(c.PID)
	if werr != nil || !ex.Status.Exited() || ex.Status.ExitStatus() != 0 || n != len(buf) {
		return false, nil
	}
	rec, sampleBytes, derr := csys.DecodeHeader(buf[:])
	if derr != nil || sampleBytes != 0 || int(rec.PID) != c.PID || rec.Task != t.Index || rec.Checksum != e.expected {
		return false, nil
	}
	return rec.Check(csys.Expect{PPID: e.labPID, Flags: flags, CreateNS: c.CreateNS}) == nil, nil
}
