package lab

import (
	"github.com/proclab/proclab/lab/results"
	"runtime"
	"testing"
	"time"
)

// Result pipes are raw fds closed exactly once. An *os.File wrapped around
// one would close it again when collected, perhaps as another task's pipe
// by then, and that task's reader would wait forever. GC runs all the time
// here so that such a finalizer gets its chance.
func TestPipesClosedOnceUnderGC(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	for i := 0; i < 20; i++ {
		// With the bug, a task's read waits forever on a write end the
		// lab itself holds; the timeout turns that hang into a failure.
		res := runSpec(t, Spec{Methods: []results.Method{results.Exec, results.Fork, results.Forkserver}, NTasks: 3, NIters: 1000, Timeout: 30 * time.Second})
		for _, r := range res.Runs {
			for j, tk := range r.Tasks {
				if !tk.Good() {
					t.Fatalf("iteration %d, %s task %d: %+v", i, r.Method, j, tk)
				}
			}
		}
	}
	assertNoChildren(t)
}
