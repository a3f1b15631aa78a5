package csys

import "fmt"

// flagsKnown are the record flags a child may set.
const flagsKnown = FlagExeced | FlagGoRuntime | FlagPython

// selfConsistent checks what a record says about itself, beyond its
// framing: its flags and the stamps they promise, its stamps in the order
// the child takes them (exec done, runtime ready, task start, task end,
// memory read), and its memory figures in the order they must stand
// (USS <= PSS <= RSS). A stamp of 0 was not taken. A child that breaks one is not trusted.
func (r *Record) selfConsistent() error {
	bad := func(format string, a ...any) error { return &RecordError{fmt.Sprintf(format, a...)} }
	switch {
	case r.Flags&^flagsKnown != 0:
		return bad("unknown flags %#x", r.Flags)
	case r.Flags&FlagGoRuntime != 0 && r.Flags&FlagExeced == 0:
		return bad("flags %#x: a Go runtime of its own without an exec", r.Flags)
	case (r.Flags&FlagExeced != 0) != (r.ExecDoneNS != 0):
		return bad("flags %#x with exec_done %d", r.Flags, r.ExecDoneNS)
	case (r.Flags&FlagGoRuntime != 0) != (r.RuntimeReadyNS != 0):
		return bad("flags %#x with runtime_ready %d", r.Flags, r.RuntimeReadyNS)
	case r.ExecDoneNS < 0 || r.ExecDoneNS > r.TaskStartNS:
		return bad("exec_done %d not before task_start %d", r.ExecDoneNS, r.TaskStartNS)
	case r.RuntimeReadyNS != 0 && (r.RuntimeReadyNS < r.ExecDoneNS || r.RuntimeReadyNS > r.TaskStartNS):
		return bad("runtime_ready %d not between exec_done %d and task_start %d", r.RuntimeReadyNS, r.ExecDoneNS, r.TaskStartNS)
	case r.MemReadNS != 0 && r.MemReadNS < r.TaskEndNS:
		return bad("memory read at %d, before task_end %d", r.MemReadNS, r.TaskEndNS)
	case r.TaskCPUNS < -1:
		return bad("task_cpu %d", r.TaskCPUNS)
	case r.HWMBytes < 0 || r.EndRSSBytes < 0 || r.EndPSSBytes < 0 || r.EndUSSBytes < 0:
		return bad("negative memory figure (hwm %d, rss %d, pss %d, uss %d)", r.HWMBytes, r.EndRSSBytes, r.EndPSSBytes, r.EndUSSBytes)
	case r.EndUSSBytes > r.EndPSSBytes || r.EndPSSBytes > r.EndRSSBytes:
		return bad("memory figures out of order: uss %d, pss %d, rss %d", r.EndUSSBytes, r.EndPSSBytes, r.EndRSSBytes)
	}
	return nil
}

// Expect is what the lab knows of the child that should have written a
// record.
type Expect struct {
	PPID     int    // the process that created it: the lab, or the forkserver
	Flags    uint32 // the flags its method sets: FlagExeced|FlagGoRuntime for workers, 0 for fork children
	CreateNS int64  // CLOCK_MONOTONIC of the create call
}

// Check checks a decoded record against what the lab expects of its
// child: the parent that created it, the flags of its start method, and
// its first stamp after the create call (stamps are one system-wide
// clock). The record's own order is checked when it is decoded.
func (r *Record) Check(e Expect) error {
	first := r.TaskStartNS
	if r.ExecDoneNS != 0 {
		first = r.ExecDoneNS
	}
	switch {
	case int(r.PPID) != e.PPID:
		return &RecordError{fmt.Sprintf("from a child of pid %d, want %d", r.PPID, e.PPID)}
	case r.Flags != e.Flags:
		return &RecordError{fmt.Sprintf("flags %#x, want %#x for this start method", r.Flags, e.Flags)}
	case first < e.CreateNS:
		return &RecordError{fmt.Sprintf("first stamp %d before the create call at %d", first, e.CreateNS)}
	}
	return nil
}
