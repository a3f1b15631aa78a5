package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// The compare text and report.md give the interpolated crossings of
// processes and of threads, not only the grid point.
func TestCrossoverEstimateText(t *testing.T) {
	var cells []results.Cell
	ni := uint64(1000)
	for _, s := range [][2]float64{{0.1, 0.5}, {0.2, 0.9}, {0.4, 1.1}, {0.75, 1.5}, {1.77, 1.9}} {
		cells = append(cells, results.Cell{NTasks: 2, NIters: ni, Method: results.Fork, SingleNS: 1e6, MultiNS: 1e6, ThreadNS: 1e6,
			Speedup: s[0], ThreadUp: s[1], Parallelism: 2, Rounds: 1})
		ni *= 10
	}
	cells = append(cells, results.Cell{NTasks: 1, NIters: 1000, Method: results.Fork, Speedup: 0.5, ThreadUp: 0.9, Parallelism: 1, Rounds: 1})
	cells = append(cells[len(cells)-1:], cells[:len(cells)-1]...)
	res := &results.Result{Schema: results.Schema, Cells: cells, Crossover: stats.Crossovers(cells),
		Spec: results.SpecInfo{Methods: []results.Method{results.Single, results.Fork, results.Thread}, NItersGrid: []uint64{1000, 1e4, 1e5, 1e6, 1e7}, NTasksGrid: []int{1, 2}}}
	var text bytes.Buffer
	if err := Compare(&text, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"2 tasks: from n_iters = 10M on (speedup 1.77× there); processes cross 1× at n_iters ≈ 1.8M (interpolated on log n_iters); threads cross 1× at n_iters ≈ 32k",
		"1 task: never by more than 5% within the grid (best speedup 0.50×); processes do not beat one process for good within the grid; threads do not beat one process for good within the grid",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("compare text lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	if err := Lab(&md, LabReport{Title: "t", Root: "r", Sections: []LabSection{{Dir: "c", Res: res, Files: []string{"speedup.png"}}}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"crosses 1× at n_iters ≈ 1.8M with 2 tasks; that of threads at n_iters ≈ 32k with 2 tasks.",
		"processes cross 1× at n_iters ≈ 1.8M",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
}

// Where the grid never shows processes paying off, the compare text and
// report.md say where this grid's own figures put the crossing (the model
// of stats.Crossovers) and which n_iters to try; the text fits 80 columns.
func TestCrossoverBeyondTheGrid(t *testing.T) {
	const perIter, start, threadStart = 2.5, 4e6, 9e4 // ns
	var cells []results.Cell
	for _, nt := range []int{1, 2} {
		for _, ni := range []uint64{1000, 10000} {
			work := perIter * float64(ni)
			rounds := float64((nt + 1) / 2)
			single, multi, thread := float64(nt)*work, start+rounds*work, threadStart+rounds*work
			cells = append(cells, results.Cell{NTasks: nt, NIters: ni, Method: results.Fork, Parallelism: min(nt, 2), Rounds: 3,
				SingleNS: int64(single), MultiNS: int64(multi), ThreadNS: int64(thread), Speedup: single / multi, ThreadUp: single / thread})
		}
	}
	res := &results.Result{Schema: results.Schema, Cells: cells, Crossover: stats.Crossovers(cells),
		Spec: results.SpecInfo{Methods: []results.Method{results.Single, results.Fork, results.Thread}, NItersGrid: []uint64{1000, 1e4}, NTasksGrid: []int{1, 2}}}
	var text bytes.Buffer
	if err := CompareText(&text, res, TermOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(text.String()), " ")
	// 2 tasks on 2 CPUs save one task's work: 4 ms / 2.5 ns = 1.6M
	// iterations, threads 90 µs / 2.5 ns = 36k.
	for _, want := range []string{
		"From this grid's figures (2.50ns per iteration and task, 4.00ms to start and wait for the processes), processes would pay off from n_iters ≈ 1.6M, threads (90.0µs to start) from ≈ 36k: try --n_iters 1e6,1e7",
		"One task cannot be split",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("compare text lacks %q:\n%s", want, text.String())
		}
	}
	for i, l := range strings.Split(text.String(), "\n") {
		if width(l) > 80 {
			t.Errorf("line %d is %d columns: %q", i+1, width(l), l)
		}
	}
	var md bytes.Buffer
	if err := Lab(&md, LabReport{Title: "t", Root: "r", Sections: []LabSection{{Dir: "c", Res: res, Files: []string{"speedup.png"}}}}); err != nil {
		t.Fatal(err)
	}
	if want := "that of threads never within the grid. From this grid's figures (2.50ns per iteration and task, 4.00ms to start and wait for the processes), processes would pay off from n_iters ≈ 1.6M"; !strings.Contains(md.String(), want) {
		t.Errorf("report.md lacks %q:\n%s", want, md.String())
	}
}

// A cell stats marks suspect is marked in the compare table (!), listed
// under it with its reason, and a report.md lesson drawn from it says it
// is not to be trusted; a grid without one shows no mark.
func TestSuspectCellsMarked(t *testing.T) {
	var cells []results.Cell
	for _, ni := range []uint64{1000, 1000000} {
		cells = append(cells, results.Cell{NTasks: 2, NIters: ni, Method: results.Fork, Parallelism: 2, Rounds: 3,
			SingleNS: 2e6, MultiNS: 1e6, ThreadNS: 1e6, Speedup: 2, Efficiency: 1, ThreadUp: 2})
	}
	res := &results.Result{Schema: results.Schema, Cells: cells, Crossover: stats.Crossovers(cells),
		Spec: results.SpecInfo{Methods: []results.Method{results.Single, results.Fork, results.Thread}, NItersGrid: []uint64{1000, 1e6}, NTasksGrid: []int{2}}}
	text := func() string {
		var b bytes.Buffer
		if err := CompareText(&b, res, TermOptions{Width: 80}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if s := text(); strings.Contains(s, "!") || strings.Contains(s, "Not to be trusted") {
		t.Errorf("a grid to trust is marked:\n%s", s)
	}
	res.Cells[1].Suspect = "fork's loops got 40% of a CPU (100% possible)"
	s := text()
	lines := strings.Split(s, "\n")
	if !strings.HasSuffix(strings.TrimSpace(lines[2]), "!") || strings.HasSuffix(strings.TrimSpace(lines[1]), "!") {
		t.Errorf("the suspect row (the second) is not the one marked:\n%s", s)
	}
	if flat := strings.Join(strings.Fields(s), " "); !strings.Contains(flat, "Not to be trusted (marked ! above): 1 cell") ||
		!strings.Contains(flat, "n_tasks=2 n_iters=1M: fork's loops got 40% of a CPU (100% possible)") {
		t.Errorf("compare text does not list the suspect cell:\n%s", s)
	}
	var md bytes.Buffer
	if err := Lab(&md, LabReport{Title: "t", Root: "r", Sections: []LabSection{{Dir: "c", Res: res, Files: []string{"speedup.png"}}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "For the largest tasks (n_iters = 1M)") ||
		!strings.Contains(md.String(), "**Not to be trusted:** n_tasks=2, n_iters=1M was measured on a busy machine or is impossible (fork's loops got 40% of a CPU (100% possible)).") {
		t.Errorf("report.md's lesson from the suspect cell is not marked:\n%s", md.String())
	}
}
