package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchmath"

	"github.com/proclab/proclab/lab/results"
)

// DiffInput is one result set `proclab diff` compares: a machine, a
// kernel, a build.
type DiffInput struct {
	Name string // as the user named it (a directory or a results.json)
	Runs []results.RunResult
	Host *results.Host
}

// DiffResult is `proclab diff`'s answer: per method, parent size, n_tasks,
// n_iters and metric, the median of every input and each input's change
// against the first, with a significance test (Mann-Whitney U, as
// benchstat does, through golang.org/x/perf/benchmath).
type DiffResult struct {
	Inputs []DiffSource `json:"inputs"`
	Alpha  float64      `json:"alpha"`
	Rows   []DiffRow    `json:"rows"`
}

// DiffSource names an input and the machine it ran on.
type DiffSource struct {
	Name      string `json:"name"`
	CPUModel  string `json:"cpu_model,omitempty"`
	Kernel    string `json:"kernel,omitempty"`
	Version   string `json:"proclab_version,omitempty"`
	THP       string `json:"thp,omitempty"`
	NumTasks  int    `json:"tasks"` // tasks read from it
	NumFailed int    `json:"failed_tasks"`
}

// DiffRow is one figure compared across the inputs.
type DiffRow struct {
	Method         results.Method `json:"method"`
	ParentRSSBytes int64          `json:"parent_rss_bytes"`
	NTasks         int            `json:"n_tasks"`
	NIters         uint64         `json:"n_iters"`
	Metric         string         `json:"metric"` // startup, total (per task) or wall (per run)
	// Per input, in order; null where the input has no such figure.
	MedianNS []*float64 `json:"median_ns"`
	// The median's 95% confidence interval as ± percent; null where n/a.
	CIPct []*float64 `json:"ci_pct"`
	N     []int      `json:"n"`
	// Changes of inputs 2.. against input 1 (Changes[i] is input i+1's).
	Changes []*DiffChange `json:"changes"`
}

// DiffChange is one input's median against the first input's.
type DiffChange struct {
	ChangePct   float64 `json:"change_pct"`  // (new/old - 1) * 100
	P           float64 `json:"p"`           // Mann-Whitney U test p-value
	Significant bool    `json:"significant"` // p < alpha: not just noise
}

var diffMetrics = []string{"startup", "total", "wall"}

// Diff compares inputs: every figure of input 1 that another input has too.
func Diff(inputs []DiffInput, alpha float64) DiffResult {
	type key struct {
		m      results.Method
		parent int64
		nt     int
		ni     uint64
		metric string
	}
	var order []key
	values := map[key][][]float64{}
	res := DiffResult{Alpha: alpha}
	for i, in := range inputs {
		src := DiffSource{Name: in.Name}
		if h := in.Host; h != nil {
			src.CPUModel, src.Kernel, src.Version, src.THP = h.CPUModel, h.Kernel, h.ProclabVersion, h.THP
		}
		add := func(k key, v float64) {
			if values[k] == nil {
				values[k] = make([][]float64, len(inputs))
				order = append(order, k)
			}
			values[k][i] = append(values[k][i], v)
		}
		for _, r := range in.Runs {
			ok := true
			for _, t := range r.Tasks {
				src.NumTasks++
				if t.Error != "" {
					src.NumFailed++
					ok = false
					continue
				}
				base := key{r.Method, r.ParentRSSBytes, r.NTasks, r.NIters, ""}
				if t.StartupNS != nil {
					base.metric = "startup"
					add(base, float64(*t.StartupNS))
				}
				base.metric = "total"
				add(base, float64(t.TotalNS))
			}
			if ok && r.WallNS > 0 {
				add(key{r.Method, r.ParentRSSBytes, r.NTasks, r.NIters, "wall"}, float64(r.WallNS))
			}
		}
		res.Inputs = append(res.Inputs, src)
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	for _, metric := range diffMetrics {
		for _, k := range order {
			if k.metric != metric {
				continue
			}
			vs := values[k]
			row := DiffRow{Method: k.m, ParentRSSBytes: k.parent, NTasks: k.nt, NIters: k.ni, Metric: k.metric}
			var first *benchmath.Sample
			var firstCenter float64
			present := 0
			for i, xs := range vs {
				row.N = append(row.N, len(xs))
				if len(xs) == 0 {
					row.MedianNS, row.CIPct = append(row.MedianNS, nil), append(row.CIPct, nil)
					if i > 0 {
						row.Changes = append(row.Changes, nil)
					}
					continue
				}
				present++
				s := benchmath.NewSample(xs, &th)
				sum := benchmath.AssumeNothing.Summary(s, 0.95)
				row.MedianNS = append(row.MedianNS, &sum.Center)
				row.CIPct = append(row.CIPct, ciPct(sum))
				if i == 0 {
					first, firstCenter = s, sum.Center
					continue
				}
				if first == nil || firstCenter == 0 {
					row.Changes = append(row.Changes, nil)
					continue
				}
				c := benchmath.AssumeNothing.Compare(first, s)
				row.Changes = append(row.Changes, &DiffChange{ChangePct: (sum.Center/firstCenter - 1) * 100,
					P: c.P, Significant: c.P < c.Alpha})
			}
			if vs[0] != nil && present >= 2 {
				res.Rows = append(res.Rows, row)
			}
		}
	}
	return res
}

// ciPct is the half-width of the median's confidence interval as a
// percentage of the median; null when it cannot be had (too few values).
func ciPct(s benchmath.Summary) *float64 {
	if s.Center == 0 || math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) || math.IsNaN(s.Lo) || math.IsNaN(s.Hi) {
		return nil
	}
	v := 100 * math.Max(s.Center-s.Lo, s.Hi-s.Center) / s.Center
	return &v
}

