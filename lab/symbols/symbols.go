// Package symbols resolves program counters sampled in proclab's processes
// to functions and source lines (ELF symbol tables and DWARF line tables),
// and reads the lab's own image (build ID, how it was linked). Pure Go.
package symbols

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"
)

// Symbols resolves program counters sampled in processes that ran one
// executable to functions (from the ELF symbol table: C functions such as
// proclab_hot_loop are there beside Go's) and source lines (from the DWARF
// line tables; cgo compiles C with -g). It is safe for concurrent use.
type Symbols struct {
	Path    string
	BuildID string // the GNU build ID, hex; "" if the binary has none
	// Start and Limit bound the loadable image in file (link-time)
	// addresses; Start is where the ELF header is linked to be.
	Start, Limit uint64
	HasFunctions bool // the binary has a symbol table (not stripped)
	HasLines     bool // the binary carries DWARF line tables

	funcs []elfFunc // sorted by addr

	mu     sync.Mutex
	dwarf  *dwarf.Data
	reader *dwarf.Reader
	lines  map[dwarf.Offset]*dwarf.LineReader // per compile unit
	frames map[uint64]Frame
}

// Frame is where one address is in the source.
type Frame struct {
	Func string // "" if no symbol covers the address
	File string // "" if no line table covers it
	Line int
}

type elfFunc struct {
	addr, size uint64
	name       string
}

type symbolsKey struct {
	path  string
	size  int64
	mtime time.Time
}

var symbolsCache struct {
	sync.Mutex
	m map[symbolsKey]*Symbols
}

// selfPath is the path this process was started from (os.Executable; Go
// drops the " (deleted)" the kernel adds once the file is replaced).
var selfPath, _ = os.Executable()

// Load reads the symbols of the executable at path. Results are
// cached per file (path, size and modification time), so building several
// profiles of one binary reads it once. When path is this process's own
// executable, the symbols come from the running image (/proc/self/exe),
// which is what the lab's children ran, even if the file at path has been
// replaced since (a new build moved over it); Symbols.Path stays path.
func Load(path string) (*Symbols, error) {
	if selfPath != "" && path == selfPath {
		return loadSelfSymbols()
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("symbols: %w", err)
	}
	key := symbolsKey{path, st.Size(), st.ModTime()}
	symbolsCache.Lock()
	defer symbolsCache.Unlock()
	if s := symbolsCache.m[key]; s != nil {
		return s, nil
	}
	s, err := Read(path)
	if err != nil {
		return nil, err
	}
	if symbolsCache.m == nil {
		symbolsCache.m = map[symbolsKey]*Symbols{}
	}
	symbolsCache.m[key] = s
	return s, nil
}

var self struct {
	once sync.Once
	s    *Symbols
	err  error
}

// loadSelfSymbols reads the running image's symbols, once: the image of a
// running process never changes.
func loadSelfSymbols() (*Symbols, error) {
	self.once.Do(func() {
		self.s, self.err = readSymbolsFrom("/proc/self/exe", selfPath)
	})
	return self.s, self.err
}

// SelfImage reads the lab's own image: its GNU build ID ("" if it has
// none) and how it was linked ("static" without a dynamic loader (no
// PT_INTERP), else "dynamic"); both "" if the image cannot be read. It
// reads the ELF headers and one note, not the symbols: it runs before
// every run.
func SelfImage() (buildID, linking string) {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	linking = "static"
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			linking = "dynamic"
		}
	}
	return gnuBuildID(f), linking
}

// Read reads the symbols of the executable at path, uncached.
func Read(path string) (*Symbols, error) { return readSymbolsFrom(path, path) }

