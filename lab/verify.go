package lab

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// verifyChecksums checks every task's checksum against the hot loop's,
// which the lab computes itself, once, after the measurements: before, it
// would delay the first task by a whole task's time (and a Ctrl-C or a
// --timeout with it); during, it would compete with the children for a
// CPU. It is skipped when no task reported a checksum (all timed out, say),
// and abandoned if ctx is cancelled.
func (e *env) verifyChecksums(ctx context.Context, res *results.Result) error {
	need := false
	for i := range res.Runs {
		for j := range res.Runs[i].Tasks {
			need = need || res.Runs[i].Tasks[j].ChecksumPending
		}
	}
	if !need {
		return nil
	}
	sum, err := hotLoop(ctx, e.spec.NIters)
	if err != nil {
		res.Warnings = append(res.Warnings, "interrupted: checksums not verified")
		return err
	}
	e.expected = sum
	for i := range res.Runs {
		for j := range res.Runs[i].Tasks {
			t := &res.Runs[i].Tasks[j]
			if !t.ChecksumPending {
				continue
			}
			t.ChecksumOK = ptr(t.Checksum == sum)
			if !*t.ChecksumOK {
				bad := fmt.Sprintf("bad record: checksum %#x, want %#x", t.Checksum, sum)
				if t.Error != "" {
					bad = t.Error + "; " + bad
				}
				t.Error = bad
			}
		}
	}
	return nil
}

// hotLoop runs the hot loop in a thread of the lab and returns its
// checksum, or ctx's error if ctx is cancelled first (the loop is then
// stopped within a few thousand iterations, and its thread freed).
func hotLoop(ctx context.Context, nIters uint64) (uint64, error) {
	var stop atomic.Uint32
	done := make(chan uint64, 1)
	go func() {
		sum, _ := csys.HotLoopStoppable(nIters, &stop)
		done <- sum
	}()
	select {
	case sum := <-done:
		return sum, nil
	case <-ctx.Done():
		stop.Store(1)
		return 0, ctx.Err()
	}
}

// checkRecord checks a child's record against what the lab knows of the
// child (csys.Record.Check): the parent that created it (the lab, or the
// forkserver), the flags of its method, and stamps after the create call.
func checkRecord(rec *csys.Record, c child) string {
	if err := rec.Check(csys.Expect{PPID: c.parentPID, Flags: c.flags, CreateNS: c.createNS}); err != nil {
		return err.Error()
	}
	return ""
}
