package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/proclab/proclab/lab"
	"github.com/proclab/proclab/lab/report"
	"github.com/proclab/proclab/lab/results"
)

// runFlags are the flags of the main command.
type runFlags struct {
	methods      []results.Method
	methodFlag   *methodList
	nTasks       int
	nIters       uint64
	repeat       int
	warmup       int
	parentRSS    string
	parentTHP    bool
	inheritHeap  bool
	profileHz    int
	sample       time.Duration
	sampleBudget float64 // percent
	json         bool
	out          string
	trustOut     bool
	perTask      bool
	termFlags
	exportFlags
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
memory, faults and context switches.

Counts are whole decimal numbers: 1000, 10_000_000 or 1e6 (not 010, 0x10,
+4 or 10M). Lists take commas (fork,spawn), repeated flags
(--method fork --method spawn) or spaces (--method fork spawn).
Exit status: 0 ok, 1 a task failed, 2 bad input or limits too low,
130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (results so far written).

The per-task table: startup (create call to the task's first instruction),
total (create call to reaped, less the child's end-of-task memory read),
run (the loop), cpu (the task's own CPU around the loop), hwm (the peak
resident memory of the task's process: a worker's own, a fork child's
mostly the lab's, whose pages it maps; its USS is what it added), end rss /
end pss (its memory at task end), minflt, vcsw, ivcsw (wait4's rusage),
exit, checksum (ok, BAD, or - when not verified). The comparison table:
medians and p10 … p90 per method and parent size (ballast + the lab's own
memory), for exec'd methods the startup split into "to new image" and "Go
runtime + package init", wall per run (mean ± σ), startup × / wall × over
the fastest method's, and the tasks left out: a task that failed, timed
out or was interrupted is in no figure.`,
		Example: `  proclab --method fork --n-tasks 4
  proclab --method fork,spawn --n-tasks 4 --repeat 10 --json`,
		Args:          noArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := f.spec(stderr)
			if err != nil {
				return usageError{err}
			}
			if err := f.termFlags.check(); err != nil {
				return usageError{err}
			}
			if err := f.exportFlags.check(f.json); err != nil {
				return usageError{err}
			}
			if f.out != "" {
				release, err := checkOutDir(f.out, f.trustOut)
				if err != nil {
					return err
				}
				defer release()
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
			table := func(w io.Writer, res *results.Result) error {
				return report.Table(w, res, report.TableOptions{PerTask: f.perTask, Term: f.termFlags.options(w)})
			}
			return emitWith(stdout, stderr, res, f.json, table, f.out, &f.exportFlags, runErr, perr)
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.AddCommand(newCompareCmd(stdout, stderr), newReportCmd(stdout, stderr), newCalibrateCmd(stdout), newRateCmd(stdout),
		newVersionCmd(stdout), newDiffCmd(stdout), newDocsCmd(stdout))
	cmd.Version = lab.VersionLine()
	cmd.SuggestionsMinimumDistance = 2 // "did you mean" for a mistyped command
	cmd.SetVersionTemplate("{{.Version}}\n")
	fl := cmd.Flags()
	f.methodFlag = newMethodList(&f.methods, results.Fork)
	fl.Var(f.methodFlag, "method", "start methods: "+strings.Join(methodNames(), ", ")+", or all; a list (fork,spawn or fork spawn or repeated)")
	fl.Var(newInt(&f.nTasks, 4, true), "n-tasks", "tasks per run, each in its own process (or goroutine)")
	fl.Var(newUint64(&f.nIters, 10_000_000), "n-iters", "hot-loop iterations per task")
	fl.Var(newInt(&f.repeat, 5, true), "repeat", "recorded rounds")
	fl.Var(newInt(&f.warmup, 0, true), "warmup", "rounds run first and not recorded")
	fl.StringVar(&f.parentRSS, "parent-rss", "0", "memory the lab holds while creating children, e.g. 0,256MiB,1GiB")
	fl.BoolVar(&f.parentTHP, "parent-thp", false, "back --parent-rss with transparent huge pages (madvise)")
	addForkLabHeapFlag(fl, &f.inheritHeap)
	fl.Var(newInt(&f.profileHz, lab.DefaultProfileHz, true), "profile-hz", "sample each task's program counter this often per CPU second (0: off; the kernel caps it at CONFIG_HZ)")
	f.profileFlags.register(fl)
	fl.DurationVar(&f.sample, "sample-interval", lab.DefaultSampleInterval, "sample each live child's CPU and memory (gopsutil) this often (0: off)")
	fl.Var(newFloat(&f.sampleBudget, 100*lab.DefaultSampleBudget), "sample-budget", "skip samples rather than let sampling cost more than this percent of the children's CPU (0: no limit)")
	fl.BoolVar(&f.json, "json", false, "write the results as one JSON document to stdout instead of the table")
	addOutFlags(fl, &f.out, &f.trustOut)
	fl.BoolVar(&f.perTask, "per-task", false, "list every task in the table, however many")
	f.termFlags.register(fl)
	f.exportFlags.register(fl)
	fl.Var(newInt(&f.maxProcs, 0, true), "max-procs", "at most this many tasks alive at once; more run in waves (0: all at once)")
	fl.DurationVar(&f.timeout, "timeout", 0, "kill a task still running after this long, e.g. 30s (0: no limit)")
	// The tutorial spells flags with underscores: --n_tasks, --n_iters.
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(c, err)} })
	return cmd
}

func (f *runFlags) spec(stderr io.Writer) (lab.Spec, error) {
	methods := f.methods
	warnNoPython(stderr, f.methodFlag.String())
	sizes, err := parseSizes(f.parentRSS)
	if err != nil {
		return lab.Spec{}, fmt.Errorf("--parent-rss: %w", err)
	}
	if f.repeat < 1 {
		return lab.Spec{}, fmt.Errorf("--repeat must be at least 1, got %d", f.repeat)
	}
	s := lab.Spec{Methods: methods, NTasks: f.nTasks, NIters: f.nIters, Repeat: f.repeat,
		Warmup: f.warmup, ParentRSS: sizes, ParentTHP: f.parentTHP, InheritLabHeap: f.inheritHeap, ProfileHz: f.profileHz,
		SampleInterval: f.sample, SampleBudget: f.sampleBudget / 100,
		MaxProcs: f.maxProcs, Timeout: f.timeout, StartProfile: f.startProf != "",
		StartProfilePeriod: f.startEvery}
	if err := s.Validate(); err != nil {
		return s, err
	}
	if slices.ContainsFunc(s.Methods, results.Method.IsPython) {
		if err := lab.CheckTempDir(); err != nil { // the driver's directory
			return s, err
		}
	}
	return s, s.CheckSystem() // before anything runs; lab.Run checks again
}

func methodNames() []string {
	var out []string
	for _, m := range results.KnownMethods() {
		out = append(out, string(m))
	}
	return out
}

// warnNoPython says once that `all` leaves Python's methods out.
func warnNoPython(stderr io.Writer, method string) {
	if strings.TrimSpace(method) != "all" {
		return
	}
	if _, err := lab.Python(); err != nil {
		fmt.Fprintf(stderr, "warning: --method all leaves out %s: %v\n", "py-fork, py-spawn and py-forkserver", err)
	}
}

// failedTasks is an error if any task did not finish with a good record;
// it names the first failure.
func failedTasks(res *results.Result) error {
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

// emit writes the files of --out first, then res to stdout (JSON, or the
// human table), and returns the error that decides the exit status: the
// run's own, then a write's, then later, then a failed task. Files come
// first so that a reader of stdout that leaves early (proclab ... --out D
// | head -1) costs nothing of D; its leaving is not an error (readerLeft).
func emit(stdout, stderr io.Writer, res *results.Result, asJSON bool, table func(io.Writer, *results.Result) error,
	out string, runErr error, later ...error) error {
	return emitWith(stdout, stderr, res, asJSON, table, out, nil, runErr, later...)
}

// emitWith is emit with hyperfine's export files (exp may be nil).
func emitWith(stdout, stderr io.Writer, res *results.Result, asJSON bool, table func(io.Writer, *results.Result) error,
	out string, exp *exportFlags, runErr error, later ...error) error {
	clearNonFinite(res)
	res.Command = invocation
	var werr error
	if out != "" {
		werr = writeOut(out, res)
	}
	if exp != nil {
		if err := exp.write(stdout, res); err != nil && werr == nil {
			werr = err
		}
	}
	var serr error
	if exp != nil && exp.toStdout() {
		// stdout carries the export
	} else if asJSON {
		serr = report.JSON(stdout, res)
	} else {
		serr = table(stdout, res)
	}
	if serr != nil && !readerLeft(serr) && werr == nil {
		werr = serr
	}
	report.WarningsWidth(stderr, res, terminalWidth(stderr)) // grouped; every one is in the JSON
	for _, err := range append([]error{runErr, werr}, later...) {
		if err != nil {
			return err
		}
	}
	return failedTasks(res)
}

// clearNonFinite keeps a NaN or an infinity that slipped into res from
// failing every export at the end of a run (encoding/json refuses them):
// they are written as null or 0, and a warning names them.
func clearNonFinite(res *results.Result) {
	fixed := results.ClearNonFinite(res)
	if len(fixed) == 0 {
		return
	}
	more := ""
	if len(fixed) > 10 {
		more = fmt.Sprintf(" and %d more", len(fixed)-10)
		fixed = fixed[:10]
	}
	res.Warnings = append(res.Warnings, fmt.Sprintf("not a finite number, written as null or 0: %s%s", strings.Join(fixed, ", "), more))
}
