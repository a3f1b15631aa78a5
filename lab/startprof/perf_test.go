package startprof

import (
	"os"
	"os/exec"
	"testing"
)

// TestRecorderSeesChildren: a child started after Open is sampled
// (inherit), on CLOCK_MONOTONIC, with kernel frames that kallsyms names.
func TestRecorderSeesChildren(t *testing.T) {
	r, err := Open(0)
	if err != nil {
		t.Skipf("perf events not allowed here: %v", err)
	}
	// A child that burns CPU in the kernel and in user space.
	cmd := exec.Command("/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; cat /proc/self/maps >/dev/null")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	rec := r.Stop()
	pid := uint32(cmd.Process.Pid)
	var n, kernel int
	for _, s := range rec.Samples {
		if s.PID != pid {
			continue
		}
		n++
		if IsKernel(s.Stack[0]) {
			kernel++
		}
	}
	t.Logf("%d samples (%d of the child, %d in its kernel), %d lost, %d mappings, %d events", len(rec.Samples), n, kernel, rec.Lost, len(rec.Mappings), rec.Events)
	if n == 0 {
		t.Fatalf("no sample of the child %d", pid)
	}
	if rec.Parents[pid] != uint32(os.Getpid()) {
		t.Errorf("fork record: parent of %d is %d, want %d", pid, rec.Parents[pid], os.Getpid())
	}
	k, err := ReadKallsyms("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, s := range rec.Samples {
		for _, pc := range s.Stack {
			if IsKernel(pc) && k.Func(pc) != "" {
				named++
			}
		}
	}
	if kernel > 0 && named == 0 {
		t.Errorf("no kernel frame named")
	}
}
