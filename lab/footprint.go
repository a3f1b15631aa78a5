package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// footprint is the lab's own size at one moment: what a fork child
// copies (the page tables of every mapping, and the anonymous pages it
// will share copy-on-write) besides the ballast asked for.
type footprint struct {
	rss, anon int64 // resident and anonymous bytes (smaps_rollup)
	vmas      int   // mappings (lines of /proc/self/maps)
	pte       int64 // page-table bytes (VmPTE)
}

// readFootprint reads the lab's footprint from /proc/self. It costs a walk
// of the lab's page tables (smaps_rollup), so it is read between runs,
// never inside a timed section.
func readFootprint() (footprint, error) {
	var fp footprint
	roll, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return fp, err
	}
	if fp.rss, err = kBField(roll, "Rss"); err != nil {
		return fp, fmt.Errorf("smaps_rollup: %w", err)
	}
	if fp.anon, err = kBField(roll, "Anonymous"); err != nil {
		return fp, fmt.Errorf("smaps_rollup: %w", err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fp, err
	}
	if fp.pte, err = kBField(status, "VmPTE"); err != nil {
		return fp, fmt.Errorf("status: %w", err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return fp, err
	}
	fp.vmas = bytes.Count(maps, []byte{'\n'})
	return fp, nil
}

// kBField reads "Name:   1234 kB" from a /proc file, in bytes.
func kBField(b []byte, name string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || key != name {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("%s: unexpected %q", name, rest)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no %s field", name)
}

// measureLab fills run's lab_* fields with the lab's footprint now, right
// before the run's first create; a failure to read it is a warning, the
// figures then stay 0.
func (e *env) measureLab(run *RunResult) {
	fp, err := readFootprint()
	if err != nil {
		e.warnings = append(e.warnings, "the lab's own footprint: "+err.Error())
		return
	}
	run.LabRSSBytes, run.LabAnonBytes, run.LabVMAs, run.LabPTEBytes = fp.rss, fp.anon, fp.vmas, fp.pte
}
