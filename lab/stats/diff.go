package stats

import (
	"math"

	"golang.org/x/perf/benchmath"

	"github.com/proclab/proclab/lab/results"
)

// DiffInput is one result set `proclab diff` compares (a machine, a
// kernel, a build): the parts of a lab tree, or one document.
type DiffInput struct {
	Name  string // as the user named it (a directory or a results.json)
	Parts []results.Part
}

// DiffResult is `proclab diff`'s answer: per experiment, method, parent
// size, n_tasks, n_iters and metric, the median of every input and each
// input's change against the first, with a significance test (Mann-Whitney
// U, as benchstat does, through golang.org/x/perf/benchmath).
//
// The unit of every sample is the run, as benchstat's is a benchmark run:
// the tasks of one run share its moment of the machine and are not
// independent observations. A run's startup (and total) is the median of
// its tasks that count; its wall is its wall. n counts runs.
type DiffResult struct {
	Inputs []DiffSource `json:"inputs"`
	Alpha  float64      `json:"alpha"`
	Unit   string       `json:"unit"` // what one value of a sample is: "run"
	Rows   []DiffRow    `json:"rows"`
	// Geomeans, as benchstat's geomean row: per experiment and metric,
	// the geometric mean of the rows' medians per input, over the rows
	// every input has.
	Geomeans []DiffGeomean `json:"geomeans"`
}

// DiffGeomean is one geomean row: GeomeanNS[i] is input i's geometric mean
// of the Rows rows' medians, ChangePct[i-1] input i's against input 1.
type DiffGeomean struct {
	Experiment string    `json:"experiment"`
	Metric     string    `json:"metric"`
	Rows       int       `json:"rows"`
	GeomeanNS  []float64 `json:"geomean_ns"`
	ChangePct  []float64 `json:"change_pct"`
}

// DiffSource names an input, the machine it ran on, and what of it was
// read and matched.
type DiffSource struct {
	Name       string     `json:"name"`
	CPUModel   string     `json:"cpu_model,omitempty"`
	Kernel     string     `json:"kernel,omitempty"`
	Version    string     `json:"proclab_version,omitempty"`
	THP        string     `json:"thp,omitempty"`
	NumTasks   int        `json:"tasks"`        // recorded tasks read from it
	NumFailed  int        `json:"failed_tasks"` // of those, the ones left out (failed, timed out, interrupted)
	NumRuns    int        `json:"runs"`         // recorded runs read from it
	Parts      []DiffPart `json:"parts"`
	Incomplete bool       `json:"incomplete"` // a part of it was interrupted
}

// DiffPart is one part (a results document) of an input.
type DiffPart struct {
	Name       string `json:"name"`       // its directory in the input ("." for the input itself)
	Experiment string `json:"experiment"` // what its timings were measured under (Experiment)
	Rows       int    `json:"rows"`       // rows of the comparison it has a figure in
}

// DiffRow is one figure compared across the inputs.
type DiffRow struct {
	Experiment     string         `json:"experiment"`
	Method         results.Method `json:"method"`
	ParentRSSBytes int64          `json:"parent_rss_bytes"`
	NTasks         int            `json:"n_tasks"`
	NIters         uint64         `json:"n_iters"`
	Metric         string         `json:"metric"` // startup, total (per-run medians of the tasks) or wall (per run)
	// Per input, in order; null where the input has no such figure.
	MedianNS []*float64 `json:"median_ns"`
	// The median's 95% confidence interval as ± percent; null where n/a.
	CIPct []*float64 `json:"ci_pct"`
	N     []int      `json:"n"` // runs
	// Changes of inputs 2.. against input 1 (Changes[i] is input i+1's).
	Changes []*DiffChange `json:"changes"`
}

// DiffChange is one input's median against the first input's.
type DiffChange struct {
	ChangePct   float64  `json:"change_pct"`  // (new/old - 1) * 100
	P           float64  `json:"p"`           // Mann-Whitney U test p-value
	Significant bool     `json:"significant"` // p < alpha: not just noise
	Warnings    []string `json:"warnings,omitempty"`
}

// DiffMetrics are the metrics diff compares, in the order it shows them.
var DiffMetrics = []string{"startup", "total", "wall"}

type diffKey struct {
	experiment string
	Key
	metric string
}

