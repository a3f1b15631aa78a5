package csys

import (
	"os"
	"testing"
)

func TestKibField(t *testing.T) {
	rollup := "00400000-7fff0000 ---p 00000000 00:00 0 [rollup]\nRss:               10456 kB\nPss:                5099 kB\n" +
		"Pss_Anon:           1000 kB\nPss_Dirty:          1100 kB\nShared_Clean:       9000 kB\nPrivate_Clean:        12 kB\nPrivate_Dirty:      1148 kB\n"
	for _, tc := range []struct {
		key  string
		want int64
	}{
		{"Rss:", 10456 << 10},
		{"Pss:", 5099 << 10}, // not Pss_Anon or Pss_Dirty
		{"Pss_Dirty:", 1100 << 10},
		{"Private_Clean:", 12 << 10},
		{"Private_Dirty:", 1148 << 10},
		{"Swap:", -1},
		{"Clean:", -1}, // keys match whole, at the start of a line
	} {
		if got := kibField(rollup, tc.key); got != tc.want {
			t.Errorf("%s = %d, want %d", tc.key, got, tc.want)
		}
	}
	for _, bad := range []string{"", "Rss:", "Rss: kB\n", "Rss:\t-5 kB\n", "Rss: 99999999999999999999 kB\n"} {
		if got := kibField(bad, "Rss:"); got != -1 {
			t.Errorf("%q: %d, want -1", bad, got)
		}
	}
	// The real files parse: this process's own.
	for file, key := range map[string]string{"/proc/self/status": "VmHWM:", "/proc/self/smaps_rollup": "Pss:"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if v := kibField(string(b), key); v <= 0 || v%1024 != 0 {
			t.Errorf("%s %s: %d", file, key, v)
		}
	}
}

// A child's record carries its own CPU and memory, for a fork child, a
// spawned worker and a forkserver child alike (one C path,
// proclab_child_task), with the worker's flags and stamps in order.
func TestChildRecordsOwnFigures(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	task := Task{Index: 1, NIters: 5_000_000}
	creates := map[string]func(w int) (Created, error){
		"fork":  func(w int) (Created, error) { return ForkRun(task, w) },
		"spawn": func(w int) (Created, error) { return Spawn(exe, WorkerArgv(exe, os.Getpid(), task), w) },
	}
	for name, create := range creates {
		c, rec, _ := runChild(t, create)
		wantFlags := uint32(0)
		if name == "spawn" {
			wantFlags = FlagExeced | FlagGoRuntime
		}
		if err := rec.Check(Expect{PPID: os.Getpid(), Flags: wantFlags, CreateNS: c.CreateNS}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if rec.TaskCPUNS <= 0 || rec.TaskCPUNS > rec.TaskEndNS-rec.TaskStartNS+1e6 {
			t.Errorf("%s: task_cpu %d for a run of %d ns", name, rec.TaskCPUNS, rec.TaskEndNS-rec.TaskStartNS)
		}
		if rec.MemErr != 0 || rec.HWMBytes < 256<<10 || rec.EndRSSBytes < 256<<10 || rec.EndUSSBytes <= 0 ||
			rec.EndUSSBytes > rec.EndPSSBytes || rec.EndPSSBytes > rec.EndRSSBytes || rec.MemReadNS < rec.TaskEndNS {
			t.Errorf("%s: memory err %d hwm %d rss %d pss %d uss %d, read at %d (task end %d)", name, rec.MemErr,
				rec.HWMBytes, rec.EndRSSBytes, rec.EndPSSBytes, rec.EndUSSBytes, rec.MemReadNS, rec.TaskEndNS)
		}
	}
}

// The in-process task allocates nothing when it runs: its sample buffer
// and the rest are made by NewInProcessTask, before the thread method
// stamps its create call (before, the 64 KiB buffer was made between that
// stamp and the task's own).
func TestInProcessRunAllocatesNothing(t *testing.T) {
	p := NewInProcessTask(Task{NIters: 1000, ProfileHz: 100}) // too short for a sample
	if n := testing.AllocsPerRun(20, func() { p.Run() }); n != 0 {
		t.Errorf("Run allocates %.0f times", n)
	}
}

// A stopped loop ends early and says so; one that is not stopped gives the
// hot loop's checksum.
func TestInProcessStop(t *testing.T) {
	p := NewInProcessTask(Task{NIters: 1 << 62})
	p.Stop() // before it starts: it runs one block
	ip := p.Run()
	if !ip.Stopped || ip.ItersDone != StopEvery {
		t.Errorf("stopped before the start: stopped %v after %d iterations, want %d", ip.Stopped, ip.ItersDone, StopEvery)
	}
	ip = RunInProcess(Task{NIters: 3*StopEvery + 7})
	if ip.Stopped || ip.ItersDone != 3*StopEvery+7 || ip.Checksum != refHotLoop(3*StopEvery+7) {
		t.Errorf("not stopped: %+v", ip)
	}
}
