package report

import (
	"fmt"

	"github.com/proclab/proclab/lab"
)

// startProfileLine marks the figures of a run measured with the start
// profile on: its sampling interrupts every running thread of the lab and
// its children, so they carry its cost.
func startProfileLine(res *lab.Result) string {
	sp := res.StartProfile
	if sp == nil || sp.Error != "" {
		return ""
	}
	line := fmt.Sprintf("Measured with the start profile on (cpu-clock sampling every %s with call chains): the figures above include its cost; %d samples in phases",
		dur(float64(sp.PeriodNS)), sp.Samples)
	if sp.Lost > 0 {
		line += fmt.Sprintf(", %d lost", sp.Lost)
	}
	if sp.Path != "" {
		line += ", in " + sp.Path
	}
	return line
}
