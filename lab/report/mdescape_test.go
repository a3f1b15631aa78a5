package report

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// report.md is safe to paste: the commands it suggests are quoted for a
// POSIX shell (an --out of ".../x;touch PWNED;y" stays one argument, and
// nothing is run), and text the lab recorded (a command, a warning, a
// task's error, a host field, a directory name) is text in report.md and
// report.html, never a tag.
func TestReportSafeToPaste(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "x;touch PWNED;y 'q' $(touch PWNED2)")
	res := oneRun(results.Fork, []int64{0}, 311_000, 327_000)
	res.Command = []string{"proclab", "--method", "fork", "--out", root + "/`<script>alert(1)</script>`"}
	res.Warnings = []string{"<script>alert(2)</script> and <img src=x onerror=alert(3)>", "[click](javascript:alert(4))"}
	res.Runs[0].Tasks[0].Error = "<b>killed</b> | *bold* `tick`"
	res.Host = &results.Host{THP: "`<script>alert(5)</script>"}
	lr := LabReport{Title: "<script>alert(6)</script>", Root: root, Sections: []LabSection{
		{Dir: "m)(javascript:alert(7)", Res: res, Files: []string{"bench.txt", "results.json", "profile.pb.gz"}}}}
	var md bytes.Buffer
	if err := Lab(&md, lr); err != nil {
		t.Fatal(err)
	}
	// Outside code (a code span, an indented block), where it is text
	// anyway, no tag starts unescaped.
	prose := regexp.MustCompile("(?m)^    .*$").ReplaceAllString(md.String(), "")
	prose = regexp.MustCompile("``.*?``").ReplaceAllString(prose, "")
	if regexp.MustCompile(`(^|[^\\])<(script|img|b)\b`).MatchString(prose) {
		t.Errorf("report.md passes raw HTML through:\n%s", md.String())
	}
	if regexp.MustCompile(`[^\\]\]\(javascript:`).MatchString(md.String()) {
		t.Errorf("report.md makes a recorded text a link:\n%s", md.String())
	}

	// Every suggested command, run by a real shell with the command
	// itself replaced by printf: each argument comes out whole and
	// nothing else runs.
	cmds := regexp.MustCompile(`(?m)^    (go run golang.org/x/perf/cmd/benchstat@latest|go tool pprof -top|go tool pprof -http=localhost:8080) (.*)$`).FindAllStringSubmatch(md.String(), -1)
	if len(cmds) < 3 {
		t.Fatalf("%d commands in report.md:\n%s", len(cmds), md.String())
	}
	for _, c := range cmds {
		sh := exec.Command("/bin/sh", "-c", `printf '%s\n' `+c[2])
		sh.Dir = tmp
		out, err := sh.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v: %s", c[0], err, out)
		}
		args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		switch c[1] {
		case "go run golang.org/x/perf/cmd/benchstat@latest":
			want := []string{root + "/m)(javascript:alert(7)/bench.txt", "OTHER/m)(javascript:alert(7)/bench.txt"}
			if len(args) != 2 || args[0] != want[0] || args[1] != want[1] {
				t.Errorf("benchstat gets %q, want %q", args, want)
			}
		default:
			if want := root + "/m)(javascript:alert(7)/profile.pb.gz"; len(args) != 1 || args[0] != want {
				t.Errorf("pprof gets %q, want %q", args, want)
			}
		}
	}
	for _, f := range []string{"PWNED", "PWNED2"} {
		if _, err := os.Stat(filepath.Join(tmp, f)); err == nil {
			t.Errorf("a command of report.md ran touch %s", f)
		}
	}

	var rmd bytes.Buffer // results.md too
	if err := Markdown(&rmd, res); err != nil {
		t.Fatal(err)
	}
	if p := regexp.MustCompile("``.*?``").ReplaceAllString(rmd.String(), ""); regexp.MustCompile(`(^|[^\\])<(script|img|b)\b`).MatchString(p) {
		t.Errorf("results.md passes raw HTML through:\n%s", rmd.String())
	}

	var page bytes.Buffer
	if err := LabHTML(&page, lr, func(string) ([]byte, error) { return nil, fs.ErrNotExist }); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if regexp.MustCompile(`<(script|img|b)\b`).MatchString(html) || strings.Contains(html, `href="javascript:`) {
		t.Errorf("report.html has a recorded tag or link:\n%s", html)
	}
	for _, want := range []string{"&lt;script&gt;alert(2)&lt;/script&gt;", "&lt;b&gt;killed&lt;/b&gt; | *bold* `tick`", "&lt;script&gt;alert(6)&lt;/script&gt;",
		"[click](javascript:alert(4))"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html does not show %q as text", want)
		}
	}
}