// Diff compares inputs: every figure of input 1 that another input has too,
// in the same experiment.
func Diff(inputs []DiffInput, alpha float64) DiffResult {
	var order []diffKey
	values := map[diffKey][][]float64{}
	from := map[diffKey][]map[int]bool{} // per input, the parts (indices in its source's list) the key came from
	res := DiffResult{Alpha: alpha, Unit: "run"}
	for i, in := range inputs {
		src := DiffSource{Name: in.Name}
		add := func(k diffKey, part int, v float64) {
			if values[k] == nil {
				values[k] = make([][]float64, len(inputs))
				from[k] = make([]map[int]bool, len(inputs))
				order = append(order, k)
			}
			values[k][i] = append(values[k][i], v)
			if from[k][i] == nil {
				from[k][i] = map[int]bool{}
			}
			from[k][i][part] = true
		}
		for _, p := range in.Parts {
			if p.Res == nil {
				continue
			}
			pi := len(src.Parts)
			if src.CPUModel == "" && p.Res.Host != nil {
				h := p.Res.Host
				src.CPUModel, src.Kernel, src.Version, src.THP = h.CPUModel, h.Kernel, h.ProclabVersion, h.THP
			}
			src.Incomplete = src.Incomplete || p.Res.Incomplete
			exp := Experiment(p.Res)
			src.Parts = append(src.Parts, DiffPart{Name: p.Name, Experiment: exp})
			for ri := range p.Res.Runs {
				r := &p.Res.Runs[ri]
				if !Recorded(r) {
					continue
				}
				src.NumRuns++
				for ti := range r.Tasks {
					src.NumTasks++
					if !Counts(&r.Tasks[ti]) {
						src.NumFailed++
					}
				}
				k := diffKey{exp, KeyOf(r), ""}
				if xs := RunValues(r, Startup); len(xs) > 0 {
					k.metric = "startup"
					add(k, pi, Median(xs))
				}
				if xs := RunValues(r, Total); len(xs) > 0 {
					k.metric = "total"
					add(k, pi, Median(xs))
				}
				if WallCounts(r) {
					k.metric = "wall"
					add(k, pi, float64(r.WallNS))
				}
			}
		}
		res.Inputs = append(res.Inputs, src)
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	for _, metric := range DiffMetrics {
		for _, k := range order {
			if k.metric != metric {
				continue
			}
			vs := values[k]
			row := DiffRow{Experiment: k.experiment, Method: k.Method, ParentRSSBytes: k.ParentRSSBytes, NTasks: k.NTasks, NIters: k.NIters, Metric: k.metric}
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
				row.MedianNS = append(row.MedianNS, results.Ptr(sum.Center))
				row.CIPct = append(row.CIPct, CIHalfWidthPct(sum))
				if i == 0 {
					first, firstCenter = s, sum.Center
					continue
				}
				if first == nil || firstCenter == 0 {
					row.Changes = append(row.Changes, nil)
					continue
				}
				c := benchmath.AssumeNothing.Compare(first, s)
				ch := &DiffChange{ChangePct: (sum.Center/firstCenter - 1) * 100, P: c.P, Significant: c.P < c.Alpha}
				for _, w := range c.Warnings {
					ch.Warnings = append(ch.Warnings, w.Error())
				}
				row.Changes = append(row.Changes, ch)
			}
			if vs[0] == nil || present < 2 {
				continue
			}
			res.Rows = append(res.Rows, row)
			for i := range inputs {
				for p := range from[k][i] {
					res.Inputs[i].Parts[p].Rows++
				}
			}
		}
	}
	res.Geomeans = geomeans(res.Rows, len(inputs))
	return res
}

// geomeans computes the geomean rows of rows: per experiment and metric,
// in the order they first appear, over the rows where every input has a
// positive median; none where fewer than two rows qualify (benchstat
// prints none for a single benchmark either).
func geomeans(rows []DiffRow, inputs int) []DiffGeomean {
	type key struct{ exp, metric string }
	var order []key
	logs := map[key][]float64{} // per key: sum of logs per input
	n := map[key]int{}
	for _, r := range rows {
		ok := len(r.MedianNS) == inputs
		for _, m := range r.MedianNS {
			ok = ok && m != nil && *m > 0
		}
		if !ok {
			continue
		}
		k := key{r.Experiment, r.Metric}
		if _, seen := logs[k]; !seen {
			order = append(order, k)
			logs[k] = make([]float64, inputs)
		}
		for i, m := range r.MedianNS {
			logs[k][i] += math.Log(*m)
		}
		n[k]++
	}
	out := []DiffGeomean{}
	for _, k := range order {
		if n[k] < 2 {
			continue
		}
		g := DiffGeomean{Experiment: k.exp, Metric: k.metric, Rows: n[k]}
		for i := range inputs {
			g.GeomeanNS = append(g.GeomeanNS, math.Exp(logs[k][i]/float64(n[k])))
		}
		for i := 1; i < inputs; i++ {
			g.ChangePct = append(g.ChangePct, (g.GeomeanNS[i]/g.GeomeanNS[0]-1)*100)
		}
		out = append(out, g)
	}
	return out
}

// CIHalfWidthPct is the half-width of a median's confidence interval as a
// percentage of the median (the larger side, as benchstat's ±): null when
// it cannot be had (too few values, a zero median).
func CIHalfWidthPct(s benchmath.Summary) *float64 {
	if s.Center == 0 || math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) || math.IsNaN(s.Lo) || math.IsNaN(s.Hi) {
		return nil
	}
	v := 100 * math.Max(s.Hi/s.Center-1, 1-s.Lo/s.Center)
	return &v
}