// DiffJSON writes r as JSON.
func DiffJSON(w io.Writer, r DiffResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// DiffText writes r as benchstat does: a table per metric, the medians of
// every input with their ±CI, and each input's change against the first
// with its p-value; "~" where the difference is not significant.
func DiffText(w io.Writer, r DiffResult) error {
	for i, in := range r.Inputs {
		fmt.Fprintf(w, "%c: %s", 'A'+rune(i%26), in.Name)
		var about []string
		for _, s := range []string{in.CPUModel, in.Kernel, in.Version} {
			if s != "" {
				about = append(about, s)
			}
		}
		if len(about) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(about, ", "))
		}
		if in.NumFailed > 0 {
			fmt.Fprintf(w, "; %d of %d tasks failed and are left out", in.NumFailed, in.NumTasks)
		}
		fmt.Fprintln(w)
	}
	if len(r.Rows) == 0 {
		fmt.Fprintln(w, "\nno figure of A is in the other inputs: nothing to compare (same methods, parent sizes, n_tasks and n_iters are needed)")
		return nil
	}
	for _, metric := range diffMetrics {
		var rows []DiffRow
		for _, row := range r.Rows {
			if row.Metric == metric {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (median ± 95%% CI; change against A, p-value of a Mann-Whitney U test, ~ when p ≥ %.2f)\n", metric, r.Alpha)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "method\tparent\tn_tasks\tn_iters\t"
		for i := range r.Inputs {
			head += fmt.Sprintf("%c\t", 'A'+rune(i%26))
			if i > 0 {
				head += "vs A\t"
			}
		}
		fmt.Fprintln(tw, head)
		for _, row := range rows {
			line := fmt.Sprintf("%s\t%s\t%d\t%s\t", row.Method, sizeText(row.ParentRSSBytes), row.NTasks, itersText(row.NIters))
			for i := range r.Inputs {
				cell := "-"
				if m := row.MedianNS[i]; m != nil {
					cell = dur(*m)
					if ci := row.CIPct[i]; ci != nil {
						cell += fmt.Sprintf(" ±%.0f%%", *ci)
					}
				}
				line += cell + "\t"
				if i > 0 {
					line += changeText(row.Changes[i-1], row.N[0], row.N[i]) + "\t"
				}
			}
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func changeText(c *DiffChange, n1, n2 int) string {
	if c == nil {
		return "-"
	}
	if !c.Significant {
		return fmt.Sprintf("~ (p=%.3f n=%d+%d)", c.P, n1, n2)
	}
	return fmt.Sprintf("%+.2f%% (p=%.3f n=%d+%d)", c.ChangePct, c.P, n1, n2)
}
