package lab

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"github.com/proclab/proclab/lab/results"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// gatherHost reads the host's metadata through gopsutil and /sys, and
// returns a warning per figure it could not read.
func gatherHost(ctx context.Context) (*results.Host, []string) {
	h := &results.Host{OS: runtime.GOOS, GoVersion: runtime.Version(), ProclabVersion: proclabVersion()}
	var warns []string
	for _, err := range psutilHost(ctx, h) {
		warns = append(warns, "host: "+err.Error())
	}
	var err error
	if h.Hostname, err = os.Hostname(); err != nil {
		warns = append(warns, "host: hostname: "+err.Error())
	}
	const thp = "/sys/kernel/mm/transparent_hugepage/"
	h.THP = bracketed(readLine(thp + "enabled"))
	h.THPDefrag = bracketed(readLine(thp + "defrag"))
	h.Clocksource = readLine("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	h.KernelHz = kernelHz(h.Kernel)
	return h, warns
}

// readLine is the first line of a small file, "" if it cannot be read.
func readLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// bracketed picks the selected mode out of a sysfs choice list:
// "always [madvise] never" is "madvise".
func bracketed(s string) string {
	_, rest, ok := strings.Cut(s, "[")
	if !ok {
		return s
	}
	mode, _, _ := strings.Cut(rest, "]")
	return mode
}

// kernelHz finds CONFIG_HZ in the running kernel's configuration
// (/proc/config.gz, else /boot/config-RELEASE); 0 if neither is there.
func kernelHz(release string) int {
	scan := func(r *bufio.Scanner) int {
		for r.Scan() {
			if v, ok := strings.CutPrefix(r.Text(), "CONFIG_HZ="); ok {
				hz, _ := strconv.Atoi(v)
				return hz
			}
		}
		return 0
	}
	if f, err := os.Open("/proc/config.gz"); err == nil {
		defer f.Close()
		if z, err := gzip.NewReader(f); err == nil {
			return scan(bufio.NewScanner(z))
		}
	}
	if release == "" {
		return 0
	}
	f, err := os.Open("/boot/config-" + release)
	if err != nil {
		return 0
	}
	defer f.Close()
	return scan(bufio.NewScanner(f))
}

// proclabVersion is the module version of this build, else its VCS
// revision, else "devel".
// buildVersion is stamped by the Makefile (-ldflags -X, from git describe);
// empty in a plain `go build`.
var buildVersion string

// Version is proclab's version: the Makefile's stamp (git describe), else
// the module version, else the VCS revision Go recorded in the build.
func Version() string { return proclabVersion() }

// VersionLine is what `proclab version` prints: the version, the VCS
// revision and the toolchain.
func VersionLine() string {
	rev := "unknown revision"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = "revision " + s.Value[:min(len(s.Value), 12)]
			}
		}
	}
	return fmt.Sprintf("proclab %s (%s, %s %s/%s)", proclabVersion(), rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func proclabVersion() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "devel"
	}
	return rev[:min(len(rev), 12)] + dirty
}
