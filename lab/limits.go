package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/rlimit"
)

// CheckSystem reports, as a plain sentence that says what to do, a spec
// this machine cannot run: more tasks alive at once than the kernel lets
// this user create, more open files than RLIMIT_NOFILE, more address
// space than RLIMIT_AS, or a parent size larger than the memory
// available. Advice it gives (--max-procs K) passes this same check. It
// reads the limits as they are now; a limit reached later, while
// creating, is handled as a creation failure.
func (s *Spec) CheckSystem() error {
	if err := s.checkTasks(); err != nil {
		return err
	}
	if err := s.checkOpenFiles(); err != nil {
		return err
	}
	var ballast int64
	if len(s.ParentRSS) > 0 {
		ballast = slices.Max(s.ParentRSS)
	}
	threads := rlimit.LabThreads
	if slices.Contains(s.Methods, results.Thread) {
		threads += s.alive()
	}
	if err := rlimit.CheckAddressSpace(threads, ballast); err != nil {
		return err
	}
	if ballast > 0 {
		avail, why := availableMemory()
		if ballast > avail {
			return fmt.Errorf("--parent-rss %s is more than the %s of memory available (%s); choose a smaller size",
				iec(ballast), iec(avail), why)
		}
		// The ballast is not all the run takes: its children and helpers
		// (Python's driver, its forkserver) and the lab's own growth come
		// on top. Before, --parent-rss 256MiB --method fork,py-spawn passed
		// in a 300 MB memory cgroup and the lab was OOM-killed (exit 137,
		// nothing written).
		if need, what := s.runMemory(ballast); ballast+need > avail {
			return fmt.Errorf("--parent-rss %s and about %s more for the run (%s) is more than the %s of memory available (%s); choose a smaller size or fewer tasks at once",
				iec(ballast), iec(need), what, iec(avail), why)
		}
	}
	return nil
}

// What a run takes of memory beside its ballast, at the least (resident
// sizes measured here, rounded up): the lab's own growth while it runs and
// writes its results, per task alive a Go worker's or a Python child's
// memory or a fork child's page tables and first pages, and Python's
// helpers for the whole run.
const (
	labGrowthBytes   = 32 << 20
	workerBytes      = 6 << 20
	pyChildBytes     = 12 << 20 // a spawned interpreter with multiprocessing
	pyForkChildBytes = 4 << 20
	pyHelperBytes    = 16 << 20 // the driver, Python's forkserver, its resource tracker: each
)

// runMemory is what the run takes beside a ballast of ballast bytes, and
// what that is in words.
func (s *Spec) runMemory(ballast int64) (int64, string) {
	alive := int64(s.alive())
	var tasks int64
	var biggest results.Method
	helpers := int64(0)
	for _, m := range s.Methods {
		var per int64
		switch m {
		case results.Fork:
			per = ballast/256 + 1<<20 // page tables and the pages it writes
		case results.ForkExec, results.Spawn, results.Exec:
			per = workerBytes
		case results.Forkserver:
			per = 1 << 20
		case results.PySpawn, results.PyForkserver:
			per = pyChildBytes
		case results.PyFork:
			per = pyForkChildBytes
		}
		if per*alive > tasks {
			tasks, biggest = per*alive, m
		}
		switch {
		case m == results.PyForkserver:
			helpers = 3 * pyHelperBytes
		case m.IsPython():
			helpers = max(helpers, 2*pyHelperBytes)
		}
	}
	what := "the lab's own growth"
	if tasks > 0 {
		what = fmt.Sprintf("%d %s tasks at once, %s", alive, biggest, what)
	}
	if helpers > 0 {
		what += ", Python's driver and helpers"
	}
	return labGrowthBytes + tasks + helpers, what
}

// taskCost is what one method takes from the limits on tasks (kernel
// tasks: processes and threads alike) with n of its tasks alive.
type taskCost struct {
	perTask int    // kernel tasks per task alive
	extra   int    // kernel tasks however many tasks are alive
	what    string // the cost in words, for messages ("" when 1 per task)
}

func (c taskCost) need(n int) int { return n*c.perTask + c.extra }

// fits is the most tasks alive at once within lim.
func (c taskCost) fits(lim int) int { return max(0, (lim-c.extra)/c.perTask) }

// workerThreads is the threads of a re-exec'd worker (spawn, fork-exec,
// exec): a fresh Go runtime. Measured 5 on 2 CPUs (the main thread
// running the loop, sysmon, and Ms for the GC and the scheduler; peak
// over 8,000 live samples of 24 workers); the runtime's Ms grow with the
// CPU count, so allow one more per CPU past 2, up to 8.
func workerThreads() int { return 3 + min(max(runtime.NumCPU(), 2), 8) }

// costOf is what a task of method m costs against the process limits.
func costOf(m results.Method) taskCost {
	switch m {
	case results.Spawn, results.ForkExec, results.Exec:
		n := workerThreads()
		return taskCost{perTask: n, what: fmt.Sprintf("%d threads each, a Go worker", n)}
	case results.Forkserver:
		return taskCost{perTask: 1, extra: 1, what: "plus the forkserver"}
	case results.PyThread:
		// A thread of the driver per task, and the driver itself.
		return taskCost{perTask: 1, extra: 1, what: "plus the Python driver"}
	case results.PyFork:
		// A single-threaded Python child per task and the driver's thread
		// that waits for it (proclab_pydriver.Driver.reaper), and the
		// driver itself. Counted as 1 per task, --max-procs 22 passed the
		// check under ulimit -u 50 and creation stopped at task 13.
		return taskCost{perTask: 2, extra: 1, what: "2 each: the child and the driver's thread that waits for it; plus the Python driver"}
	case results.PySpawn:
		return taskCost{perTask: 2, extra: 2, what: "2 each: the child and the driver's thread that waits for it; plus the Python driver and its resource tracker"}
	case results.PyForkserver:
		return taskCost{perTask: 2, extra: 3, what: "2 each: the child and the driver's thread that waits for it; plus the Python driver, its forkserver and resource tracker"}
	case results.Thread, results.Single, results.PySingle:
		return taskCost{perTask: 0}
	}
	return taskCost{perTask: 1}
}

