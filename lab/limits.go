package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// CheckSystem reports, as a plain sentence that says what to do, a spec
// this machine cannot run: more tasks alive at once than the kernel lets
// this user create, or a parent size larger than the memory available. It
// reads the limits as they are now; a limit reached later, while creating,
// is handled as a creation failure.
func (s *Spec) CheckSystem() error {
	need := s.alive()
	for _, kind := range []struct {
		on      bool
		threads bool
		noun    string
	}{
		{slices.ContainsFunc(s.Methods, Method.CreatesProcess), false, "processes"},
		{slices.Contains(s.Methods, Thread), true, "threads"},
	} {
		if !kind.on {
			continue
		}
		lim := taskLimit(kind.threads)
		if need <= lim.n {
			continue
		}
		if s.MaxProcs > 0 {
			return fmt.Errorf("%d tasks alive at once is more than the %d %s this system allows (%s); use --max-procs %d or less",
				need, lim.n, kind.noun, lim.why, max(1, lim.n/2))
		}
		return fmt.Errorf("--n-tasks %d is more than the %d %s this system allows at once (%s); add --max-procs %d to run them in waves",
			s.NTasks, lim.n, kind.noun, lim.why, max(1, min(1000, lim.n/2)))
	}
	if slices.ContainsFunc(s.Methods, Method.CreatesProcess) {
		// Each child alive holds its result pipe open in the lab; os/exec
		// also holds a pidfd.
		perTask := 1
		if slices.Contains(s.Methods, Exec) {
			perTask = 2
		}
		var rl unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY {
			if room := (int(min(rl.Cur, math.MaxInt32)) - fdMargin) / perTask; need > room {
				return fmt.Errorf("%d tasks alive at once would hold %d open files, more than RLIMIT_NOFILE (%d) allows; use --max-procs %d or less",
					need, need*perTask, rl.Cur, max(1, room))
			}
		}
	}
	if len(s.ParentRSS) > 0 {
		want := slices.Max(s.ParentRSS)
		if avail, why := availableMemory(); want > avail {
			return fmt.Errorf("--parent-rss %s is more than the %s of memory available (%s); choose a smaller size",
				iec(want), iec(avail), why)
		}
	}
	return nil
}

// fdMargin is the lab's own open files beyond the tasks' (stdio, the
// poller, /proc reads of the live sampler, the forkserver's socket).
const fdMargin = 64

// limit is a bound and where it comes from, in words.
type limit struct {
	n   int
	why string
}

func (l *limit) lower(n int, why string) {
	if n < l.n {
		l.n, l.why = max(n, 0), why
	}
}

// taskLimit is how many more processes (or, with threads, threads of this
// process) the kernel lets this lab have at once: the lowest of
// kernel.pid_max, kernel.threads-max, the pids cgroup, RLIMIT_NPROC where
// the kernel enforces it, and for threads Go's own thread limit.
func taskLimit(threads bool) limit {
	l := limit{n: math.MaxInt, why: "nothing"}
	if n, err := readInt("/proc/sys/kernel/pid_max"); err == nil {
		l.lower(n, "kernel.pid_max")
	}
	if n, err := readInt("/proc/sys/kernel/threads-max"); err == nil {
		l.lower(n, "kernel.threads-max")
	}
	// Under the limits that count this user's or cgroup's tasks, keep room
	// for the lab's own threads (threads.go).
	if max, cur, ok := pidsCgroup(); ok {
		l.lower(max-cur-threadReserve, fmt.Sprintf("the pids cgroup: pids.max %d, %d in use, %d kept for the lab's threads", max, cur, threadReserve))
	}
	// Processes and threads both count against RLIMIT_NPROC, per real user.
	// The kernel does not apply it to root or to CAP_SYS_ADMIN/RESOURCE.
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY && nprocEnforced() {
		used := tasksOfUser(os.Getuid())
		l.lower(int(min(rl.Cur, math.MaxInt32))-used-threadReserve,
			fmt.Sprintf("RLIMIT_NPROC: ulimit -u %d, %d in use by this user, %d kept for the lab's threads", rl.Cur, used, threadReserve))
	}
	if threads {
		// Go stops the program when it passes its thread limit; keep a
		// margin for the runtime's own threads.
		goMax := debug.SetMaxThreads(math.MaxInt32)
		debug.SetMaxThreads(goMax)
		l.lower(goMax-64, fmt.Sprintf("Go's thread limit of %d", goMax))
	}
	return l
}

