package startprof

import (
	"bufio"
	"debug/elf"
	"os"
	"sort"
	"strconv"
	"strings"
)

// dso is a shared object's (or any ELF file's) function symbols, for the
// frames of files other than the lab's executable: the dynamic loader,
// libc, python. Best effort: a stripped file names only its dynamic
// symbols, and a frame between them is named by the nearest one below.
type dso struct {
	loads []elf.ProgHeader
	addrs []uint64
	names []string
	ends  []uint64
}

func openDSO(path string) (*dso, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &dso{}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			d.loads = append(d.loads, p.ProgHeader)
		}
	}
	syms, _ := f.Symbols()
	dyn, _ := f.DynamicSymbols()
	type fn struct {
		addr, size uint64
		name       string
	}
	var fns []fn
	for _, s := range append(syms, dyn...) {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 {
			continue
		}
		fns = append(fns, fn{s.Value, s.Size, s.Name})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].addr < fns[j].addr })
	for _, f := range fns {
		d.addrs = append(d.addrs, f.addr)
		d.names = append(d.names, f.name)
		d.ends = append(d.ends, f.addr+max(f.size, 1))
	}
	return d, nil
}

// vaddr turns a file offset into the file's link-time address.
func (d *dso) vaddr(off uint64) (uint64, bool) {
	for _, p := range d.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// funcName names the function at link-time address va, "" if none does.
func (d *dso) funcName(va uint64) string {
	i := sort.Search(len(d.addrs), func(i int) bool { return d.addrs[i] > va })
	if i == 0 || va >= d.ends[i-1] {
		return ""
	}
	return d.names[i-1]
}

// SelfMaps reads the calling process's file mappings that can hold code.
func SelfMaps() []Mapping {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil
	}
	defer f.Close()
	pid := uint32(os.Getpid())
	var out []Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 7f1c...-7f1c... r-xp 00028000 08:01 1234  /usr/lib/x86_64-linux-gnu/libc.so.6
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.Contains(fields[1], "x") || !strings.HasPrefix(fields[5], "/") {
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		limit, err2 := strconv.ParseUint(hi, 16, 64)
		off, err3 := strconv.ParseUint(fields[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, Mapping{PID: pid, Start: start, Limit: limit, Pgoff: off, File: fields[5]})
	}
	return out
}
