package lab

import (
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// threadReserve is how many OS threads the lab makes sure to have before
// it creates children. Threads count against the same limits as processes
// (RLIMIT_NPROC, the pids cgroup, kernel.threads-max), and the Go runtime
// aborts when it cannot start a thread it needs. Children can use up a
// limit faster than the lab notices (EAGAIN is seen only at the next
// create), so the lab starts its threads first: the runtime keeps idle
// threads and reuses them. A busy lab uses about 10 (measured with 2,000
// tasks at once).
const threadReserve = 16

// threadsAtRisk reports whether the lab's threads need reserving before a
// run with alive children at once: where a limit that counts this user's
// or cgroup's tasks is enforced (RLIMIT_NPROC, a pids cgroup), another
// program can take the room the lab checked, and where the run's children
// take half or more of what the system allows. Elsewhere the reserve only
// costs: each idle thread is a stack mapping and a guard page that every
// fork copies (measured: 16 threads add ~47 mappings, and a fork of the
// lab takes longer with them).
func threadsAtRisk(alive int) bool {
	if _, _, ok := pidsCgroup(); ok {
		return true
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &rl); err == nil && rl.Cur != unix.RLIM_INFINITY && nprocEnforced() {
		return true
	}
	return alive >= taskLimit(false).n/2
}

// reserveThreads makes the runtime start threads until it has at least n:
// a goroutine locked to its thread and blocked keeps that thread to
// itself, so n of them at once need n threads. Unlocked again, the threads
// go idle and stay.
func reserveThreads(n int) {
	var ready, release sync.WaitGroup
	ready.Add(n)
	release.Add(1)
	var done sync.WaitGroup
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			ready.Done()
			release.Wait()
			runtime.UnlockOSThread()
		}()
	}
	ready.Wait()
	release.Done()
	done.Wait()
}
