package main

import (
	"io"
	"os"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// progress is a progress bar over runs, drawn on stderr only when stderr is
// a terminal: a log file or a pipe gets no bar and no control characters.
//
// The bar is mpb's: it pulls in no net/http (progressbar/v3 did, and with
// it crypto/tls and its package inits, in every process of the lab).
type progress struct {
	w   io.Writer
	p   *mpb.Progress
	bar *mpb.Bar
}

func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: stderr}
}

// update is a lab.Spec Progress callback; nil when there is no terminal,
// so the lab does not even call it.
func (p *progress) update() func(done, total int) {
	if p == nil {
		return nil
	}
	return func(done, total int) {
		if p.bar == nil {
			p.p = mpb.New(mpb.WithOutput(p.w), mpb.WithWidth(30), mpb.WithRefreshRate(100*time.Millisecond))
			p.bar = p.p.AddBar(int64(total),
				mpb.PrependDecorators(decor.Name("runs "), decor.CountersNoUnit("%d/%d")),
				mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO), decor.Name(" elapsed, "),
					decor.AverageETA(decor.ET_STYLE_GO), decor.Name(" left")),
				mpb.BarRemoveOnComplete())
		}
		p.bar.SetCurrent(int64(done))
	}
}

// finish removes the bar so the results start on a clean line, whether
// every run was done or the lab was interrupted.
func (p *progress) finish() {
	if p == nil || p.bar == nil {
		return
	}
	if !p.bar.Completed() {
		p.bar.Abort(true)
	}
	p.p.Wait()
}
