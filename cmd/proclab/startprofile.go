package main

import (
	"fmt"
	"os"

	"github.com/proclab/proclab/lab/results"
)

// finishStart writes the start profile, or, where the machine did not
// allow one, says so in one line on stderr and writes no file: the run
// itself went on, and its exit status does not change.
func (p *profiles) finishStart(res *results.Result) error {
	if p.start == nil {
		return nil
	}
	if res == nil || res.StartPprof == nil {
		p.start.abort()
		if res != nil && res.StartProfile != nil && res.StartProfile.Error != "" {
			fmt.Fprintln(os.Stderr, "proclab: "+res.StartProfile.Error)
		}
		return nil
	}
	if err := res.StartPprof.Write(p.start); err != nil {
		p.start.abort()
		return fmt.Errorf("--start-profile: %w", err)
	}
	if err := p.start.commit(); err != nil {
		return fmt.Errorf("--start-profile: %w", err)
	}
	res.StartProfile.Path = p.start.path
	return nil
}