// checkTasks checks the tasks alive at once of every method against the
// kernel's limits on processes and threads.
func (s *Spec) checkTasks() error {
	alive := s.alive()
	for _, m := range s.Methods {
		c, lim, noun := costOf(m), limit{}, string(m)+" tasks"
		switch {
		case m == results.Thread:
			// A thread task is a thread of the lab: the lab's own limit.
			c, lim, noun = taskCost{perTask: 1}, taskLimit(true), "threads"
		case c.perTask == 0:
			continue
		default:
			lim = taskLimit(false)
		}
		if c.need(alive) <= lim.n {
			continue
		}
		k := c.fits(lim.n)
		cost := ""
		if c.what != "" {
			cost = " (" + c.what + ")"
		}
		if k < 1 {
			return fmt.Errorf("not even one %s task%s fits in what this system allows at once (%s); raise that limit",
				m, cost, lim.why)
		}
		if s.MaxProcs > 0 {
			return fmt.Errorf("%d tasks alive at once is more than the %d %s%s this system allows at once (%s); use --max-procs %d or less",
				alive, k, noun, cost, lim.why, k)
		}
		return fmt.Errorf("--n-tasks %d is more than the %d %s%s this system allows at once (%s); add --max-procs %d to run them in waves",
			s.NTasks, k, noun, cost, lim.why, min(1000, k))
	}
	return nil
}

// checkOpenFiles checks the files the lab holds open with its tasks
// alive against RLIMIT_NOFILE.
func (s *Spec) checkOpenFiles() error {
	if !slices.ContainsFunc(s.Methods, results.Method.CreatesProcess) {
		return nil
	}
	// Each child alive holds its result pipe open in the lab; os/exec
	// also holds a pidfd.
	perTask := 1
	if slices.Contains(s.Methods, results.Exec) {
		perTask = 2
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == unix.RLIM_INFINITY {
		return nil
	}
	cur := int(min(rl.Cur, math.MaxInt32))
	need := s.alive()
	room := (cur - fdMargin) / perTask
	if need <= room {
		return nil
	}
	if room < 1 {
		return fmt.Errorf("the open files limit (ulimit -n %d) leaves no room for a task: the lab keeps %d open files for itself and each task alive holds %d; raise it to ulimit -n %d or more",
			rl.Cur, fdMargin, perTask, fdMargin+perTask*need)
	}
	return fmt.Errorf("%d tasks alive at once would hold %d open files, more than RLIMIT_NOFILE (%d) allows beside the %d the lab keeps for itself; use --max-procs %d or less, or raise ulimit -n to %d",
		need, need*perTask, rl.Cur, fdMargin, room, fdMargin+perTask*need)
}

// fdMargin is the lab's own open files beyond the tasks': stdio, the
// poller's epoll and eventfd, the cgroup files the runtime keeps for
// GOMAXPROCS, the forkserver's socket, and at peak the files a run opens
// one or two at a time (/proc reads of the live sampler, the binary read
// for symbols, --profile, --cpuprofile, a file of --out). Measured: 9 to
// 11 held during a run (lab/limits_test.go checks the margin holds).
const fdMargin = 24

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
	// for the lab's own threads at their peak (rlimit.LabThreads; they grow
	// while it runs, threads.go), not the few it has now: so the figure
	// does not move from one start to the next, and advice given passes.
	// The runtime may start a thread between the two reads: counted in
	// pids.current, it would pass for someone else's and lower the limit
	// by one, from one start to the next (advice given, then refused).
	// So the lab's own count is taken on both sides and the larger used.
	self := ownThreads()
	if pidsMax, cur, ok := pidsCgroup(); ok {
		others := max0(cur - max(self, ownThreads()))
		l.lower(pidsMax-others-rlimit.LabThreads, fmt.Sprintf("the pids cgroup: pids.max %d, %d in use by others, %d kept for the lab's threads", pidsMax, others, rlimit.LabThreads))
	}
	// Processes and threads both count against RLIMIT_NPROC, per real user.
	// The kernel does not apply it to root or to CAP_SYS_ADMIN/RESOURCE.
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY && nprocEnforced() {
		used := max0(tasksOfUser(os.Getuid()) - self)
		l.lower(int(min(rl.Cur, math.MaxInt32))-used-rlimit.LabThreads,
			fmt.Sprintf("RLIMIT_NPROC: ulimit -u %d, %d in use by this user's other processes, %d kept for the lab's threads", rl.Cur, used, rlimit.LabThreads))
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

// ownThreads is this process's thread count now.
func ownThreads() int {
	if v, ok := statusField("/proc/self/status", "Threads"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return 0
}

func max0(n int) int { return max(n, 0) }

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
	hwm, err := peakRSS()
	if err != nil {
		return 0
	}
	return hwm
}
