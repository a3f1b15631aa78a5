// Command benchsum summarises measurements for scripts/bench.sh, so that
// the script needs nothing beyond Go:
//
//	benchsum median -name BenchmarkHotLoop -metric ns/iter FILE...
//	benchsum ab DIR LABEL...         (DIR/LABEL-*.json from proclab calibrate --json)
//	benchsum rate RESULT.json        (tasks per second of a proclab --json run)
//	benchsum maxrss CMD ARGS...      (runs CMD, prints its peak RSS in bytes)
//	benchsum fork RESULT.json...     (fork total, startup µs; lab anon MiB, mappings)
//	benchsum ratejson METHOD RATE.json...  (proclab rate: tasks/s, floor, ratio)
//	benchsum spawnready CAL.json...  (spawn worker: constructor to Go ready, µs)
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

func main() {
	if err := benchsum(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchsum:", err)
		os.Exit(2)
	}
}

func benchsum(w io.Writer, args []string) error {
	if len(args) == 0 {
		return errors.New("want a subcommand: median, ab, rate or maxrss")
	}
	switch args[0] {
	case "median":
		return median(w, args[1:])
	case "ab":
		return ab(w, args[1:])
	case "rate":
		return rate(w, args[1:])
	case "maxrss":
		return maxrss(w, args[1:])
	case "fork":
		return forkFigures(w, args[1:])
	case "ratejson":
		return rateFigures(w, args[1:])
	case "spawnready":
		return spawnReady(w, args[1:])
	}
	return fmt.Errorf("unknown subcommand %q", args[0])
}

// median prints the median of one metric of one benchmark over every line
// of the Go benchmark files given.
func median(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("median", flag.ContinueOnError)
	name := fs.String("name", "", "benchmark name without the -N suffix")
	metric := fs.String("metric", "ns/op", "unit of the metric")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var xs []float64
	for _, path := range fs.Args() {
		vs, err := metricValues(path, *name, *metric)
		if err != nil {
			return err
		}
		xs = append(xs, vs...)
	}
	if len(xs) == 0 {
		return fmt.Errorf("no %s values of %s", *metric, *name)
	}
	fmt.Fprintf(w, "%g\n", stats.Summarize(xs).Median)
	return nil
}

// metricValues reads "BenchmarkX-2  N  v unit  v unit ..." lines.
func metricValues(path, name, metric string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		bench := fields[0]
		if i := strings.LastIndexByte(bench, '-'); i > 0 {
			if _, err := strconv.Atoi(bench[i+1:]); err == nil {
				bench = bench[:i]
			}
		}
		if bench != name {
			continue
		}
		for i := 2; i+1 < len(fields); i += 2 {
			if fields[i+1] == metric {
				v, err := strconv.ParseFloat(fields[i], 64)
				if err != nil {
					return nil, fmt.Errorf("%s: %q: %w", path, fields[i], err)
				}
				out = append(out, v)
			}
		}
	}
	return out, sc.Err()
}

// ab prints a Markdown table of calibrate runs of several builds, run
// alternately: per build, the median over runs of each method's ratio
// over the floor measured in the same run.
func ab(w io.Writer, args []string) error {
	if len(args) < 2 {
		return errors.New("usage: ab DIR LABEL [LABEL]")
	}
	dir, labels := args[0], args[1:]
	fmt.Fprintln(w, "| build | runs | fork startup | × floor | fork total | × floor | spawn startup | × floor | spawn total | × floor |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, label := range labels {
		paths, err := filepath.Glob(filepath.Join(dir, label+"-*.json"))
		if err != nil || len(paths) == 0 {
			return fmt.Errorf("no runs of %s in %s", label, dir)
		}
		fig := map[string][]float64{}
		for _, p := range paths {
			var c results.Calibration
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &c); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			for _, mo := range c.Methods {
				if mo.N == 0 {
					continue
				}
				k := string(mo.Method)
				fig[k+" startup"] = append(fig[k+" startup"], mo.StartupNS)
				fig[k+" startup ratio"] = append(fig[k+" startup ratio"], mo.StartupRatio)
				fig[k+" total"] = append(fig[k+" total"], mo.TotalNS)
				fig[k+" total ratio"] = append(fig[k+" total ratio"], mo.TotalRatio)
			}
		}
		cell := func(k string, ratio bool) string {
			xs := fig[k]
			if len(xs) == 0 {
				return "-"
			}
			m := stats.Summarize(xs).Median
			if ratio {
				return fmt.Sprintf("%.3fx", m)
			}
			return fmt.Sprintf("%.0f µs", m/1e3)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, len(paths),
			cell("fork startup", false), cell("fork startup ratio", true), cell("fork total", false), cell("fork total ratio", true),
			cell("spawn startup", false), cell("spawn startup ratio", true), cell("spawn total", false), cell("spawn total ratio", true))
	}
	return nil
}

// rate prints tasks per second of each run of a proclab --json result.
func rate(w io.Writer, args []string) error {
	if len(args) != 1 {
		return errors.New("rate RESULT.json")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var res results.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	var xs []float64
	for _, r := range res.Runs {
		if r.WallNS > 0 {
			xs = append(xs, float64(r.NTasks)/(float64(r.WallNS)/1e9))
		}
	}
	if len(xs) == 0 {
		return fmt.Errorf("%s: no run with a wall time", args[0])
	}
	slices.Sort(xs)
	fmt.Fprintf(w, "%.0f\n", stats.Summarize(xs).Median)
	return nil
}

// maxrss runs a command and prints its peak RSS (wait4's ru_maxrss).
func maxrss(w io.Writer, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: maxrss CMD [ARG]")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return errors.New("no rusage")
	}
	fmt.Fprintln(w, ru.Maxrss*1024)
	return nil
}
