package report

import (
	"encoding/binary"
	"math"
	"os"
	"reflect"

	"github.com/proclab/proclab/lab/results"
	"github.com/proclab/proclab/lab/stats"
)

// fuzzBytes hands out the fuzzer's bytes as choices; past the end every
// choice is 0, so any input makes a Result.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) byte() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzBytes) intn(n int) int { return int(f.byte()) % n }

func (f *fuzzBytes) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = f.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

// interesting values of a figure: zero, one, equal-looking small and
// typical ones, and the ends of the range.
var interesting = []int64{0, 1, 999, 250_000, 1_000_000, 1_000_000, 12 << 20, 1 << 30, math.MaxInt64 / 4, math.MaxInt64, -1}

// i64 is an interesting value or, one time in four, any int64.
func (f *fuzzBytes) i64() int64 {
	c := f.byte()
	if c%4 == 3 {
		return int64(f.u64())
	}
	return interesting[int(c/4)%len(interesting)]
}

// opt is a figure or null.
func (f *fuzzBytes) opt() *int64 {
	if f.byte()%3 == 0 {
		return nil
	}
	v := f.i64()
	return &v
}

func (f *fuzzBytes) optInt() *int {
	if f.byte()%2 == 0 {
		return nil
	}
	v := int(f.i64() % 256)
	return &v
}

// parentSizes are the ballasts a generated run may ask for: none, the
// sizes the lab uses, a size below a MiB and a huge one.
var parentSizes = []int64{0, 64 << 20, 0, 4096, 1 << 30, 21 << 30}

// genResult makes a Result of any shape from fuzz bytes: one method or
// several (repeated ones too), zero to a few tasks, one or several parent
// sizes, every figure zero, equal, huge or null, live samples and profile
// samples or none, and, one time in three, a compare grid.
func genResult(data []byte) *results.Result {
	f := &fuzzBytes{data}
	exe, _ := os.Executable()
	res := &results.Result{Schema: results.Schema, Runs: []results.RunResult{}, Binary: exe}
	nm := 1 + f.intn(4)
	for range nm {
		res.Spec.Methods = append(res.Spec.Methods, results.Methods[f.intn(len(results.Methods))])
	}
	ns := 1 + f.intn(3)
	for range ns {
		res.Spec.ParentRSSBytes = append(res.Spec.ParentRSSBytes, parentSizes[f.intn(len(parentSizes))])
	}
	res.Spec.NTasks = f.intn(4)
	res.Spec.NIters = uint64(f.i64())
	res.Spec.Repeat = 1 + f.intn(3)
	res.Spec.ProfileHz = []int{0, 250, 1}[f.intn(3)]
	res.Incomplete = f.byte()%5 == 0
	if f.byte()%2 == 0 {
		res.LabPeakRSSBytes = f.i64()
	}
	grid := f.byte()%3 == 0
	if grid {
		res.Spec.Methods = []results.Method{results.Single, results.Fork, results.Thread}
		res.Spec.ParentRSSBytes = []int64{0}
		res.Spec.NTasksGrid = []int{1 + f.intn(4), 1 + f.intn(4)}
		res.Spec.NItersGrid = []uint64{uint64(1 + f.intn(1000)), uint64(1e6 + f.intn(1000))}
	}
	for _, size := range res.Spec.ParentRSSBytes {
		for round := range res.Spec.Repeat {
			for _, m := range res.Spec.Methods {
				nts, nis := []int{res.Spec.NTasks}, []uint64{res.Spec.NIters}
				if grid {
					nts, nis = res.Spec.NTasksGrid, res.Spec.NItersGrid
				}
				for _, nt := range nts {
					for _, ni := range nis {
						res.Runs = append(res.Runs, genRun(f, m, round, nt, ni, size, res.Spec.ProfileHz))
					}
				}
			}
		}
	}
	if grid {
		if f.byte()%4 != 3 { // a grid's cells need runs whose every task ended well
			for i := range res.Runs {
				for j := range res.Runs[i].Tasks {
					res.Runs[i].Tasks[j].Error = ""
					setChecksumOK(&res.Runs[i].Tasks[j], checksumGood)
				}
			}
		}
		res.Spec.NTasks, res.Spec.NIters = 0, 0
		res.Cells = stats.Cells(res.Runs, results.Fork, 1+f.intn(4))
		res.Crossover = stats.Crossovers(res.Cells)
	}
	if f.byte()%2 == 0 {
		res.Sampler = &results.SamplerStats{IntervalNS: f.i64(), Samples: f.intn(100), CPUNS: f.i64(), Overhead: float64(f.byte()) / 100, Budget: 0.005, Skipped: f.intn(3)}
	}
	if f.byte()%4 == 0 {
		res.Forkserver = &results.ForkserverInfo{PID: 42, StartupNS: f.i64(), RSSBytes: f.i64(), Threads: 1}
	}
	if f.byte()%4 == 0 {
		res.Warnings = []string{"a warning | with a pipe\nand a newline"}
	}
	return res
}

