package csys

import (
	"os"
	"syscall"
	"testing"
)

// A fork child told to skip its memory read (proclab rate) still reports
// its task, with no memory figures and MemErr ENODATA; the next fork child
// without the flag reads its memory again (the flag is set in the child
// only, never in the lab).
func TestForkRunSkipSelfMem(t *testing.T) {
	c, rec, _ := runChild(t, func(w int) (Created, error) { return ForkRun(Task{Index: 2, NIters: 1000, SkipSelfMem: true}, w) })
	if err := rec.Check(Expect{PPID: os.Getpid(), CreateNS: c.CreateNS}); err != nil {
		t.Fatal(err)
	}
	if rec.Checksum != HotLoop(1000) {
		t.Errorf("checksum %#x, want %#x", rec.Checksum, HotLoop(1000))
	}
	if rec.MemErr != uint32(syscall.ENODATA) || rec.HWMBytes != 0 || rec.EndRSSBytes != 0 || rec.EndPSSBytes != 0 || rec.EndUSSBytes != 0 {
		t.Errorf("skipped read: err %d hwm %d rss %d pss %d uss %d; want ENODATA and zeros",
			rec.MemErr, rec.HWMBytes, rec.EndRSSBytes, rec.EndPSSBytes, rec.EndUSSBytes)
	}
	_, rec, _ = runChild(t, func(w int) (Created, error) { return ForkRun(Task{Index: 3, NIters: 1000}, w) })
	if rec.MemErr != 0 || rec.EndRSSBytes <= 0 {
		t.Errorf("the next child: memory err %d rss %d; want its memory read", rec.MemErr, rec.EndRSSBytes)
	}
}