// readSymbolsFrom reads the executable at file, calling it path.
func readSymbolsFrom(file, path string) (*Symbols, error) {
	f, err := elf.Open(file)
	if err != nil {
		return nil, fmt.Errorf("symbols of %s: %w", path, err)
	}
	defer f.Close()
	s := &Symbols{Path: path, frames: map[uint64]Frame{}, lines: map[dwarf.Offset]*dwarf.LineReader{}}
	if err := s.readLoads(f); err != nil {
		return nil, fmt.Errorf("symbols of %s: %w", path, err)
	}
	s.BuildID = gnuBuildID(f)
	syms, err := f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("symbols of %s: %w", path, err)
	}
	for _, sy := range syms {
		if elf.ST_TYPE(sy.Info) == elf.STT_FUNC && sy.Section != elf.SHN_UNDEF && sy.Value != 0 {
			s.funcs = append(s.funcs, elfFunc{sy.Value, sy.Size, sy.Name})
		}
	}
	s.HasFunctions = len(s.funcs) > 0
	// Sorted by address; of aliases at one address, the sized one first.
	sort.SliceStable(s.funcs, func(i, j int) bool {
		a, b := s.funcs[i], s.funcs[j]
		if a.addr != b.addr {
			return a.addr < b.addr
		}
		return a.size > b.size
	})
	// DWARF sections are read into memory now (the file is closed after);
	// a stripped binary still resolves functions.
	if d, err := f.DWARF(); err == nil {
		s.dwarf, s.reader, s.HasLines = d, d.Reader(), true
	}
	return s, nil
}

// readLoads finds the image's bounds. The ELF header sits at file offset
// 0, so its link-time address is the address of the PT_LOAD segment that
// maps offset 0: 0x400000 for Go's default executables, 0 for PIE.
func (s *Symbols) readLoads(f *elf.File) error {
	found := false
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Off == 0 {
			s.Start, found = p.Vaddr, true
		}
		s.Limit = max(s.Limit, p.Vaddr+p.Memsz)
	}
	if !found {
		return errors.New("no loadable segment maps the ELF header")
	}
	return nil
}

// FileAddr maps a program counter sampled in a process whose ELF header
// was mapped at textBase to the executable's file address. For a PIE
// build the two differ by the load base; otherwise textBase equals Start
// and the address is unchanged.
func (s *Symbols) FileAddr(pc, textBase uint64) uint64 { return pc - textBase + s.Start }

// Contains reports whether a file address lies in the executable's image
// (a PC in a shared library or the vDSO does not).
func (s *Symbols) Contains(addr uint64) bool { return addr >= s.Start && addr < s.Limit }

// Frame resolves a file address.
func (s *Symbols) Frame(addr uint64) Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fr, ok := s.frames[addr]; ok {
		return fr
	}
	fr := Frame{Func: s.funcName(addr)}
	fr.File, fr.Line = s.line(addr)
	s.frames[addr] = fr
	return fr
}

func (s *Symbols) funcName(addr uint64) string {
	i := sort.Search(len(s.funcs), func(i int) bool { return s.funcs[i].addr > addr }) - 1
	if i < 0 {
		return ""
	}
	fn := s.funcs[i]
	// A sized symbol covers only its size; an unsized one (rare, from
	// assembly) runs to the next symbol.
	if fn.size > 0 && addr >= fn.addr+fn.size {
		return ""
	}
	return fn.name
}

// line finds addr's row in the line table of the compile unit that covers
// it. Callers hold s.mu (dwarf readers are not safe for concurrent use).
func (s *Symbols) line(addr uint64) (string, int) {
	if s.dwarf == nil {
		return "", 0
	}
	cu, err := s.reader.SeekPC(addr)
	if err != nil {
		return "", 0
	}
	lr, ok := s.lines[cu.Offset]
	if !ok {
		lr, _ = s.dwarf.LineReader(cu)
		s.lines[cu.Offset] = lr // nil if the unit has no line table
	}
	if lr == nil {
		return "", 0
	}
	var le dwarf.LineEntry
	if err := lr.SeekPC(addr, &le); err != nil || le.File == nil {
		return "", 0
	}
	return le.File.Name, le.Line
}

// gnuBuildID reads the NT_GNU_BUILD_ID note, if the linker wrote one.
func gnuBuildID(f *elf.File) string {
	sec := f.Section(".note.gnu.build-id")
	if sec == nil {
		return ""
	}
	b, err := sec.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	// Note header: namesz, descsz, type; then "GNU\0" and the ID.
	namesz := f.ByteOrder.Uint32(b[0:])
	descsz := f.ByteOrder.Uint32(b[4:])
	off := 12 + (uint64(namesz)+3)&^3
	if f.ByteOrder.Uint32(b[8:]) != 3 || off+uint64(descsz) > uint64(len(b)) {
		return ""
	}
	return hex.EncodeToString(b[off : off+uint64(descsz)])
}

// Addr is the address of the function called name, if the symbol table
// has it.
func (s *Symbols) Addr(name string) (uint64, bool) {
	for _, f := range s.funcs {
		if f.name == name {
			return f.addr, true
		}
	}
	return 0, false
}