// nprocEnforced reports whether the kernel applies RLIMIT_NPROC to this
// process: not for real uid 0, nor with CAP_SYS_ADMIN or CAP_SYS_RESOURCE.
func nprocEnforced() bool {
	if os.Getuid() == 0 {
		return false
	}
	capEff, ok := statusField("/proc/self/status", "CapEff")
	if !ok {
		return true
	}
	caps, err := strconv.ParseUint(capEff, 16, 64)
	if err != nil {
		return true
	}
	return caps&(1<<unix.CAP_SYS_ADMIN|1<<unix.CAP_SYS_RESOURCE) == 0
}

// tasksOfUser counts the threads of every process whose real uid is uid:
// what RLIMIT_NPROC counts.
func tasksOfUser(uid int) int {
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		path := "/proc/" + e.Name() + "/status"
		u, ok := statusField(path, "Uid")
		if !ok || strings.Fields(u)[0] != strconv.Itoa(uid) {
			continue
		}
		if t, ok := statusField(path, "Threads"); ok {
			if k, err := strconv.Atoi(t); err == nil {
				n += k
			}
		}
	}
	return n
}

// pidsCgroup reads pids.max and pids.current of this process's cgroup
// (v2, or the v1 pids controller); ok is false when there is no limit.
func pidsCgroup() (maxPids, cur int, ok bool) {
	for _, dir := range cgroupDirs("pids") {
		m, err1 := readInt(dir + "/pids.max")
		c, err2 := readInt(dir + "/pids.current")
		if err1 == nil && err2 == nil {
			return m, c, true
		}
	}
	return 0, 0, false
}

// availableMemory is the memory a new allocation can take without
// swapping or an OOM kill: MemAvailable, or less if a memory cgroup limit
// leaves less.
func availableMemory() (int64, string) {
	avail, why := int64(math.MaxInt64), "no MemAvailable in /proc/meminfo"
	if v, ok := statusField("/proc/meminfo", "MemAvailable"); ok {
		if kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64); err == nil {
			avail, why = kb<<10, "MemAvailable in /proc/meminfo"
		}
	}
	for _, dir := range cgroupDirs("memory") {
		for _, f := range [][2]string{{"memory.max", "memory.current"}, {"memory.limit_in_bytes", "memory.usage_in_bytes"}} {
			m, err1 := readInt(dir + "/" + f[0])
			u, err2 := readInt(dir + "/" + f[1])
			if err1 == nil && err2 == nil && int64(m-u) < avail {
				avail, why = int64(max(m-u, 0)), "the memory cgroup's "+f[0]
			}
		}
	}
	return avail, why
}

// cgroupDirs lists the directories under /sys/fs/cgroup that hold this
// process's cgroup for controller (v1) or its unified cgroup (v2).
func cgroupDirs(controller string) []string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3) // id:controllers:path
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			out = append(out, "/sys/fs/cgroup"+parts[2])
		case slices.Contains(strings.Split(parts[1], ","), controller):
			out = append(out, "/sys/fs/cgroup/"+controller+parts[2])
		}
	}
	return out
}

// readInt reads a file holding one integer; "max" is an error (no limit).
func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(bytes.TrimSpace(b)))
}

// statusField returns the value of a "Key: value" line of a /proc file.
func statusField(path, key string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// iec writes a byte count with a binary unit, e.g. 1.5GiB.
func iec(b int64) string {
	const units = "KMGTPE"
	if b < 1024 {
		return fmt.Sprintf("%dB", b)
	}
	v, i := float64(b)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + string(units[i]) + "iB"
}

// labPeakRSS is this process's peak resident memory so far (VmHWM).
func labPeakRSS() int64 {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss << 10 // KiB on Linux
}