func genRun(f *fuzzBytes, m results.Method, round, nt int, ni uint64, size int64, hz int) results.RunResult {
	r := results.RunResult{Method: m, Round: round, NTasks: nt, NIters: ni, ParentRSSBytes: size, WallNS: f.i64()}
	if f.byte()%2 == 0 {
		r.LabRSSBytes, r.LabAnonBytes, r.LabVMAs, r.LabPTEBytes = size+f.i64(), size+f.i64(), f.intn(300), f.i64()
	}
	for i := range nt {
		t := results.Task{Task: i, PID: 1000 + i, TotalNS: f.i64(), RunNS: f.i64(),
			UserNS: f.opt(), SysNS: f.opt(), MinFlt: f.opt(), NVCSW: f.opt(), NIVCSW: f.opt(),
			Checksum: f.u64()}
		setChecksumOK(&t, []checksumState{checksumGood, checksumGood, checksumBad, checksumUnknown}[f.intn(4)])
		if m.CreatesProcess() {
			t.ParentPID = f.optInt()
			t.StartupNS, t.ExecDoneNS, t.RuntimeReadyNS = f.opt(), f.opt(), f.opt()
			t.HWMBytes, t.EndRSSBytes, t.EndPSSBytes, t.EndUSSBytes = f.opt(), f.opt(), f.opt(), f.opt()
			setRusageMaxRSS(&t, f.opt())
			t.PeakRSSBytes, t.PeakPSSBytes = f.opt(), f.opt()
			t.ExitCode, t.Signal = f.optInt(), f.optInt()
		} else {
			t.TID = 2000 + i
			if m == results.Thread {
				t.StartupNS = f.opt()
			}
		}
		t.TaskCPUNS = f.opt()
		if f.byte()%5 == 0 {
			t.Error = "it went wrong"
		}
		if f.byte()%5 == 0 {
			t.TimedOut = true
		}
		for k := range f.intn(4) {
			t.Samples = append(t.Samples, results.Sample{TNS: int64(k) * f.i64() / 4, CPUPercent: float64(f.byte()),
				RSSBytes: f.i64(), PSSBytes: f.i64(), USSBytes: f.i64(), Threads: int32(f.byte())})
		}
		if hz > 0 && f.byte()%2 == 0 {
			tp := &results.TaskProfile{Hz: hz, Dropped: f.intn(3), TextBase: f.u64()}
			if f.byte()%4 == 0 {
				tp.Err = "setitimer failed"
			}
			for range f.intn(4) {
				tp.PCs = append(tp.PCs, f.u64())
			}
			t.Profile = tp
		}
		r.Tasks = append(r.Tasks, t)
	}
	return r
}

type checksumState int

const (
	checksumGood checksumState = iota
	checksumBad
	checksumUnknown // null where the field can be (an interrupted run); else good
)

// setChecksumOK sets t's checksum_ok whether the field is a bool or a
// *bool (null when not verified): the type changes with the lab's record
// of it, and these tests build with either.
func setChecksumOK(t *results.Task, s checksumState) {
	v := reflect.ValueOf(t).Elem().FieldByName("ChecksumOK")
	ok := s != checksumBad
	switch {
	case v.Kind() == reflect.Bool:
		v.SetBool(ok)
	case s == checksumUnknown:
		v.SetZero()
	default:
		v.Set(reflect.ValueOf(&ok))
	}
}

// setRusageMaxRSS sets the rusage peak, max_rss_bytes on main and
// rusage_maxrss_bytes once renamed, so that these tests build with either.
func setRusageMaxRSS(t *results.Task, v *int64) {
	e := reflect.ValueOf(t).Elem()
	for _, name := range []string{"RusageMaxRSSBytes", "MaxRSSBytes"} {
		if f := e.FieldByName(name); f.IsValid() {
			f.Set(reflect.ValueOf(v))
			return
		}
	}
}
