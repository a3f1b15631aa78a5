package startprof

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Kallsyms is the kernel's symbol table, read from /proc/kallsyms.
type Kallsyms struct {
	addrs []uint64
	names []string
}

// ErrKptrRestrict means /proc/kallsyms shows every address as 0.
var ErrKptrRestrict = errors.New("/proc/kallsyms hides kernel addresses")

// ReadKallsyms reads the text symbols of /proc/kallsyms (the kernel's and
// its modules'). With kernel.kptr_restrict hiding addresses (or a reader
// without CAP_SYSLOG), every address reads 0: that is ErrKptrRestrict.
func ReadKallsyms(path string) (*Kallsyms, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading kernel symbols: %w", err)
	}
	defer f.Close()
	type sym struct {
		addr uint64
		name string
	}
	var syms []sym
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// ffffffff816008b0 T copy_page_range	[module]
		line := sc.Text()
		a, rest, ok := strings.Cut(line, " ")
		if !ok || len(rest) < 3 {
			continue
		}
		switch rest[0] {
		case 't', 'T', 'w', 'W':
		default:
			continue
		}
		addr, err := strconv.ParseUint(a, 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		name, _, _ := strings.Cut(rest[2:], "\t")
		syms = append(syms, sym{addr, name})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading kernel symbols: %w", err)
	}
	if len(syms) == 0 {
		return nil, ErrKptrRestrict
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	k := &Kallsyms{addrs: make([]uint64, len(syms)), names: make([]string, len(syms))}
	for i, s := range syms {
		k.addrs[i], k.names[i] = s.addr, s.name
	}
	return k, nil
}

// Func names the kernel function holding pc, "" if none does.
func (k *Kallsyms) Func(pc uint64) string {
	i := sort.Search(len(k.addrs), func(i int) bool { return k.addrs[i] > pc })
	if i == 0 {
		return ""
	}
	return k.names[i-1]
}
