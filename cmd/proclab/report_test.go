package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A small lab the way scripts/lab.sh runs one: three results directories,
// then `proclab report`. Every link in report.md must name a file that
// exists, and each figure has its sentences.
func TestLabReportLinksExist(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--method", "fork,spawn,thread,single", "--n-tasks", "2", "--n-iters", "100000", "--repeat", "2", "--out", filepath.Join(dir, "methods")},
		{"compare", "--n-iters", "1000,300000", "--n-tasks", "1,2", "--repeat", "2", "--out", filepath.Join(dir, "compare")},
		{"--method", "fork,spawn", "--n-tasks", "2", "--n-iters", "1000", "--repeat", "2", "--parent-rss", "16MiB,1GiB", "--out", filepath.Join(dir, "parent-rss")},
	} {
		if code, _, stderr := run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a results directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "report", dir)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != filepath.Join(dir, "report.md") {
		t.Errorf("report printed %q, want its path", stdout)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	links := regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(md, -1)
	if len(links) < 10 {
		t.Fatalf("only %d links in report.md:\n%s", len(links), md)
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, l[1])); err != nil {
			t.Errorf("report.md links %s, which does not exist", l[1])
		}
	}
	for _, fig := range []string{"methods/startup.png", "compare/speedup.png", "parent-rss/parent-rss.png"} {
		if !strings.Contains(md, "]("+fig+")") {
			t.Errorf("report.md does not show %s", fig)
		}
	}
	// The largest cell's sentence reads "finish N× faster", "finish about
	// as fast as" or "take N× as long as", as the machine had it.
	if !regexp.MustCompile(`2 processes (finish|take) .* one process`).MatchString(md) {
		t.Errorf("report.md lacks the largest cell's sentence")
	}
	for _, want := range []string{"starts fastest on this machine", "grows with the parent", "| n_tasks | n_iters |", "| parent holds |"} {
		if !strings.Contains(md, want) {
			section := md
			if i := strings.Index(md, "(parent-rss/)"); i >= 0 {
				section = md[i:]
			}
			t.Errorf("report.md lacks %q; its parent section:\n%s", want, section)
		}
	}
	// The sections come in the order methods, compare, parent sweep.
	a, c, p := strings.Index(md, "(methods/)"), strings.Index(md, "(compare/)"), strings.Index(md, "(parent-rss/)")
	if !(a >= 0 && a < c && c < p) {
		t.Errorf("sections out of order: methods %d, compare %d, parent-rss %d", a, c, p)
	}
}
