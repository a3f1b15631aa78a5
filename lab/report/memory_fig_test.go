package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
)

// The memory figure is drawn from the figures every process task has
// (its own peak and RSS/PSS/USS at task end), not from live samples,
// which a short task rarely gets; live series have a figure of their own
// when some child was sampled at least twice. With one task, or none,
// there is no plot but a sentence.
func TestMemoryFigure(t *testing.T) {
	res := oneRun(results.Fork, []int64{0}, 400_000, 500_000) // end figures, no live samples
	names := figureNames(res)
	if !strings.Contains(names, "rss ") || strings.Contains(names, "rss-live") {
		t.Errorf("figures %q: want rss from the end-of-task figures, no live figure", names)
	}

	res.Runs[0].Tasks[0].Samples = []results.Sample{{TNS: 1e5, RSSBytes: 5 << 20, PSSBytes: 1 << 20}, {TNS: 2e5, RSSBytes: 6 << 20, PSSBytes: 1 << 20}}
	res.Runs[0].Tasks[1].Samples = []results.Sample{{TNS: 1e5, RSSBytes: 5 << 20}} // one sample: no series
	if names := figureNames(res); !strings.Contains(names, "rss-live") {
		t.Errorf("figures %q: want a live figure for the child sampled twice", names)
	}

	one := oneRun(results.Fork, []int64{0}, 400_000)
	if names := figureNames(one); strings.Contains(names, "rss") {
		t.Errorf("a memory figure of one task: %q", names)
	}
	var md bytes.Buffer
	if err := Markdown(&md, one); err != nil {
		t.Fatal(err)
	}
	var lr bytes.Buffer
	if err := Lab(&lr, LabReport{Title: "t", Root: "r", Sections: []LabSection{{Dir: "d", Res: one, Files: []string{"results.json"}}}}); err != nil {
		t.Fatal(err)
	}
	const want = "Median per child, read at task end for every child: fork peak 6.00MiB, RSS 6.00MiB, PSS 1.00MiB, USS 512KiB (1 task)."
	for name, doc := range map[string]string{"results.md": md.String(), "report.md": lr.String()} {
		if !strings.Contains(doc, want) {
			t.Errorf("%s lacks the memory line:\n%s", name, doc)
		}
	}
	if !strings.Contains(lr.String(), "no figure of memory over time") {
		t.Errorf("report.md does not say why there is no live figure")
	}

	// Results without end-of-task figures (an older lab) fall back to the
	// live sampler's peaks in words.
	for i := range one.Runs[0].Tasks {
		tk := &one.Runs[0].Tasks[i]
		tk.HWMBytes, tk.EndRSSBytes, tk.EndPSSBytes, tk.EndUSSBytes = nil, nil, nil, nil
		tk.PeakRSSBytes, tk.PeakPSSBytes = ns(7<<20), ns(2<<20)
	}
	if got := strings.Join(rssSentences(one), " "); !strings.Contains(got, "fork 7.00MiB RSS / 2.00MiB PSS (1 sampled)") {
		t.Errorf("fallback: %s", got)
	}
	// and their live series, when a child has two samples, are the memory
	// figure itself.
	one.Runs[0].Tasks[0].Samples = []results.Sample{{TNS: 1e5, RSSBytes: 5 << 20}, {TNS: 2e5, RSSBytes: 7 << 20}}
	if names := figureNames(one); !strings.Contains(names, "rss ") || strings.Contains(names, "rss-live") {
		t.Errorf("figures without end-of-task figures: %q, want the live series as rss", names)
	}
}

func figureNames(res *results.Result) string {
	var b strings.Builder
	for _, f := range Figures(res) {
		b.WriteString(f.Name + " ")
	}
	return b.String()
}
