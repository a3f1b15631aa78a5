package lab

import (
	"errors"
	"fmt"
	"github.com/proclab/proclab/lab/symbols"
	"os"
	"strings"
	"time"

	"github.com/google/pprof/profile"
	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
)

// startProfiler is a run's start profile while it records.
type startProfiler struct {
	rec  *startprof.Recorder
	kern *startprof.Kallsyms
	maps []startprof.Mapping
}

// StartProfileUnavailable is the one line said when the start profile
// cannot be recorded on this machine: what is missing and how to allow it.
func startProfileUnavailable(err error) string {
	var oe *startprof.OpenError
	switch {
	case errors.Is(err, startprof.ErrForced):
		return "start profile off: " + err.Error()
	case errors.Is(err, startprof.ErrKptrRestrict):
		return fmt.Sprintf("start profile off: /proc/kallsyms hides kernel addresses (kernel.kptr_restrict is %s, kernel.perf_event_paranoid is %s); allow with `sysctl kernel.kptr_restrict=0 kernel.perf_event_paranoid=1`, or run with CAP_SYSLOG",
			sysctl("kptr_restrict"), sysctl("perf_event_paranoid"))
	case errors.As(err, &oe) && (errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM)):
		return fmt.Sprintf("start profile off: perf_event_open refused (%v): kernel call chains need kernel.perf_event_paranoid <= 1 or CAP_PERFMON (paranoid is %s here); allow with `sysctl kernel.perf_event_paranoid=1`, or in a container add CAP_PERFMON",
			oe.Err, sysctl("perf_event_paranoid"))
	case errors.As(err, &oe) && (errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENODEV)):
		return fmt.Sprintf("start profile off: this kernel has no perf events (%v); it needs CONFIG_PERF_EVENTS", oe.Err)
	}
	return "start profile off: " + err.Error()
}

// sysctl reads /proc/sys/kernel/name, for a message.
func sysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/kernel/" + name)
	if err != nil {
		return "unreadable"
	}
	return strings.TrimSpace(string(b))
}

// openStartProfile starts recording, or says in one line why it cannot.
func openStartProfile(period time.Duration) (*startProfiler, string) {
	// perf_event_open first: where it is refused, that is the line to say.
	maps := startprof.SelfMaps()
	rec, err := startprof.Open(period)
	if err != nil {
		return nil, startProfileUnavailable(err)
	}
	kern, err := startprof.ReadKallsyms("/proc/kallsyms")
	if err != nil {
		rec.Stop()
		return nil, startProfileUnavailable(err)
	}
	return &startProfiler{rec: rec, kern: kern, maps: maps}, ""
}

// finish stops recording and builds the profile of res's tasks.
func (sp *startProfiler) finish(res *results.Result, labPID int, fs *results.ForkserverInfo) (*results.StartProfileInfo, *profile.Profile) {
	rec := sp.rec.Stop()
	var spans []startprof.Span
	for _, run := range res.Runs {
		for _, t := range run.Tasks {
			st := t.Stamps
			if t.PID == 0 || t.Stamps.CreateNS == 0 {
				continue
			}
			spans = append(spans, startprof.Span{Method: string(run.Method), Task: t.Task, Round: run.Round,
				ParentRSS: run.ParentRSSBytes, PID: t.PID, CreatorPID: labPID, CreateTID: st.CreateTID,
				CreateNS: st.CreateNS, CreatedNS: st.CreatedNS, StartNS: st.TaskStartNS, EndNS: st.TaskEndNS,
				WaitNS: st.WaitNS, ReapedNS: st.ReapedNS})
		}
	}
	var servers []startprof.Server
	if fs != nil {
		servers = append(servers, startprof.Server{PID: fs.PID, Method: string(results.Forkserver)})
	}
	syms, err := symbols.Load(res.Binary)
	var in startprof.InCall
	if err == nil {
		in = inLabCall(syms)
	}
	labeled, un := startprof.Assign(rec.Samples, spans, servers, in)
	info := &results.StartProfileInfo{PeriodNS: rec.PeriodNS, Events: rec.Events, Samples: len(labeled),
		Unattributed: un, Lost: rec.Lost, ReaderCPUNS: rec.ReaderCPUNS}
	sym := &startprof.Symbolizer{Kernel: sp.kern, ExePath: res.Binary, Maps: sp.maps}
	if err == nil {
		sym.Exe = func(addr uint64) (string, string, int, bool) {
			if !syms.Contains(addr) {
				return "", "", 0, false
			}
			f := syms.Frame(addr)
			return f.Func, f.File, f.Line, f.Func != ""
		}
	}
	comment := fmt.Sprintf("proclab start profile: cpu-clock every %d ns with kernel and user call chains; methods %v, %d task(s), parent sizes %v",
		rec.PeriodNS, res.Spec.Methods, res.Spec.NTasks, res.Spec.ParentRSSBytes)
	p := startprof.Build(labeled, rec, sym, comment)
	info.Phases = startprof.Summarize(p)
	for i := range info.Phases {
		ph := &info.Phases[i]
		for _, s := range spans {
			if s.Method == ph.Method && s.ParentRSS == ph.ParentRSSBytes {
				ph.Tasks++
			}
		}
	}
	return info, p
}

