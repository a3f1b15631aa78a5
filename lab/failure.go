package lab

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// failure says, in one line, why a child gave no usable record.
func (e *env) failure(killed killReason, ex csys.Exit, rerr error) string {
	switch killed {
	case killTimeout:
		return fmt.Sprintf("timed out: still running after --timeout %v, killed", e.spec.Timeout)
	case killInterrupted:
		return "interrupted: killed by the lab"
	}
	how := "ended"
	switch {
	case ex.Status.Signaled():
		how = "killed by " + signalName(ex.Status.Signal())
	case ex.Status.Exited() && ex.Status.ExitStatus() != 0:
		how = fmt.Sprintf("exited with status %d", ex.Status.ExitStatus())
	}
	if errors.Is(rerr, csys.ErrNoRecord) {
		return how + " before reporting"
	}
	return fmt.Sprintf("%s: %v", how, rerr)
}

// endedBadly describes a child that reported but then did not exit 0
// (killed, say, by a Ctrl-C that came as it was exiting: its figures
// stand).
func endedBadly(killed killReason, ex csys.Exit) string {
	switch {
	case killed == killInterrupted && ex.Status.Signaled():
		return "interrupted after reporting: killed by the lab as it exited"
	case ex.Status.Signaled():
		return "killed by " + signalName(ex.Status.Signal()) + " after reporting"
	case ex.Status.Exited() && ex.Status.ExitStatus() != 0:
		return fmt.Sprintf("exited with status %d after reporting", ex.Status.ExitStatus())
	}
	return ""
}

// recordMismatch checks a well-formed record against the task it should
// answer: a child's record is not trusted blindly. The checksum is checked
// later, for all tasks at once (verify.go).
func (e *env) recordMismatch(rec *csys.Record, task, pid int) string {
	switch {
	case int(rec.PID) != pid:
		return fmt.Sprintf("bad record: from pid %d, want %d", rec.PID, pid)
	case rec.Task != uint32(task):
		return fmt.Sprintf("bad record: for task %d, want %d", rec.Task, task)
	case rec.NIters != e.spec.NIters:
		return fmt.Sprintf("bad record: %d iterations, want %d", rec.NIters, e.spec.NIters)
	}
	return ""
}

// creationStopped says why creating children stopped at task i (the
// tasks not started carry it), with alive children still running, and
// records a warning for the run.
func (e *env) creationStopped(i, alive int, err error) string {
	var why string
	advice := "; try a lower --n-tasks or --max-procs" // for a limit reached; not for a helper gone
	switch {
	case errors.Is(err, syscall.EAGAIN):
		why = "EAGAIN, the system refused another process (a limit was reached: " +
			"RLIMIT_NPROC, the pids cgroup, kernel.pid_max or kernel.threads-max)"
	case errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE):
		why = "out of file descriptors (" + err.Error() + ")"
	case errors.Is(err, syscall.ENOMEM):
		why = "out of memory (" + err.Error() + ")"
	default:
		why, advice = err.Error(), ""
	}
	e.warnings = append(e.warnings, fmt.Sprintf("creation stopped at task %d of %d (%d children alive): %s; the %d started were reaped%s",
		i, e.spec.NTasks, alive, why, i, advice))
	return why
}

func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
