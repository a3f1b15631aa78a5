package lab

import (
	"context"
	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
	"syscall"
	"testing"
)

// selfUsage reads the lab process's own minor faults and context switches:
// after each fork the kernel write-protects every private page of the
// parent, so each page the lab writes before the next fork faults once.
func selfUsage() (minflt, ctxsw int64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Minflt, ru.Nvcsw + ru.Nivcsw
}

// BenchmarkStart starts and reaps one near-empty task (n_iters 1) per
// iteration with each process method, through the same path lab.Run takes
// (result pipe, starter, collect, wait4). Besides ns/op it reports the
// tasks' mean startup and total as the lab measured them; compare them
// with `proclab calibrate`'s floor (docs/PERFORMANCE.md).
func BenchmarkStart(b *testing.B) {
	for _, m := range []results.Method{results.Fork, results.ForkExec, results.Spawn, results.Exec} {
		b.Run("method="+string(m), func(b *testing.B) {
			spec := Spec{Methods: []results.Method{m}, NTasks: 1, NIters: 1}
			e, err := newEnv(&spec)
			if err != nil {
				b.Fatal(err)
			}
			defer e.close()
			e.expected = csys.HotLoop(spec.NIters)
			start := e.starter(m)
			ctx := context.Background()
			var startup, total int64
			b.ReportAllocs()
			for b.Loop() {
				t := e.runProcesses(ctx, start)[0]
				if t.Error != "" || t.Checksum != e.expected {
					b.Fatalf("task failed: %+v", t)
				}
				startup += *t.StartupNS
				total += t.TotalNS
			}
			b.ReportMetric(float64(startup)/float64(b.N), "startup-ns/op")
			b.ReportMetric(float64(total)/float64(b.N), "total-ns/op")
		})
	}
}

// BenchmarkForkRate runs 1000 near-empty fork tasks per iteration, all
// created before any is joined (no --max-procs): the lab's throughput.
// tasks/s is comparable with csys.FloorForkRate (BenchmarkFloorForkRate).
func BenchmarkForkRate(b *testing.B) {
	const n = 1000
	spec := Spec{Methods: []results.Method{results.Fork}, NTasks: n, NIters: 1}
	e, err := newEnv(&spec)
	if err != nil {
		b.Fatal(err)
	}
	defer e.close()
	e.expected = csys.HotLoop(spec.NIters)
	start := e.starter(results.Fork)
	ctx := context.Background()
	b.ReportAllocs()
	f0, c0 := selfUsage()
	for b.Loop() {
		for _, t := range e.runProcesses(ctx, start) {
			if t.Error != "" || t.Checksum != e.expected {
				b.Fatalf("task failed: %+v", t)
			}
		}
	}
	f1, c1 := selfUsage()
	tasks := float64(n) * float64(b.N)
	b.ReportMetric(tasks/b.Elapsed().Seconds(), "tasks/s")
	b.ReportMetric(float64(f1-f0)/tasks, "parent-minflt/task")
	b.ReportMetric(float64(c1-c0)/tasks, "parent-ctxsw/task")
}
