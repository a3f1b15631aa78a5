package lab

import (
	"testing"

	"github.com/proclab/proclab/csys"
	"github.com/proclab/proclab/lab/results"
)

// The rate loop's task for the lab's own children allocates nothing (an
// allocation writes runtime memory a live fork child shares copy-on-write),
// and it still tells a good task from a bad one.
func TestDirectTaskAllocatesNothing(t *testing.T) {
	spec := Spec{Methods: []results.Method{results.Fork, results.Spawn}, NTasks: 1, NIters: 1}
	e, err := newEnv(&spec)
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	e.expected = csys.HotLoop(1)
	slots := newRateSlots(1)
	var buf [csys.RecordHeaderSize]byte
	for _, m := range []results.Method{results.Fork, results.Spawn, results.ForkExec} {
		create, flags := e.directCreate(m)
		task := e.task(7)
		task.SkipSelfMem = m == results.Fork
		one := func() {
			ok, err := e.directTask(create, flags, task, 0, slots, &buf)
			if err != nil || !ok {
				t.Fatalf("%s: ok %v, err %v", m, ok, err)
			}
		}
		one() // the first call may set up what later ones reuse
		if n := testing.AllocsPerRun(20, one); n != 0 {
			t.Errorf("%s: %.1f allocations per task, want 0", m, n)
		}
		// A record whose checksum is not the expected one is a failed task.
		e.expected++
		if ok, err := e.directTask(create, flags, task, 0, slots, &buf); ok || err != nil {
			t.Errorf("%s: a wrong checksum passed (ok %v, err %v)", m, ok, err)
		}
		e.expected--
		// So is one that does not answer this task's flags.
		if ok, _ := e.directTask(create, flags^csys.FlagExeced, task, 0, slots, &buf); ok {
			t.Errorf("%s: a record with other flags passed", m)
		}
	}
}
