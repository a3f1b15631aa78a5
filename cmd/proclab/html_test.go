package main

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// report --html writes one self-contained file: every figure inlined as
// SVG, no image fetched from elsewhere. Where Chromium is installed it is
// rendered headless to a PNG (kept as report.png beside it for a person
// to look at), which must show the page: text and figures, not a blank.
func TestReportHTML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if r := runLab(t, "--method", "fork,spawn,thread", "--n-tasks", "2", "--n-iters", "100000", "--repeat", "4", "--out", dir); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r := runLab(t, "report", "--html", dir); r.code != 0 || !strings.Contains(r.stdout, "report.html") {
		t.Fatalf("report --html: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	if n := strings.Count(html, "<svg"); n < 1 {
		t.Errorf("report.html inlines %d SVG figures", n)
	}
	if strings.Contains(html, `<img src="`) && !strings.Contains(html, `<img src="data:`) {
		t.Errorf("report.html refers to an image file")
	}
	for _, want := range []string{"<table>", "Start methods side by side", "spawn"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html has no %q", want)
		}
	}
	t.Logf("report.html: %d bytes", len(page))

	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium): report.html not rendered")
	}
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--window-size=1200,1800", "--screenshot="+shot,
		"file://"+filepath.Join(dir, "report.html"))
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	reapChromiumStrays(t)
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xe000 {
				inked++
			}
		}
	}
	if share := float64(inked) / float64(b.Dx()*b.Dy()/4); share < 0.01 {
		t.Errorf("the rendered page is almost blank: %.2f%% inked", 100*share)
	}
	if os.Getenv("PROCLAB_KEEP_HTML_PNG") != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(os.Getenv("PROCLAB_KEEP_HTML_PNG"), data, 0o644)
	}
}

// reapChromiumStrays kills and reaps Chromium's helper processes, which
// this test binary inherits as a subreaper when Chromium exits without
// waiting for them. They are its children, so their pids cannot have been
// reused.
func reapChromiumStrays(t *testing.T) {
	t.Helper()
	// A helper's own helpers come to this binary only once their parent
	// is reaped: go on until two passes 100 ms apart find none (at most 5 s).
	quiet := 0
	for deadline := time.Now().Add(5 * time.Second); quiet < 2 && time.Now().Before(deadline); {
		found := false
		for _, pid := range childrenOf(os.Getpid()) {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			if c := strings.TrimSpace(string(comm)); strings.HasPrefix(c, "chrom") || strings.HasPrefix(c, "crashpad") {
				syscall.Kill(pid, syscall.SIGKILL)
				syscall.Wait4(pid, nil, 0, nil)
				found = true
			}
		}
		if found {
			quiet = 0
			continue
		}
		quiet++
		time.Sleep(100 * time.Millisecond)
	}
}
