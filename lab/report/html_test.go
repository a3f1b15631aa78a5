package report

import (
	"bytes"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// report.html's tables are real tables, not <pre> blocks: each in a
// wrapper that scrolls sideways, numbers right-aligned, each numeric
// column in one unit named in its header, the fastest row marked.
func TestHTMLTables(t *testing.T) {
	lr := lessonLab()
	var buf bytes.Buffer
	if err := LabHTML(&buf, lr, func(string) ([]byte, error) { return nil, fs.ErrNotExist }); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<pre><code>method") {
		t.Errorf("the comparison table is a <pre> block")
	}
	tables, wraps := strings.Count(page, "<table>"), strings.Count(page, `<div class="table-wrap"><table>`)
	if tables < 5 || wraps != tables {
		t.Errorf("%d tables, %d of them in a scrolling wrapper", tables, wraps)
	}
	if !strings.Contains(page, ".table-wrap { overflow-x: auto;") {
		t.Errorf("the wrapper does not scroll")
	}
	for _, h := range []string{`<th style="text-align:right">startup µs</th>`, `<th style="text-align:right">total/task ms</th>`,
		`<th style="text-align:right">single (ms)</th>`, `<th style="text-align:right">fork (ms)</th>`, `<th style="text-align:right">CPU per task (ms)</th>`} {
		if !strings.Contains(page, h) {
			t.Errorf("report.html lacks the header %s", h)
		}
	}
	// One unit per column: the startup cells of the methods table are
	// plain numbers, no unit of their own.
	if regexp.MustCompile(`<td style="text-align:right">[0-9.]+(µs|ms)</td>`).MatchString(page) {
		t.Errorf("a numeric cell carries its own unit")
	}
	if n := strings.Count(page, `<tr class="fastest">`); n < 1 {
		t.Errorf("no fastest row marked")
	}
	if !regexp.MustCompile(`<tr class="fastest">\s*<td style="text-align:left"><strong>thread</strong>`).MatchString(page) {
		t.Errorf("the fastest row is not thread's")
	}
}
