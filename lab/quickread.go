package lab

import (
	"bytes"
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// statReader is the sampler's quick reading of a child: CPU and RSS from
// one file, /proc/PID/stat, opened at the first reading and read again
// with pread at the next ones (no open, no allocation: on a lab that
// forks, every page written after a fork is a copy-on-write fault, and
// gopsutil's Times and MemoryInfo, two opens and a dozen allocations,
// cost 90-250 µs a reading in a run against 30 µs in a quiet loop,
// BenchmarkSample). Its owner closes it once done with the pid.
type statReader struct {
	pid int
	fd  int // -1: not open
}

func newStatReader(pid int) *statReader { return &statReader{pid: pid, fd: -1} }

// read returns the process's user+system CPU (seconds, USER_HZ steps) and
// resident memory (bytes), reading into buf (the sampler's own, reused);
// gone when it has exited (a zombie's RSS is 0, a reaped one's file
// reads ESRCH).
func (r *statReader) read(buf []byte) (cpuSeconds float64, rss int64, gone bool, err error) {
	if r.fd < 0 {
		fd, err := unix.Open("/proc/"+strconv.Itoa(r.pid)+"/stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return 0, 0, errors.Is(err, unix.ENOENT), err
		}
		r.fd = fd
	}
	n, err := unix.Pread(r.fd, buf, 0)
	if err != nil {
		return 0, 0, errors.Is(err, unix.ESRCH), err
	}
	utime, stime, pages, ok := parseStat(buf[:n])
	if !ok {
		return 0, 0, false, errors.New("/proc/PID/stat: unexpected format")
	}
	if pages == 0 {
		return 0, 0, true, nil
	}
	return float64(utime+stime) / userHZ, pages * int64(unix.Getpagesize()), false, nil
}

// parseStat takes utime and stime (fields 14 and 15, clock ticks) and
// rss (field 24, pages) from a /proc/PID/stat line; the command name,
// field 2, is in parentheses and may hold spaces and parentheses.
func parseStat(b []byte) (utime, stime, rss int64, ok bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, 0, false
	}
	field := 2 // the ')' ends field 2
	for p := i + 1; p < len(b) && field < 24; {
		for p < len(b) && b[p] == ' ' {
			p++
		}
		field++
		start := p
		for p < len(b) && b[p] != ' ' && b[p] != '\n' {
			p++
		}
		if field == 14 || field == 15 || field == 24 {
			v, good := atoi(b[start:p])
			if !good {
				return 0, 0, 0, false
			}
			switch field {
			case 14:
				utime = v
			case 15:
				stime = v
			case 24:
				rss, ok = v, true
			}
		}
	}
	return utime, stime, rss, ok
}

// atoi parses a decimal without allocating; false if b is not one.
func atoi(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// close closes the file, if open.
func (r *statReader) close() {
	if r.fd >= 0 {
		unix.Close(r.fd)
		r.fd = -1
	}
}
