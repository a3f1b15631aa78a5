package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	if out, err := runChromium(t, chromium, "--window-size=1200,1800", "--screenshot="+shot, "file://"+filepath.Join(dir, "report.html")); err != nil {
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

	// At a phone's width and at 1280 px: the page never scrolls sideways,
	// nothing but a table's own scrolling wrapper (or a code block) is
	// wider than the page, and no table is clipped. The page itself
	// says, from its layout, in an attribute Chromium's --dump-dom shows.
	check := filepath.Join(dir, "layout-check.html")
	if err := os.WriteFile(check, bytes.Replace(page, []byte("</body>"), []byte(layoutScript+"</body>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{390, 1280} {
		// In an iframe of that width: headless Chromium keeps its window
		// some 500 px wide at least. The page posts its verdict up.
		frame := filepath.Join(dir, fmt.Sprintf("frame-%d.html", width))
		if err := os.WriteFile(frame, []byte(fmt.Sprintf(framePage, width, 900, "layout-check.html")), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := runChromium(t, chromium, fmt.Sprintf("--window-size=%d,950", width+40), "--virtual-time-budget=5000", "--dump-dom", "file://"+frame)
		if err != nil {
			t.Fatalf("chromium at %d px: %v\n%s", width, err, out)
		}
		m := regexp.MustCompile(`data-layout="([^"]*)"`).FindSubmatch(out)
		switch {
		case m == nil:
			t.Errorf("at %d px the layout check did not run", width)
		case !strings.HasSuffix(string(m[1]), " px: ok"):
			t.Errorf("at %d px (the page's width less its scroll bar): %s", width, m[1])
		default:
			t.Logf("at %d px: %s", width, m[1])
		}
		if d := os.Getenv("PROCLAB_HTML_SHOTS"); d != "" { // screenshots for a person to look at
			shotFrame := filepath.Join(dir, fmt.Sprintf("shot-%d.html", width))
			os.WriteFile(shotFrame, []byte(fmt.Sprintf(framePage, width, 3200, "report.html")), 0o644)
			name := filepath.Join(d, fmt.Sprintf("report-%d.png", width))
			if out, err := runChromium(t, chromium, fmt.Sprintf("--window-size=%d,3200", width), "--screenshot="+name, "file://"+shotFrame); err != nil {
				t.Errorf("screenshot at %d px: %v\n%s", width, err, out)
			}
		}
	}
}

// framePage shows a page in an iframe of a width and height, and keeps
// in an attribute what the page posts.
const framePage = `<!DOCTYPE html><html><body style="margin:0">` +
	`<iframe src="%[3]s" width="%[1]d" height="%[2]d" style="border:0;display:block"></iframe>` +
	`<script>window.addEventListener("message", e => document.body.setAttribute("data-layout", e.data));</script></body></html>`

// layoutScript finds what overflows the page: the page wider than the
// window, an element outside a scroller that ends past the window's
// right edge, a table wrapper that does not scroll while its table is
// wider, or one wider than the page.
const layoutScript = `<script>
window.addEventListener("load", () => {
  const vw = document.documentElement.clientWidth, bad = [];
  if (document.documentElement.scrollWidth > vw) bad.push("the page is " + document.documentElement.scrollWidth + " px wide in a " + vw + " px window");
  for (const e of document.querySelectorAll("main *")) {
    if (e.closest(".table-wrap") || e.closest("pre") || (e.closest("svg") && e.tagName.toLowerCase() !== "svg")) continue;
    const r = e.getBoundingClientRect();
    if (r.right > vw + 1) bad.push(e.tagName + " " + JSON.stringify((e.textContent || "").slice(0, 40)) + " ends at " + Math.round(r.right) + " px");
  }
  for (const w of document.querySelectorAll(".table-wrap")) {
    const o = getComputedStyle(w).overflowX;
    if (w.scrollWidth > w.clientWidth && o !== "auto" && o !== "scroll") bad.push("a table is clipped");
    if (w.getBoundingClientRect().right > vw + 1) bad.push("a table's wrapper is wider than the page");
  }
  if (document.querySelectorAll(".table-wrap").length === 0) bad.push("no table");
  const said = bad.length ? bad.slice(0, 6).join("; ").replace(/"/g, "'") : "ok";
  window.parent.postMessage(vw + " px: " + said, "*");
});
</script>
`

// runChromium runs headless Chromium with args and reaps its strays.
func runChromium(t *testing.T, chromium string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}, args...)...)
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	reapChromiumStrays(t)
	if err != nil {
		return append(stdout.Bytes(), stderr.Bytes()...), err
	}
	return stdout.Bytes(), nil
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
