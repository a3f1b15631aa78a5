package lab

import (
	"context"
	"github.com/proclab/proclab/lab/results"
	"os"
	"strconv"
	"strings"
	"testing"
)

// osThreads is this process's OS thread count (/proc/self/status).
func osThreads(t *testing.T) int {
	t.Helper()
	v, ok := statusField("/proc/self/status", "Threads")
	if !ok {
		t.Fatal("no Threads in /proc/self/status")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Where no limit the lab's threads share with other programs is enforced,
// a small fork run reserves no idle threads: each is a stack mapping and a
// guard page that every fork of the lab copies (issue 13). The old code
// reserved 16 threads for every run that creates processes.
func TestRunReservesNoThreadsWithoutRisk(t *testing.T) {
	if threadsAtRisk(1) {
		t.Skip("a task limit shared with other programs is enforced here: the reserve is kept")
	}
	if n := osThreads(t); n >= threadReserve {
		t.Skipf("the test process already has %d threads", n)
	}
	res, err := Run(context.Background(), Spec{Methods: []results.Method{results.Fork}, NTasks: 1, NIters: 1, Repeat: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Runs[0].Tasks[0].Good() {
		t.Fatalf("task: %+v", res.Runs[0].Tasks[0])
	}
	if n := osThreads(t); n >= threadReserve {
		t.Errorf("%d threads after a one-task fork run; want fewer than the reserve of %d", n, threadReserve)
	}
}

// A run whose children take half or more of what the system allows keeps
// the reserve, as does any run where RLIMIT_NPROC is enforced.
func TestThreadsAtRiskNearTheLimit(t *testing.T) {
	if !threadsAtRisk(taskLimit(false).n) {
		t.Error("a run at the system's task limit does not reserve threads")
	}
	if os.Getuid() != 0 && !threadsAtRisk(1) {
		t.Log("RLIMIT_NPROC is not enforced for this uid")
	}
}
