package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/proclab/proclab/lab/results"
)

// A csvColumn is one column of results.csv: its name spells the JSON field
// it holds (a run's field, a task's, or a task's stamp as stamps.NAME), and
// an empty cell is a null figure.
type csvColumn struct {
	name string
	cell func(r *results.RunResult, t *results.Task) string
}

// csvColumns are every field of a run (but its tasks) and of a task (but
// its live samples, which are a series: in the JSON), in JSON order.
var csvColumns = []csvColumn{
	{"method", func(r *results.RunResult, _ *results.Task) string { return string(r.Method) }},
	{"round", func(r *results.RunResult, _ *results.Task) string { return itoa(r.Round) }},
	{"n_tasks", func(r *results.RunResult, _ *results.Task) string { return itoa(r.NTasks) }},
	{"n_iters", func(r *results.RunResult, _ *results.Task) string { return utoa(r.NIters) }},
	{"parent_rss_bytes", func(r *results.RunResult, _ *results.Task) string { return i64(r.ParentRSSBytes) }},
	{"wall_ns", func(r *results.RunResult, _ *results.Task) string { return i64(r.WallNS) }},
	{"lab_rss_bytes", func(r *results.RunResult, _ *results.Task) string { return i64(r.LabRSSBytes) }},
	{"lab_anon_bytes", func(r *results.RunResult, _ *results.Task) string { return i64(r.LabAnonBytes) }},
	{"lab_vmas", func(r *results.RunResult, _ *results.Task) string { return itoa(r.LabVMAs) }},
	{"lab_pte_bytes", func(r *results.RunResult, _ *results.Task) string { return i64(r.LabPTEBytes) }},
	{"lab_dontfork_bytes", func(r *results.RunResult, _ *results.Task) string { return i64(r.LabDontForkBytes) }},
	{"task", func(_ *results.RunResult, t *results.Task) string { return itoa(t.Task) }},
	{"pid", func(_ *results.RunResult, t *results.Task) string { return itoa(t.PID) }},
	{"tid", func(_ *results.RunResult, t *results.Task) string { return optInt(t.TID) }},
	{"parent_pid", func(_ *results.RunResult, t *results.Task) string { return optIntPtr(t.ParentPID) }},
	{"startup_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.StartupNS) }},
	{"exec_done_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.ExecDoneNS) }},
	{"runtime_ready_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.RuntimeReadyNS) }},
	{"total_ns", func(_ *results.RunResult, t *results.Task) string { return i64(t.TotalNS) }},
	{"run_ns", func(_ *results.RunResult, t *results.Task) string { return i64(t.RunNS) }},
	{"task_cpu_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.TaskCPUNS) }},
	{"hwm_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.HWMBytes) }},
	{"max_rss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.MaxRSSBytes) }},
	{"end_rss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.EndRSSBytes) }},
	{"end_pss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.EndPSSBytes) }},
	{"end_uss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.EndUSSBytes) }},
	{"mem_read_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.MemReadNS) }},
	{"user_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.UserNS) }},
	{"sys_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.SysNS) }},
	{"rusage_maxrss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.RusageMaxRSSBytes) }},
	{"minflt", func(_ *results.RunResult, t *results.Task) string { return opt64(t.MinFlt) }},
	{"majflt", func(_ *results.RunResult, t *results.Task) string { return opt64(t.MajFlt) }},
	{"nvcsw", func(_ *results.RunResult, t *results.Task) string { return opt64(t.NVCSW) }},
	{"nivcsw", func(_ *results.RunResult, t *results.Task) string { return opt64(t.NIVCSW) }},
	{"exit_code", func(_ *results.RunResult, t *results.Task) string { return optIntPtr(t.ExitCode) }},
	{"signal", func(_ *results.RunResult, t *results.Task) string { return optIntPtr(t.Signal) }},
	{"checksum", func(_ *results.RunResult, t *results.Task) string { return utoa(t.Checksum) }},
	{"checksum_ok", func(_ *results.RunResult, t *results.Task) string { return optBool(t.ChecksumOK) }},
	{"error", func(_ *results.RunResult, t *results.Task) string { return t.Error }},
	{"timed_out", func(_ *results.RunResult, t *results.Task) string { return strconv.FormatBool(t.TimedOut) }},
	{"lab_paused_ns", func(_ *results.RunResult, t *results.Task) string { return opt64(t.LabPausedNS) }},
	{"peak_rss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.PeakRSSBytes) }},
	{"peak_pss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.PeakPSSBytes) }},
	{"stamps.create_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.CreateNS) }},
	{"stamps.created_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.CreatedNS) }},
	{"stamps.create_tid", func(_ *results.RunResult, t *results.Task) string { return optInt(t.Stamps.CreateTID) }},
	{"stamps.task_start_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.TaskStartNS) }},
	{"stamps.task_end_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.TaskEndNS) }},
	{"stamps.mem_read_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.MemReadNS) }},
	{"stamps.wait_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.WaitNS) }},
	{"stamps.reaped_ns", func(_ *results.RunResult, t *results.Task) string { return optStamp(t.Stamps.ReapedNS) }},
}

// CSV writes results.csv: a header, then one row per task of every run.
func CSV(w io.Writer, res *results.Result) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		header[i] = c.name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(csvColumns))
	for i := range res.Runs {
		r := &res.Runs[i]
		for j := range r.Tasks {
			for k, c := range csvColumns {
				row[k] = c.cell(r, &r.Tasks[j])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(v int) string    { return strconv.Itoa(v) }
func i64(v int64) string   { return strconv.FormatInt(v, 10) }
func utoa(v uint64) string { return strconv.FormatUint(v, 10) }

func opt64(p *int64) string {
	if p == nil {
		return ""
	}
	return i64(*p)
}

func optBool(p *bool) string {
	if p == nil {
		return ""
	}
	return strconv.FormatBool(*p)
}

func optIntPtr(p *int) string {
	if p == nil {
		return ""
	}
	return itoa(*p)
}

// optInt leaves a zero (not applicable) figure empty.
func optInt(v int) string {
	if v == 0 {
		return ""
	}
	return itoa(v)
}

// optStamp leaves a stamp not taken (0) empty.
func optStamp(v int64) string {
	if v == 0 {
		return ""
	}
	return i64(v)
}
