package startprof

import (
	"os"
	"testing"
)

// Each phase is cut by the stamps it is documented to be cut by, and a
// pid that comes back in a later task is told apart by time.
func TestAssignPhases(t *testing.T) {
	const lab, tid, other, srv = 100, 101, 102, 200
	spans := []Span{
		{Method: "fork", Task: 0, ParentRSS: 1 << 20, PID: 300, CreatorPID: lab, CreateTID: tid,
			CreateNS: 1000, CreatedNS: 1100, StartNS: 1200, EndNS: 1300, WaitNS: 1150, ReapedNS: 1400},
		{Method: "forkserver", Task: 1, ParentRSS: 1 << 20, PID: 301, CreatorPID: lab,
			CreateNS: 2000, CreatedNS: 2100, StartNS: 2200, EndNS: 2300, WaitNS: 2150, ReapedNS: 2400},
		// pid 300 again, a later task
		{Method: "fork", Task: 2, ParentRSS: 1 << 20, PID: 300, CreatorPID: lab, CreateTID: tid,
			CreateNS: 3000, CreatedNS: 3100, StartNS: 3200, EndNS: 3300, WaitNS: 3150, ReapedNS: 3400},
	}
	smp := func(pid, tid uint32, t int64) Sample {
		return Sample{PID: pid, TID: tid, TimeNS: t, Stack: []uint64{1}}
	}
	reaping := func(s Sample) Sample { s.Stack = []uint64{2}; return s }
	elsewhere := func(s Sample) Sample { s.Stack = []uint64{3}; return s }
	cases := []struct {
		s      Sample
		method string
		phase  string
		task   int
	}{
		{smp(lab, tid, 1050), "fork", PhaseCreate, 0},
		{smp(lab, other, 1050), "", "", 0},          // another lab thread during fork's create call
		{elsewhere(smp(lab, tid, 1060)), "", "", 0}, // another goroutine on the creating thread
		{smp(300, 300, 1050), "fork", PhaseChildStart, 0},
		{smp(300, 300, 1250), "fork", PhaseLoop, 0},
		{smp(300, 300, 1350), "fork", PhaseChildExit, 0},
		{reaping(smp(lab, other, 1380)), "fork", PhaseReap, 0}, // the wait may run on any thread
		{elsewhere(smp(lab, other, 1390)), "", "", 0},          // another goroutine meanwhile
		{smp(lab, tid, 1500), "", "", 0},                       // the lab between tasks
		{smp(lab, other, 2050), "forkserver", PhaseCreate, 1},
		{smp(srv, srv, 2050), "forkserver", PhaseServer, 1},
		{smp(srv, srv, 2350), "forkserver", PhaseServer, 1}, // reporting the task's end
		{smp(srv, srv, 500), "", "", 0},                     // the server's own start
		{smp(300, 300, 3250), "fork", PhaseLoop, 2},
		{smp(999, 999, 1250), "", "", 0}, // no task's process
	}
	var samples []Sample
	for _, c := range cases {
		samples = append(samples, c.s)
	}
	// The stack of a lab sample on an unknown thread says whether it is
	// in the call: here, address 2 is the wait.
	in := func(phase string, s Sample) (bool, bool) {
		switch s.Stack[0] {
		case 2:
			return phase == PhaseReap, true
		case 3: // another goroutine
			return false, true
		}
		return false, false
	}
	got, un := Assign(samples, spans, []Server{{PID: srv, Method: "forkserver"}}, in)
	i := 0
	wantUn := 0
	for _, c := range cases {
		if c.phase == "" {
			wantUn++
			continue
		}
		if i >= len(got) {
			t.Fatalf("sample at %d (pid %d) left out, want %s/%s", c.s.TimeNS, c.s.PID, c.method, c.phase)
		}
		g := got[i]
		i++
		if g.TimeNS != c.s.TimeNS || g.Method != c.method || g.Phase != c.phase || g.Task != c.task || g.ParentRSS != 1<<20 {
			t.Errorf("sample at %d (pid %d tid %d): %s/%s task %d, want %s/%s task %d",
				c.s.TimeNS, c.s.PID, c.s.TID, g.Method, g.Phase, g.Task, c.method, c.phase, c.task)
		}
	}
	if un != wantUn || len(got) != i {
		t.Errorf("%d unattributed and %d labelled, want %d and %d", un, len(got), wantUn, i)
	}
}

// A kallsyms that hides addresses (kptr_restrict) reads as an error that
// says so; a readable one names the function holding an address.
func TestKallsyms(t *testing.T) {
	dir := t.TempDir()
	hidden := dir + "/hidden"
	writeFile(t, hidden, "0000000000000000 T copy_page_range\n0000000000000000 t vm_normal_page\n")
	if _, err := ReadKallsyms(hidden); err != ErrKptrRestrict {
		t.Errorf("hidden addresses: %v, want ErrKptrRestrict", err)
	}
	shown := dir + "/shown"
	writeFile(t, shown, "ffffffff81000000 T _stext\nffffffff81000100 d some_data\nffffffff81000200 T copy_page_range\nffffffff81000300 t vm_normal_page\t[kvm]\n")
	k, err := ReadKallsyms(shown)
	if err != nil {
		t.Fatal(err)
	}
	for pc, want := range map[uint64]string{0xffffffff81000250: "copy_page_range", 0xffffffff81000150: "_stext",
		0xffffffff81000300: "vm_normal_page", 0xffffffff80000000: ""} {
		if got := k.Func(pc); got != want {
			t.Errorf("Func(%#x) = %q, want %q", pc, got, want)
		}
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
