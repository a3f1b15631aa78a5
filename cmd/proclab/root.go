package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
)

// runFlags are the flags of the main command.
type runFlags struct {
	method       string
	nTasks       int
	nIters       uint64
	repeat       int
	warmup       int
	parentRSS    string
	parentTHP    bool
	profileHz    int
	sample       time.Duration
	sampleBudget float64 // percent
	json         bool
	out          string
	perTask      bool
	profileFlags
	maxProcs int
	timeout  time.Duration
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "proclab [flags]",
		Short: "Measure what it costs to start a process, per start method",
		Long: `proclab starts tasks that run a CPU hot loop, each in its own child process
(or goroutine), and reports every one: startup latency, total time, CPU,
memory, faults and context switches.`,
		Example: `  proclab --method fork --n-tasks 4
  proclab --method fork,spawn --n-tasks 4 --repeat 10 --json`,
		Args:          noArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := f.spec()
			if err != nil {
				return usageError{err}
			}
			if f.out != "" {
				if err := checkOutDir(f.out); err != nil {
					return err
				}
			}
			prof, err := f.startProfiles(spec)
			if err != nil {
				return usageError{err}
			}
			bar := newProgress(stderr)
			spec.Progress = bar.update()
			res, runErr := lab.Run(cmd.Context(), spec)
			bar.finish()
			if res == nil {
				prof.abort()
				return runErr // the spec was validated above: this is a failure of the machine, not of the input
			}
			perr := prof.finish(res)
			table := func(w io.Writer, res *lab.Result) error {
				return report.Table(w, res, report.TableOptions{PerTask: f.perTask})
			}
			return emit(stdout, res, f.json, table, f.out, runErr, perr)
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.AddCommand(newCompareCmd(stdout, stderr), newReportCmd(stdout, stderr), newCalibrateCmd(stdout), newRateCmd(stdout),
		newVersionCmd(stdout), newDiffCmd(stdout))
	cmd.Version = lab.VersionLine()
	cmd.SetVersionTemplate("{{.Version}}\n")
	fl := cmd.Flags()
	fl.StringVar(&f.method, "method", "fork", "start method: "+strings.Join(methodNames(), ", ")+"; a comma list, or all")
	fl.IntVar(&f.nTasks, "n-tasks", 4, "tasks per run, each in its own process (or goroutine)")
	fl.Uint64Var(&f.nIters, "n-iters", 10_000_000, "hot-loop iterations per task")
	fl.IntVar(&f.repeat, "repeat", 5, "recorded rounds")
	fl.IntVar(&f.warmup, "warmup", 0, "rounds run first and not recorded")
	fl.StringVar(&f.parentRSS, "parent-rss", "0", "memory the lab holds while creating children, e.g. 0,256MiB,1GiB")
	fl.BoolVar(&f.parentTHP, "parent-thp", false, "back --parent-rss with transparent huge pages (madvise)")
	fl.IntVar(&f.profileHz, "profile-hz", lab.DefaultProfileHz, "sample each task's program counter this often per CPU second (0: off; the kernel caps it at CONFIG_HZ)")
	f.profileFlags.register(fl)
	fl.DurationVar(&f.sample, "sample-interval", lab.DefaultSampleInterval, "sample each live child's CPU and memory (gopsutil) this often (0: off)")
	fl.Float64Var(&f.sampleBudget, "sample-budget", 100*lab.DefaultSampleBudget, "skip samples rather than let sampling cost more than this percent of the children's CPU (0: no limit)")
	fl.BoolVar(&f.json, "json", false, "write the results as one JSON document to stdout instead of the table")
	fl.StringVar(&f.out, "out", "", "also write results.json, results.csv, results.md, bench.txt and plots into this directory")
	fl.BoolVar(&f.perTask, "per-task", false, "list every task in the table, however many")
	fl.IntVar(&f.maxProcs, "max-procs", 0, "at most this many tasks alive at once; more run in waves (0: all at once)")
	fl.DurationVar(&f.timeout, "timeout", 0, "kill a task still running after this long, e.g. 30s (0: no limit)")
	// The tutorial spells flags with underscores: --n_tasks, --n_iters.
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{flagError(err)} })
	return cmd
}

func (f *runFlags) spec() (lab.Spec, error) {
	methods, err := lab.ParseMethods(f.method)
	if err != nil {
		return lab.Spec{}, err
	}
	warnNoPython(f.method)
	sizes, err := parseSizes(f.parentRSS)
	if err != nil {
		return lab.Spec{}, fmt.Errorf("--parent-rss: %w", err)
	}
	if f.repeat < 1 {
		return lab.Spec{}, fmt.Errorf("--repeat must be at least 1, got %d", f.repeat)
	}
	s := lab.Spec{Methods: methods, NTasks: f.nTasks, NIters: f.nIters, Repeat: f.repeat,
		Warmup: f.warmup, ParentRSS: sizes, ParentTHP: f.parentTHP, ProfileHz: f.profileHz,
		SampleInterval: f.sample, SampleBudget: f.sampleBudget / 100,
		MaxProcs: f.maxProcs, Timeout: f.timeout}
	if err := s.Validate(); err != nil {
		return s, err
	}
	return s, s.CheckSystem() // before anything runs; lab.Run checks again
}

func methodNames() []string {
	var out []string
	for _, m := range append(append(slices.Clone(lab.Methods), lab.PythonMethods...), lab.PyThread, lab.PySingle) {
		out = append(out, string(m))
	}
	return out
}

// warnNoPython says once that `all` leaves Python's methods out.
func warnNoPython(method string) {
	if strings.TrimSpace(method) != "all" {
		return
	}
	if _, err := lab.Python(); err != nil {
		fmt.Fprintf(os.Stderr, "warning: --method all leaves out %s: %v\n", "py-fork, py-spawn and py-forkserver", err)
	}
}

// failedTasks is an error if any task did not finish with a good record;
// it names the first failure.
func failedTasks(res *lab.Result) error {
	n, total, first := 0, 0, ""
	for _, r := range res.Runs {
		for _, t := range r.Tasks {
			total++
			if t.Failed() {
				if n++; first == "" {
					first = fmt.Sprintf("%s round %d task %d: %s", r.Method, r.Round, t.Task, t.Error)
				}
			}
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d tasks failed (first: %s)", n, total, first)
	}
	return nil
}

// emit writes res to stdout (JSON, or the human table), then the files of
// --out, and returns the error that decides the exit status: the run's
// own, then a write's, then later, then a failed task.
func emit(stdout io.Writer, res *lab.Result, asJSON bool, table func(io.Writer, *lab.Result) error,
	out string, runErr error, later ...error) error {
	var werr error
	if asJSON {
		werr = report.JSON(stdout, res)
	} else {
		werr = table(stdout, res)
	}
	if out != "" {
		if err := writeOut(out, res); err != nil && werr == nil {
			werr = err
		}
	}
	for _, err := range append([]error{runErr, werr}, later...) {
		if err != nil {
			return err
		}
	}
	return failedTasks(res)
}
