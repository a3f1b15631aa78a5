package lab

// Every gopsutil call of proclab lives in this file, so that the library's
// quirks (gopsutil v3.24, Linux) are known in one place:
//
//   - Process.CreateTime has whole-second resolution (it comes from the
//     clock-tick start time in /proc/PID/stat plus a boot time in seconds).
//     proclab never uses it: a task's time zero is its CLOCK_MONOTONIC
//     create stamp.
//   - NewProcess checks that the pid exists and reads its create time: two
//     /proc reads the sampler does not need, since the lab knows its pids are
//     live until it unwatches them. So a Process is made from its pid alone.
//   - Process.Times has 10 ms resolution (USER_HZ clock ticks from
//     /proc/PID/stat), so a CPU percent over a 50 ms interval moves in steps
//     of 20 %. Final CPU figures come from wait4's rusage (microseconds).
//     Without the boot-time cache each Times call also re-reads /proc/stat
//     for the boot time: EnableBootTimeCache(true) halves the cost of a
//     sample.
//   - Process.MemoryInfo reads /proc/PID/statm and leaves HWM at 0 (read
//     VmHWM from /proc/PID/status if a high-water mark is needed).
//     readQuick (Times and MemoryInfo) is what BenchmarkSample weighs the
//     sampler's quick reading against (quickread.go: one pread of
//     /proc/PID/stat, 7x cheaper); the full reading takes RSS from
//     MemoryMaps(true), consistent with PSS and USS from the same read. A
//     zombie's statm is all zero, as its memory map is.
//   - Process.MemoryMaps(true) reads /proc/PID/smaps_rollup (kernel >= 4.15)
//     and sums it into one entry; its values are in KiB. The kernel walks
//     the page tables for it, so it costs more for a large process.
//     USS is Private_Clean + Private_Dirty. A process that has exited but
//     is not yet reaped (a zombie) has no memory map: its read is all zero.
//   - NumThreads and NumCtxSwitches each re-read /proc/PID/status.

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/proclab/proclab/lab/results"
	"github.com/shirou/gopsutil/v3/cpu"
	"github.com/shirou/gopsutil/v3/host"
	"github.com/shirou/gopsutil/v3/load"
	"github.com/shirou/gopsutil/v3/mem"
	"github.com/shirou/gopsutil/v3/process"
)

func init() {
	// The boot time does not change while proclab runs.
	process.EnableBootTimeCache(true)
	host.EnableBootTimeCache(true)
}

// procReading is one gopsutil reading of a live process.
type procReading struct {
	cpuSeconds       float64 // user + system since the process started, 10 ms steps
	rss, pss, uss    int64   // bytes
	threads          int32
	volCtx, involCtx int64
	quick            bool // readQuick: CPU and RSS only
}

// procReader reads one process through gopsutil.
type procReader struct{ p *process.Process }

func newProcReader(pid int) procReader { return procReader{&process.Process{Pid: int32(pid)}} }

// read takes one reading. gone is true when the process has exited (its
// memory map is empty): such a reading says nothing and is dropped.
func (r procReader) read(ctx context.Context) (rd procReading, gone bool, err error) {
	ts, err := r.p.TimesWithContext(ctx)
	if err != nil {
		return rd, false, fmt.Errorf("times: %w", err)
	}
	maps, err := r.p.MemoryMapsWithContext(ctx, true)
	if err != nil {
		return rd, false, fmt.Errorf("smaps_rollup: %w", err)
	}
	if maps == nil || len(*maps) == 0 || (*maps)[0].Rss == 0 {
		return rd, true, nil
	}
	m := (*maps)[0]
	threads, err := r.p.NumThreadsWithContext(ctx)
	if err != nil {
		return rd, false, fmt.Errorf("threads: %w", err)
	}
	cs, err := r.p.NumCtxSwitchesWithContext(ctx)
	if err != nil {
		return rd, false, fmt.Errorf("context switches: %w", err)
	}
	const kib = 1024
	return procReading{
		cpuSeconds: ts.User + ts.System,
		rss:        int64(m.Rss) * kib,
		pss:        int64(m.Pss) * kib,
		uss:        int64(m.PrivateClean+m.PrivateDirty) * kib,
		threads:    threads,
		volCtx:     cs.Voluntary,
		involCtx:   cs.Involuntary,
	}, false, nil
}

// readQuick takes a quick reading with gopsutil: CPU from Times
// (/proc/PID/stat) and RSS from MemoryInfo (/proc/PID/statm), no
// page-table walk, 36 µs (BenchmarkSample). The sampler reads the same
// with statReader (5 µs); PSS, USS, threads and context switches stay 0.
func (r procReader) readQuick(ctx context.Context) (rd procReading, gone bool, err error) {
	ts, err := r.p.TimesWithContext(ctx)
	if err != nil {
		return rd, false, fmt.Errorf("times: %w", err)
	}
	mi, err := r.p.MemoryInfoWithContext(ctx)
	if err != nil {
		return rd, false, fmt.Errorf("statm: %w", err)
	}
	if mi.RSS == 0 {
		return rd, true, nil
	}
	return procReading{cpuSeconds: ts.User + ts.System, rss: int64(mi.RSS), quick: true}, false, nil
}

// psutilHost fills what gopsutil knows about the machine into h, and
// returns one problem per figure it could not read.
func psutilHost(ctx context.Context, h *results.Host) []error {
	var errs []error
	note := func(what string, err error) bool {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
		return err == nil
	}
	if infos, err := cpu.InfoWithContext(ctx); note("cpu model", err) && len(infos) > 0 {
		h.CPUModel = infos[0].ModelName
	}
	if n, err := cpu.CountsWithContext(ctx, true); note("cpu count", err) {
		h.CPUs = n
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); note("memory", err) {
		h.MemoryBytes = int64(vm.Total)
	}
	if la, err := load.AvgWithContext(ctx); note("load average", err) {
		h.LoadAvg = []float64{la.Load1, la.Load5, la.Load15}
	}
	if k, err := host.KernelVersionWithContext(ctx); note("kernel", err) {
		h.Kernel = k
	}
	if a, err := host.KernelArch(); note("kernel arch", err) {
		h.Arch = a
	}
	// Not host.PlatformInformation: without /etc/lsb-release it runs the
	// lsb_release script, a dozen processes the lab would create before
	// its measurements (and children a test would see). os-release says
	// the same.
	if p, v, err := osRelease("/etc/os-release"); note("platform", err) {
		h.Platform = join(p, v)
	}
	if sys, role, err := host.VirtualizationWithContext(ctx); note("virtualization", err) {
		h.Virtualization = join(sys, role)
	}
	return errs
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + " " + b
}

// osRelease reads the distribution's ID and VERSION_ID from an
// os-release file.
func osRelease(path string) (id, version string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			id = v
		case "VERSION_ID":
			version = v
		}
	}
	return id, version, nil
}
