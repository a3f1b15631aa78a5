package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
	"github.com/proclab/proclab/lab/stats"
)

// A result measured with the start profile on says so under the table,
// and report.md says what the profile shows, in words and a table; one
// whose profile was refused says neither.
func TestStartProfileRendering(t *testing.T) {
	const gib = 1 << 30
	res := &results.Result{
		Spec: results.SpecInfo{Methods: []results.Method{results.Fork, results.Spawn}, NTasks: 2, ParentRSSBytes: []int64{0, gib}},
		StartProfile: &results.StartProfileInfo{PeriodNS: 250_000, Samples: 900, ReaderCPUNS: 3e6, Path: "start.pb.gz", Phases: []results.PhaseSummary{
			{Method: "fork", ParentRSSBytes: gib, Phase: "create", CPUNS: 60e6, Tasks: 2, KernelShare: 1,
				Kernel: []results.FuncShare{{Func: "copy_page_range", Share: 0.85}, {Func: "vm_normal_page", Share: 0.07}},
				User:   []results.FuncShare{{Func: "_Fork", Share: 1}},
				Parts:  []results.FuncShare{{Func: startprof.PartPageTableCopy, Share: 0.99}}},
			{Method: "spawn", ParentRSSBytes: gib, Phase: "child-start", CPUNS: 6e6, Tasks: 2, KernelShare: 0.6,
				Parts: []results.FuncShare{{Func: startprof.PartPageFault, Share: 0.34}, {Func: startprof.PartGoRuntime, Share: 0.19},
					{Func: startprof.PartLoader, Share: 0.13}}},
			{Method: "spawn", ParentRSSBytes: gib, Phase: "loop", CPUNS: 4e6, Tasks: 2},
		}},
	}
	var tbl bytes.Buffer
	if err := Table(&tbl, res, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tbl.String(), "Measured with the start profile on (cpu-clock sampling every 250µs with call chains): the figures above include its cost; 900 samples in phases, read with 3.00ms of the lab's CPU") {
		t.Errorf("table:\n%s", tbl.String())
	}
	var md bytes.Buffer
	startProfileSection(&md, "results", "start-profile", res, true)
	for _, want := range []string{
		"fork with a 1.00GiB parent: the create call took 30.0ms of CPU per task, 100% of it in the kernel and 99% copying page tables (copy_page_range 85%, vm_normal_page 7%)",
		"spawn with a 1.00GiB parent: a child's start (birth to its task's first stamp) took 3.00ms of CPU per task: page faults 34%, the Go runtime 19%, the dynamic loader 13%",
		"| fork | 1GiB | create | 30.0 | copying page tables 99% | copy_page_range 85%, vm_normal_page 7% | \\_Fork 100% |",
		"go tool pprof -top -tagfocus='method:fork$,phase:create$' results/start-profile/start-profile.pb.gz",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "| loop |") {
		t.Errorf("the loop phase is the hot-loop profile's subject, not this table's:\n%s", md.String())
	}
	res.StartProfile = &results.StartProfileInfo{Error: "start profile off: perf_event_open refused"}
	tbl.Reset()
	md.Reset()
	Table(&tbl, res, TableOptions{})
	startProfileSection(&md, "results", "start-profile", res, false)
	if strings.Contains(tbl.String(), "start profile on") || md.Len() > 0 || stats.KindOf(res) == stats.KindStartProfile {
		t.Errorf("a refused profile is reported as on:\n%s\n%s", tbl.String(), md.String())
	}
}
