package reportrun

import (
	"context"
	"testing"
	"time"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// On a real spawn run the split is there, its parts positive and in order.
func TestExecSplitRealSpawn(t *testing.T) {
	res, err := lab.Run(context.Background(), lab.Spec{Methods: []results.Method{results.Spawn, results.Fork}, NTasks: 2, NIters: 1000, Repeat: 1})
	if err != nil {
		t.Fatal(err)
	}
	rows := stats.Rows(res)
	sp, _ := stats.RowFor(rows, stats.Key{Method: results.Spawn, NTasks: 2, NIters: 1000})
	s := sp.Split
	if s.N != 2 || s.Image <= 0 || s.Program <= 0 || s.ToTask < 0 || s.Image+s.Program > s.Startup*1.5 || !(s.ProgramShare > 0 && s.ProgramShare < 1) {
		t.Errorf("spawn's split: %+v", s)
	}
	if f, _ := stats.RowFor(rows, stats.Key{Method: results.Fork, NTasks: 2, NIters: 1000}); f.Split.N != 0 {
		t.Errorf("fork has a split: %+v", f.Split)
	}
	t.Logf("spawn: startup %v = image %v + Go start %v + to task %v (medians)", time.Duration(s.Startup), time.Duration(s.Image), time.Duration(s.Program), time.Duration(s.ToTask))
}
