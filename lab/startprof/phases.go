package startprof

import "sort"

// The phases a sample is cut into, from the lab's own stamps.
const (
	PhaseCreate     = "create"      // in the lab, during the create call (fork, posix_spawn, the forkserver request)
	PhaseChildStart = "child-start" // in the child, from its birth to its task's first stamp: exec, loader, constructor, Go runtime
	PhaseLoop       = "loop"        // in the child, its task
	PhaseChildExit  = "child-exit"  // in the child, after its task: the memory read, exit, mm teardown
	PhaseReap       = "reap"        // in the lab, waiting for and reaping the child
	PhaseServer     = "server"      // in the forkserver
)

// Span is one task's stamps, all CLOCK_MONOTONIC nanoseconds; a 0 is a
// stamp not taken.
type Span struct {
	Method    string
	Task      int
	Round     int
	ParentRSS int64
	PID       int // the child
	// CreatorPID is the process that made the create call (the lab);
	// CreateTID the thread that made it, 0 if it is not known to have
	// stayed on one thread.
	CreatorPID, CreateTID int
	CreateNS, CreatedNS   int64 // right before and right after the create call
	StartNS, EndNS        int64 // the task's first and last stamps, taken in the child
	WaitTID               int   // the lab thread that waited, 0 if unknown
	WaitNS, ReapedNS      int64 // right before waiting for the child, and once reaped
}

// Server is a process that creates children on the lab's behalf (the
// forkserver): its samples while it serves a task are the server phase.
type Server struct {
	PID    int
	Method string
}

// Labeled is a sample with its labels.
type Labeled struct {
	Sample
	Method    string
	Phase     string
	Task      int
	ParentRSS int64
}

// InCall tells from its stack whether a sample of the lab was taken
// inside the lab's create call (phase create) or its wait for a child
// (phase reap); known is false when the stack cannot tell (its unwinding
// stopped in C code without frame pointers before reaching the Go frames
// that would say). nil means no stack can tell.
type InCall func(phase string, s Sample) (in, known bool)

// Assign labels the samples that fall in a phase of a span, and returns
// them with the number of samples left out: the lab's other work (its
// other goroutines, the sampler, GC), and processes no span names.
func Assign(samples []Sample, spans []Span, servers []Server, in InCall) (out []Labeled, unattributed int) {
	byPID := map[int][]*Span{}
	byCreator := map[int][]*Span{}
	for i := range spans {
		s := &spans[i]
		byPID[s.PID] = append(byPID[s.PID], s)
		byCreator[s.CreatorPID] = append(byCreator[s.CreatorPID], s)
	}
	server := map[int]string{}
	for _, s := range servers {
		server[s.PID] = s.Method
	}
	for _, s := range byCreator {
		sort.Slice(s, func(i, j int) bool { return s[i].CreateNS < s[j].CreateNS })
	}
	for _, smp := range samples {
		l, ok := assign(smp, byPID, byCreator, server, in)
		if !ok {
			unattributed++
			continue
		}
		out = append(out, l)
	}
	return out, unattributed
}

func assign(smp Sample, byPID, byCreator map[int][]*Span, server map[int]string, in InCall) (Labeled, bool) {
	t := smp.TimeNS
	pid := int(smp.PID)
	label := func(s *Span, phase string) (Labeled, bool) {
		return Labeled{Sample: smp, Method: s.Method, Phase: phase, Task: s.Task, ParentRSS: s.ParentRSS}, true
	}
	// In a child: the span that names it and was alive then (a pid can
	// come back in a later round).
	for _, s := range byPID[pid] {
		if t < s.CreateNS || s.ReapedNS != 0 && t > s.ReapedNS {
			continue
		}
		switch {
		case s.StartNS == 0 || t < s.StartNS:
			return label(s, PhaseChildStart)
		case s.EndNS == 0 || t < s.EndNS:
			return label(s, PhaseLoop)
		default:
			return label(s, PhaseChildExit)
		}
	}
	// In a forkserver, while it serves a request: the task whose create
	// call it is answering, else the latest task it is watching until it
	// reports the task's end. Its own start and shutdown are left out.
	if m, ok := server[pid]; ok {
		var near *Span
		for _, spans := range byCreator {
			for _, s := range spans {
				if s.Method != m || t < s.CreateNS {
					continue
				}
				if t <= s.CreatedNS {
					return label(s, PhaseServer)
				}
				if t <= s.ReapedNS && (near == nil || s.CreateNS > near.CreateNS) {
					near = s
				}
			}
		}
		if near != nil {
			return label(near, PhaseServer)
		}
		return Labeled{}, false
	}
	// In the lab: a create call, then a wait.
	spans := byCreator[pid]
	for _, s := range spans {
		if s.CreateNS > t {
			break
		}
		if t <= s.CreatedNS && onThread(s.CreateTID, PhaseCreate, smp, in) {
			return label(s, PhaseCreate)
		}
	}
	for _, s := range spans {
		if s.CreateNS > t {
			break
		}
		if s.WaitNS != 0 && t >= s.WaitNS && t <= s.ReapedNS && onThread(s.WaitTID, PhaseReap, smp, in) {
			return label(s, PhaseReap)
		}
	}
	return Labeled{}, false
}

// onThread tells whether a lab sample belongs to a call made on thread
// tid (0: unknown): by its stack when that tells, else by its thread. The
// thread alone is not enough: a goroutine that blocks in the call (the
// forkserver's answer) can come back to the same thread after another
// goroutine ran there.
func onThread(tid int, phase string, smp Sample, in InCall) bool {
	if in != nil {
		if ok, known := in(phase, smp); known {
			return ok
		}
	}
	return tid == 0 || tid == int(smp.TID)
}
