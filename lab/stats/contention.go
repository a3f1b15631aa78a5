package stats

import (
	"fmt"
	"math"

	"github.com/proclab/proclab/lab/results"
)

// Contention is what a group's own figures say of the CPUs its tasks got.
// Every task that counts records its loop's CPU (task_cpu_ns, the CPU
// clock of the thread that ran it) and the loop's time (run_ns): a
// CPU-bound loop that ran alone on a CPU has a share of 1. Where the
// tasks did not outnumber the CPUs, a share well below 1 means other
// processes took the CPUs, and every duration of the group (startup,
// total, wall) includes waiting for one.
type Contention struct {
	// Share is the median over the tasks of task_cpu_ns / run_ns (loops of
	// at least MinShareLoopNS; N of them).
	Share float64
	N     int
	// Expected is the share the method allows on the machine: 1 for
	// tasks one after another, min(1, CPUs/n_tasks) for tasks at once,
	// 1/n_tasks for Python threads (one holds the GIL at a time).
	Expected float64
	// OthersCPUs is the CPUs other processes used on average while the
	// runs ran: the machine's busy CPU (/proc/stat) less the lab's own and
	// its tasks' processes', over the time between the reads; NaN when the
	// runs did not record it, or ran for less than MinOthersWindowNS. The Python driver and the forkserver count
	// as others (a few ms). Load1 is the median 1-minute load average at
	// the runs' start (NaN: not recorded).
	OthersCPUs, Load1 float64
	// Contended: Share is below ContendedBelow of Expected.
	Contended bool
}

// MinShareLoopNS is the shortest loop whose share counts: shorter ones
// are one scheduling slice or less, and say nothing of the machine.
const MinShareLoopNS = int64(1e6)

// MinOthersWindowNS is the least time of runs over which OthersCPUs is
// given: /proc/stat counts in 10 ms ticks per CPU, so each run's figure
// is off by up to a tick per CPU at either end; over half a second of
// runs that is a few hundredths of a CPU.
const MinOthersWindowNS = int64(500e6)

// ContendedBelow is the part of the expected share below which a group's
// loops count as contended: a quarter of their CPU time lost to others.
const ContendedBelow = 0.75

// ExpectedShare is the CPU share the loops of method m with nTasks tasks
// can have on cpus CPUs (0: unknown, taken as enough).
func ExpectedShare(m results.Method, nTasks, cpus int) float64 {
	switch {
	case m == results.Single || m == results.PySingle || nTasks <= 1:
		return 1
	case m == results.PyThread:
		return 1 / float64(nTasks)
	case cpus > 0 && nTasks > cpus:
		return float64(cpus) / float64(nTasks)
	}
	return 1
}

// ContentionOf computes the Contention of a group's runs with nTasks
// tasks each on cpus CPUs.
func ContentionOf(m results.Method, runs []*results.RunResult, nTasks, cpus int) Contention {
	var shares, loads []float64
	var busy, lab, tasks, window int64
	for _, r := range runs {
		for j := range r.Tasks {
			t := &r.Tasks[j]
			if Counts(t) && t.TaskCPUNS != nil && t.RunNS >= MinShareLoopNS {
				shares = append(shares, float64(*t.TaskCPUNS)/float64(t.RunNS))
			}
		}
		if r.Load1 != nil {
			loads = append(loads, *r.Load1)
		}
		if r.HostBusyNS == nil || r.LabCPUNS == nil || r.HostWindowNS == nil {
			continue
		}
		busy += *r.HostBusyNS
		lab += *r.LabCPUNS
		window += *r.HostWindowNS
		tasks += tasksOwnCPU(r)
	}
	c := Contention{Share: Median(shares), N: len(shares), Expected: ExpectedShare(m, nTasks, cpus),
		OthersCPUs: math.NaN(), Load1: math.NaN()}
	if len(loads) > 0 {
		c.Load1 = Median(loads)
	}
	if window >= MinOthersWindowNS {
		c.OthersCPUs = math.Max(float64(busy-lab-tasks), 0) / float64(window)
	}
	c.Contended = c.N > 0 && c.Share < ContendedBelow*c.Expected
	return c
}

// tasksOwnCPU is the CPU of run's tasks outside the lab's own process:
// a child process's user+sys (wait4's rusage), a Python in-process task's
// loop CPU (it ran in the driver); the lab's threads are in its own.
func tasksOwnCPU(r *results.RunResult) int64 {
	var ns int64
	for j := range r.Tasks {
		t := &r.Tasks[j]
		switch {
		case t.UserNS != nil && t.SysNS != nil && r.Method.CreatesProcess():
			ns += *t.UserNS + *t.SysNS
		case (r.Method == results.PyThread || r.Method == results.PySingle) && t.TaskCPUNS != nil:
			ns += *t.TaskCPUNS
		case r.Method.CreatesProcess() && t.TaskCPUNS != nil: // no rusage passed on (py-forkserver)
			ns += *t.TaskCPUNS
		}
	}
	return ns
}

// ContentionWarning says, with its figures, that a row's loops got less
// CPU than the machine allows; "" when they did not.
func ContentionWarning(where string, m results.Method, c Contention, nTasks, cpus int) string {
	if !c.Contended {
		return ""
	}
	allows := fmt.Sprintf("%d tasks at once", nTasks)
	switch {
	case c.Expected == 1 && (nTasks <= 1 || cpus == 0):
		allows = "a task alone"
	case c.Expected == 1 && cpus > 0 && nTasks <= cpus:
		allows = fmt.Sprintf("%d tasks on %d CPUs", nTasks, cpus)
	case cpus > 0:
		allows = fmt.Sprintf("%d tasks on %d CPUs", nTasks, cpus)
	}
	if c.Expected == 1 && nTasks > 1 && (cpus == 0 || m == results.Single || m == results.PySingle) {
		allows = "tasks one after another"
	}
	if m == results.PyThread {
		allows = fmt.Sprintf("%d Python threads sharing the GIL", nTasks)
	}
	others := ""
	if !math.IsNaN(c.OthersCPUs) {
		others = fmt.Sprintf("; other processes used %.1f CPUs while these runs ran", c.OthersCPUs)
	}
	if !math.IsNaN(c.Load1) {
		others += fmt.Sprintf(" (load %.1f at their start)", c.Load1)
	}
	return fmt.Sprintf("%s: contended: the tasks' loops got a median %.0f%% of a CPU (their own CPU over the loop's time, %s), where %.0f%% is possible (%s)%s; "+
		"its startup, total and wall include waiting for a CPU and read slower than this machine is: rerun on a quieter machine",
		where, 100*c.Share, tasksText(c.N), 100*c.Expected, allows, others)
}

func tasksText(n int) string {
	if n == 1 {
		return "1 task"
	}
	return fmt.Sprintf("%d tasks", n)
}
