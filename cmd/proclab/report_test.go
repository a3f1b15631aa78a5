package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
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
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, h := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(md, -1) {
		id := githubSlug(h[1])
		if n := seen[id]; n > 0 {
			seen[id]++
			id = fmt.Sprintf("%s-%d", id, n)
		} else {
			seen[id] = 1
		}
		anchors[id] = true
	}
	for _, l := range links {
		if id, ok := strings.CutPrefix(l[1], "#"); ok { // a lesson's or the contents' link to a heading
			if !anchors[id] {
				t.Errorf("report.md links %s, which no heading is", l[1])
			}
			continue
		}
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
	// The lessons first, then the contents; the host last.
	les, toc, host := strings.Index(md, "## Lessons"), strings.Index(md, "## Contents"), strings.Index(md, "## Host")
	if !(les > 0 && les < toc && toc < strings.Index(md, "(methods/)") && host > p0(md)) {
		t.Errorf("lessons at %d, contents at %d, host at %d: want lessons, contents, sections, host", les, toc, host)
	}
	lessons := strings.ToLower(md[les:toc])
	for _, want := range []string{"starts a process fastest here", "fork's startup goes from a median"} {
		if !strings.Contains(lessons, want) {
			t.Errorf("report.md's lessons lack %q:\n%s", want, lessons)
		}
	}
	if !strings.Contains(lessons, "processes pay off from") && !strings.Contains(lessons, "processes never beat one process") {
		t.Errorf("report.md's lessons say nothing of the grid:\n%s", lessons)
	}
	// The sections come in the order methods, compare, parent sweep.
	a, c, p := strings.Index(md, "(methods/)"), strings.Index(md, "(compare/)"), strings.Index(md, "(parent-rss/)")
	if !(a >= 0 && a < c && c < p) {
		t.Errorf("sections out of order: methods %d, compare %d, parent-rss %d", a, c, p)
	}
}

// p0 is where the last section of a report.md written from results
// directories starts.
func p0(md string) int { return strings.Index(md, "(parent-rss/)") }

// githubSlug is the anchor GitHub gives a heading.
func githubSlug(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
