package lab

import (
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// hostMark is the machine's and the lab's CPU at one moment: what every
// process used (the aggregate cpu line of /proc/stat: user, nice, system,
// irq, softirq and steal, in USER_HZ ticks of 10 ms; idle and iowait left
// out), the lab's own (getrusage RUSAGE_SELF, microseconds), and when
// (CLOCK_MONOTONIC). Two of them around a run give the CPU other
// processes took while it ran (stats.Contention).
type hostMark struct {
	ok             bool
	busyNS, selfNS int64
	atNS           int64
}

// userHZ is the unit of /proc/stat's figures (USER_HZ: 100 on Linux, in
// every ABI; sysconf(_SC_CLK_TCK) says the same).
const userHZ = 100

func markHost() hostMark {
	m := hostMark{atNS: csys.Now()}
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) == nil {
		m.selfNS = ru.Utime.Nano() + ru.Stime.Nano()
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return m
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return m
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system (idle iowait) irq softirq steal
		v, err := strconv.ParseInt(string(f[i]), 10, 64)
		if err != nil {
			return m
		}
		busy += v
	}
	m.busyNS, m.ok = busy*(1e9/userHZ), true
	return m
}

// recordHost sets run's machine figures from marks taken before and
// after it, and the 1-minute load average at its start.
func recordHost(run *results.RunResult, before, after hostMark, load *float64) {
	run.Load1 = load
	if !before.ok || !after.ok || after.atNS <= before.atNS {
		return
	}
	run.HostBusyNS = ptr(max(after.busyNS-before.busyNS, 0))
	run.LabCPUNS = ptr(max(after.selfNS-before.selfNS, 0))
	run.HostWindowNS = ptr(after.atNS - before.atNS)
}
