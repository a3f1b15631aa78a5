package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/startprof"
)

// outputFile is a file written under a temporary name in its final
// directory and renamed into place on commit: a reader never sees half a
// profile, and an interrupted or failed run leaves no file behind. It is
// created before the run, so a bad path fails at once, not after minutes.
type outputFile struct {
	*os.File
	path string
}

func createOutput(flag, path string) (*outputFile, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		// Refused now: the rename over it would fail only after the run.
		return nil, fmt.Errorf("--%s %s is a directory: give the name of a file", flag, path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	addPending(f.Name())
	// CreateTemp makes the file private; the result is an ordinary output.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		donePending(f.Name())
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	return &outputFile{File: f, path: path}, nil
}

// commit closes the file and renames it into place.
func (o *outputFile) commit() error {
	defer donePending(o.Name())
	if err := o.Close(); err != nil {
		os.Remove(o.Name())
		return err
	}
	if err := os.Rename(o.Name(), o.path); err != nil {
		os.Remove(o.Name())
		return err
	}
	return nil
}

// abort closes and removes the temporary file.
func (o *outputFile) abort() {
	defer donePending(o.Name())
	o.Close()
	os.Remove(o.Name())
}

// profileFlags are the profile outputs asked for on the command line.
type profileFlags struct {
	profile    string        // --profile: pprof of every task's hot loop
	cpuProfile string        // --cpuprofile: Go CPU profile of the lab itself
	startProf  string        // --start-profile: where the CPU goes while tasks start and end (startprofile.go)
	startEvery time.Duration // --start-profile-period
}

func (f *profileFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.profile, "profile", "", "write a pprof profile of every task's hot loop to this file (gzipped; read it with go tool pprof)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the lab process itself to this file")
	fl.StringVar(&f.startProf, "start-profile", "", "write a pprof profile of the CPU spent starting and ending tasks (kernel and user frames, perf events) to this file; with --out also DIR/start-profile.pb.gz")
	fl.DurationVar(&f.startEvery, "start-profile-period", startprof.DefaultPeriod, "the start profile's sampling period per running thread (at least 10µs; shorter sees more and slows the figures more)")
}

// profiles are the profile outputs of one invocation.
type profiles struct {
	hot   *outputFile // --profile: the hot loop of every task
	cpu   *outputFile // --cpuprofile: the lab process itself
	start *outputFile // --start-profile
}

// start opens the outputs asked for and starts the lab's own CPU profile.
// Go's profiler and the lab's in-process sampler of thread and single tasks
// share SIGPROF without conflict (see csys/inprof.c).
func (f *profileFlags) startProfiles(spec lab.Spec) (*profiles, error) {
	var p profiles
	if f.profile != "" {
		if spec.ProfileHz == 0 {
			return nil, errors.New("--profile needs --profile-hz above 0")
		}
		var err error
		if p.hot, err = createOutput("profile", f.profile); err != nil {
			return nil, err
		}
	}
	if f.startProf != "" {
		var err error
		if p.start, err = createOutput("start-profile", f.startProf); err != nil {
			p.abort()
			return nil, err
		}
	}
	if f.cpuProfile != "" {
		var err error
		if p.cpu, err = createOutput("cpuprofile", f.cpuProfile); err != nil {
			p.abort()
			return nil, err
		}
		if err := pprof.StartCPUProfile(p.cpu); err != nil {
			p.cpu.abort()
			p.cpu = nil
			p.abort()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	return &p, nil
}

// finish stops the lab's CPU profile and writes both profiles. The hot-loop
// profile is written only from a result that has one (an interrupted run
// still has what it measured).
func (p *profiles) finish(res *results.Result) error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.commit(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
		}
	}
	if p.hot != nil {
		err := writeHotProfile(p.hot, res)
		if err == nil {
			err = p.hot.commit()
		} else {
			p.hot.abort()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--profile: %w", err))
		}
	}
	if err := p.finishStart(res); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func writeHotProfile(w io.Writer, res *results.Result) error {
	if res == nil {
		return errors.New("nothing was measured")
	}
	return report.Profile(w, res)
}

// abort removes the outputs without writing them (the run never started).
func (p *profiles) abort() {
	if p.cpu != nil {
		pprof.StopCPUProfile()
		p.cpu.abort()
	}
	if p.hot != nil {
		p.hot.abort()
	}
	if p.start != nil {
		p.start.abort()
	}
}
