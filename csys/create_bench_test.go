package csys

import (
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// benchCreate starts and reaps one near-empty child per iteration with
// create, reading its record from a raw pipe: what csys alone costs.
func benchCreate(b *testing.B, create func(t Task, w int) (Created, error)) {
	task := Task{NIters: 1}
	var startup int64
	b.ReportAllocs()
	for b.Loop() {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			b.Fatal(err)
		}
		c, err := create(task, p[1])
		unix.Close(p[1])
		if err != nil {
			b.Fatal(err)
		}
		var hdr [RecordHeaderSize]byte
		n, _ := unix.Read(p[0], hdr[:])
		unix.Close(p[0])
		if _, err := Wait4(c.PID); err != nil {
			b.Fatal(err)
		}
		rec, _, err := DecodeHeader(hdr[:n])
		if err != nil {
			b.Fatal(err)
		}
		startup += rec.TaskStartNS - c.CreateNS
	}
	b.ReportMetric(float64(startup)/float64(b.N), "startup-ns/op")
}

func BenchmarkCreate(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("method=fork", func(b *testing.B) { benchCreate(b, ForkRun) })
	b.Run("method=spawn", func(b *testing.B) {
		benchCreate(b, func(t Task, w int) (Created, error) { return Spawn(exe, WorkerArgv(exe, os.Getpid(), t), w) })
	})
	b.Run("method=fork-exec", func(b *testing.B) {
		benchCreate(b, func(t Task, w int) (Created, error) { return ForkExec(exe, WorkerArgv(exe, os.Getpid(), t), w) })
	})
	wk := NewWorker(exe, os.Getpid())
	defer wk.Close()
	b.Run("method=spawn/worker", func(b *testing.B) { benchCreate(b, wk.Spawn) })
	b.Run("method=fork-exec/worker", func(b *testing.B) { benchCreate(b, wk.ForkExec) })
}

// BenchmarkFloorForkRate is the C floor of BenchmarkForkRate: 1000 fork +
// _exit + wait4 per iteration, all created before any is reaped.
func BenchmarkFloorForkRate(b *testing.B) {
	const n = 1000
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for b.Loop() {
		if _, err := FloorForkRate(n, n); err != nil {
			b.Fatal(err)
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	tasks := float64(n) * float64(b.N)
	b.ReportMetric(tasks/b.Elapsed().Seconds(), "tasks/s")
	b.ReportMetric(float64(ru1.Minflt-ru0.Minflt)/tasks, "parent-minflt/task")
	b.ReportMetric(float64(ru1.Nvcsw+ru1.Nivcsw-ru0.Nvcsw-ru0.Nivcsw)/tasks, "parent-ctxsw/task")
}
