package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/proclab/proclab/lab/results"
)

// csvHeader names the columns of results.csv; they spell the JSON fields
// of the run and the task. An empty cell is a null figure.
var csvHeader = []string{
	"method", "round", "n_tasks", "n_iters", "parent_rss_bytes", "wall_ns",
	"task", "pid", "tid", "parent_pid",
	"startup_ns", "exec_done_ns", "runtime_ready_ns", "total_ns", "run_ns",
	"user_ns", "sys_ns", "hwm_bytes", "peak_rss_bytes", "peak_pss_bytes",
	"minflt", "majflt", "nvcsw", "nivcsw",
	"exit_code", "signal", "checksum_ok", "error",
}

// CSV writes results.csv: a header, then one row per task of every run.
func CSV(w io.Writer, res *results.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			row := []string{
				string(r.Method), itoa(r.Round), itoa(r.NTasks), utoa(r.NIters), i64(r.ParentRSSBytes), i64(r.WallNS),
				itoa(t.Task), itoa(t.PID), optInt(t.TID), optIntPtr(t.ParentPID),
				opt64(t.StartupNS), opt64(t.ExecDoneNS), opt64(t.RuntimeReadyNS), i64(t.TotalNS), i64(t.RunNS),
				i64(t.UserNS), i64(t.SysNS), opt64(t.HWMBytes), opt64(t.PeakRSSBytes), opt64(t.PeakPSSBytes),
				i64(t.MinFlt), i64(t.MajFlt), i64(t.NVCSW), i64(t.NIVCSW),
				optIntPtr(t.ExitCode), optIntPtr(t.Signal), optBool(t.ChecksumOK), t.Error,
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
