package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/proclab/proclab/lab/results"
)

// footprint is the lab's own size at one moment: what a fork child
// copies (the page tables of every mapping, and the anonymous pages it
// will share copy-on-write) besides the ballast asked for.
type footprint struct {
	rss, anon int64 // resident and anonymous bytes (summed over /proc/self/smaps)
	dontfork  int64 // anonymous bytes in mappings fork children do not get (VmFlags dc)
	vmas      int   // mappings (lines of /proc/self/maps)
	pte       int64 // page-table bytes (VmPTE)
}

// readFootprint reads the lab's footprint from /proc/self. It costs a walk
// of the lab's page tables (smaps), so it is read between runs, never
// inside a timed section.
func readFootprint() (footprint, error) {
	var fp footprint
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return fp, err
	}
	if fp, err = parseSmaps(smaps); err != nil {
		return fp, fmt.Errorf("smaps: %w", err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fp, err
	}
	if fp.pte, err = kBField(status, "VmPTE"); err != nil {
		return fp, fmt.Errorf("status: %w", err)
	}
	return fp, nil
}

// parseSmaps sums /proc/PID/smaps: every mapping's Rss and Anonymous, the
// Anonymous of those a fork child does not get (VmFlags "dc", set by
// MADV_DONTFORK), and the number of mappings.
func parseSmaps(b []byte) (footprint, error) {
	var fp footprint
	var anon int64 // the current mapping's
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		key, rest, ok := bytes.Cut(line, []byte{':'})
		switch {
		case !ok || bytes.IndexByte(key, ' ') >= 0: // "lo-hi perms ..." starts a mapping
			fp.vmas++
			anon = 0
		case string(key) == "Rss" || string(key) == "Anonymous":
			f := strings.Fields(string(rest))
			if len(f) != 2 || f[1] != "kB" {
				return fp, fmt.Errorf("%s: unexpected %q", key, rest)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return fp, fmt.Errorf("%s: %w", key, err)
			}
			if string(key) == "Rss" {
				fp.rss += kb << 10
			} else {
				anon = kb << 10
				fp.anon += anon
			}
		case string(key) == "VmFlags":
			if slices.Contains(strings.Fields(string(rest)), "dc") {
				fp.dontfork += anon
			}
		}
	}
	if fp.vmas == 0 {
		return fp, fmt.Errorf("no mappings")
	}
	return fp, sc.Err()
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
func (e *env) measureLab(run *results.RunResult) {
	fp, err := readFootprint()
	if err != nil {
		e.warnings = append(e.warnings, "the lab's own footprint: "+err.Error())
		return
	}
	run.LabRSSBytes, run.LabAnonBytes, run.LabVMAs, run.LabPTEBytes = fp.rss, fp.anon, fp.vmas, fp.pte
	run.LabDontForkBytes = fp.dontfork
}