// createStamped calls start, stamping the create call's return and,
// when the start profile is on, the thread that made it.
func (e *env) createStamped(start starter, t csys.Task, w int) (child, error) {
	if e.prof == nil {
		return start(t, w)
	}
	tid := unix.Gettid()
	c, err := start(t, w)
	c.createdNS = csys.Now()
	if unix.Gettid() == tid {
		c.createTID = tid
	}
	return c, err
}

// openStartProfile starts the run's start profile; when it cannot, the
// returned result (the start of Run's) carries the one line that says why.
func (e *env) openStartProfile() (*startProfiler, *results.Result) {
	sp, off := openStartProfile(e.spec.StartProfilePeriod)
	if sp == nil {
		return nil, &results.Result{StartProfile: &results.StartProfileInfo{Error: off}}
	}
	return sp, nil
}

// startProfileOff is the start profile's record in a result still being
// made: the reason it is off, if Run's opening said one.
func startProfileOff(r *results.Result) *results.StartProfileInfo {
	if r == nil {
		return nil
	}
	return r.StartProfile
}

// finishStartProfile stops the recording and puts the profile into *res.
func (e *env) finishStartProfile(res **results.Result) {
	if e.prof == nil {
		return
	}
	if *res == nil {
		e.prof.rec.Stop()
		return
	}
	var fs *results.ForkserverInfo
	if e.fs != nil {
		fs = &e.fs.info
	}
	(*res).StartProfile, (*res).StartPprof = e.prof.finish(*res, e.labPID, fs)
	e.prof = nil
}

// PhaseNames are the phases of the start profile, in the order a task
// goes through them (the forkserver's own is last).
var PhaseNames = []string{startprof.PhaseCreate, startprof.PhaseChildStart, startprof.PhaseLoop,
	startprof.PhaseChildExit, startprof.PhaseReap, startprof.PhaseServer}

// inLabCall tells a lab sample taken inside a create call or a wait from
// the lab's other work (its sampler, other goroutines, GC) by its Go
// frames: every create call is made in createStamped, every wait in
// collect. A stack that reaches a goroutine's root (runtime.goexit, or
// runtime.mstart on a system stack) without either is other work; one
// cut short in C code (libc's fork has no frame pointer) cannot tell.
func inLabCall(syms *symbols.Symbols) startprof.InCall {
	names := map[uint64]string{}
	fn := func(pc uint64) string {
		n, ok := names[pc]
		if !ok {
			if syms.Contains(pc - 1) {
				n = syms.Frame(pc - 1).Func
			}
			names[pc] = n
		}
		return n
	}
	want := map[string]string{startprof.PhaseCreate: "lab.(*env).createStamped", startprof.PhaseReap: "lab.(*env).collect"}
	return func(phase string, s startprof.Sample) (in, known bool) {
		for _, pc := range s.Stack {
			if startprof.IsKernel(pc) {
				continue
			}
			switch f := strings.TrimSuffix(fn(pc), ".abi0"); { // assembly functions: runtime.goexit.abi0
			case strings.HasSuffix(f, want[phase]):
				return true, true
			case f == "runtime.goexit" || f == "runtime.mstart" || f == "runtime.main":
				return false, true
			}
		}
		return false, false
	}
}
