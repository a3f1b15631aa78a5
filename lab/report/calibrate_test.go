package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

func TestCalibrationRenderers(t *testing.T) {
	st := 200e3
	c := &results.Calibration{
		Schema: results.CalibrationSchema, Rounds: 10, NIters: 1,
		Floors: []results.Floor{{Name: "fork+_exit+wait4", N: 10, StartupNS: &st, TotalNS: 400e3, MinFlt: 29},
			{Name: "posix_spawn(/bin/true)+wait4", N: 10, TotalNS: 700e3}},
		Methods: []results.MethodOverhead{
			{Method: results.Fork, Floor: "fork+_exit+wait4", N: 10, StartupNS: 230e3, TotalNS: 520e3,
				StartupRatio: 1.15, TotalRatio: 1.3, StartupOverNS: 30e3, TotalOverNS: 120e3},
			{Method: results.Forkserver, Floor: "fork+_exit+wait4", Error: "not built"},
		},
		Goals: []results.Goal{{Name: "fork startup", Ratio: 1.15, Limit: 1.15, Met: true},
			{Name: "fork total per task", Ratio: 1.3, Limit: 1.2}},
		Rates: []results.Rate{{Name: "floor: fork+_exit+wait4", Tasks: 100, MaxProcs: 2, WallNS: 50e6, TasksPerSec: 2000},
			{Name: "proclab --method fork", Tasks: 100, WallNS: 100e6, TasksPerSec: 1000, FloorRatio: 0.5}},
	}
	var b bytes.Buffer
	if err := CalibrationTable(&b, c, TermOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"startup µs", " 200 ", "1.15×", "+30.0µs", "1.30×", "+120µs", "forkserver: not available: not built",
		"fork startup: proclab's fork costs 1.15x what the same fork costs with nothing around it (the goal is at most 1.15x: within the goal)", "fork total per task: proclab's fork costs 1.30x what the same fork costs with nothing around it (the goal is at most 1.20x: above the goal)",
		"no limit", "0.50×"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// /bin/true writes no stamp: its startup is "-", not 0.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "posix_spawn(/bin/true)") && !strings.Contains(line, " - ") {
			t.Errorf("startup of a program without a stamp: %q", line)
		}
	}
	// The image floor is there, but no exec'd method ran: no header
	// without rows.
	c.Floors = append(c.Floors, results.Floor{Name: "posix_spawn(proclab image, to its constructor)+wait4", N: 10, StartupNS: &st, TotalNS: 500e3})
	// A forkserver below its floor is explained; every line fits 80 columns.
	c.Methods[1] = results.MethodOverhead{Method: results.Forkserver, Floor: "fork+_exit+wait4", N: 10, StartupNS: 160e3, TotalNS: 300e3,
		StartupRatio: 0.8, TotalRatio: 0.75, StartupOverNS: -40e3, TotalOverNS: -100e3}
	b.Reset()
	if err := CalibrationTable(&b, c, TermOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	if strings.Contains(out, "exec'd workers") || !strings.Contains(out, "forkserver is below its floor (0.80x): its forks are made by the forkserver") {
		t.Errorf("exec header without rows, or forkserver below its floor unexplained:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
	b.Reset()
	if err := CalibrationJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	var back results.Calibration
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.Methods) != 2 || back.Floors[1].StartupNS != nil {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
}
