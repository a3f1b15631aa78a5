package lab

import (
	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// setInProcessProfile keeps the samples a thread or single task took of
// itself (csys/inprof.c). Their addresses are in the lab's own address
// space, so the lab's text base maps them. Profiling is best effort, as in
// children: a timer that could not start leaves the task without samples
// (the profile says why), not failed.
func setInProcessProfile(t *results.Task, hz int, ip csys.InProcess) {
	if hz <= 0 {
		return
	}
	t.Profile = &results.TaskProfile{PCs: ip.Samples, TextBase: csys.TextBase(), Hz: hz, Dropped: ip.SamplesDropped}
	if ip.ProfileErr != nil {
		t.Profile.Err = ip.ProfileErr.Error()
	}
}

// DefaultProfileHz is the sampling rate the command line uses unless told
// otherwise: Go's own default, below the kernel tick (CONFIG_HZ, 250 on
// this machine) that caps any CPU-time timer, and cheap enough to leave
// on (a sample costs one signal, about a microsecond: ~0.01% of the task).
const DefaultProfileHz = 100
