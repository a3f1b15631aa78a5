package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// MaxDocumentBytes bounds what is read of one results document: a run of
// the most tasks one run keeps (2^20) writes a few hundred MB; past this a
// file is not one of proclab's, and reading it would take the memory of
// the machine.
const MaxDocumentBytes = 2 << 30

// MaxTasks bounds the tasks one document may hold.
const MaxTasks = 1 << 24

// ErrNotResults says a file is not a proclab results document.
var ErrNotResults = errors.New("not a proclab results document")

// ReadFile reads the run document (results.json) at name, in today's form
// or an older one (checksums as JSON numbers), and checks what it read as
// the lab checks what it records (Check).
func ReadFile(name string) (*Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	if st.Size() > MaxDocumentBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a results document can have", name, st.Size(), int64(MaxDocumentBytes))
	}
	res, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// Decode reads one run document from r (at most MaxDocumentBytes) and
// checks it.
func Decode(r io.Reader) (*Result, error) {
	lr := &io.LimitedReader{R: r, N: MaxDocumentBytes + 1}
	dec := json.NewDecoder(bufio.NewReaderSize(lr, 1<<16))
	var res Result
	if err := dec.Decode(&res); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("more than %d bytes: %w", int64(MaxDocumentBytes), ErrNotResults)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w (%v)", ErrNotResults, err)
		}
		return nil, err
	}
	if err := res.Check(); err != nil {
		return nil, err
	}
	return &res, nil
}

// UnmarshalJSON reads a task, refusing a null one, with its checksum as a
// string (today's form) or a number (results written before checksums
// became strings: a number keeps all 64 bits here, decoded exactly).
func (t *Task) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return errors.New("a task is null")
	}
	type plain Task
	aux := struct {
		*plain
		Checksum json.RawMessage `json:"checksum"`
	}{plain: (*plain)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	raw := strings.TrimSpace(string(aux.Checksum))
	if raw == "" || raw == "null" {
		return nil
	}
	if u, err := strconv.Unquote(raw); err == nil {
		raw = u
	}
	v, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return fmt.Errorf("task %d: checksum %s is not a 64-bit unsigned integer", t.Task, aux.Checksum)
	}
	t.Checksum = v
	return nil
}

// MaxDurationNS bounds every duration a document may hold: 30 days. A
// larger one is not a measurement (a stamp subtracted from 0, a
// sign-flipped 64-bit value) and would print as a figure.
const MaxDurationNS = 30 * 24 * 3600 * int64(1e9)

// MaxBytes bounds every memory figure: 1 PiB.
const MaxBytes = int64(1) << 50

// Check checks a document as the lab checks what it records: its schema,
// known methods, and every figure within what a measurement can be (no
// negative duration, none above MaxDurationNS, no negative or absurd
// byte count). The first problem is returned, naming where it is.
func (res *Result) Check() error {
	if res.Schema != Schema {
		if res.Schema == "" {
			return fmt.Errorf("no schema: %w", ErrNotResults)
		}
		return fmt.Errorf("schema %q, want %q", res.Schema, Schema)
	}
	for _, m := range res.Spec.Methods {
		if !m.Valid() {
			return fmt.Errorf("spec.methods: unknown method %q (known: %s)", m, MethodNames())
		}
	}
	tasks := 0
	for i := range res.Runs {
		r := &res.Runs[i]
		where := fmt.Sprintf("runs[%d]", i)
		if !r.Method.Valid() {
			return fmt.Errorf("%s: unknown method %q (known: %s)", where, r.Method, MethodNames())
		}
		if err := firstErr(duration(where+".wall_ns", r.WallNS), count(where+".n_tasks", int64(r.NTasks)),
			bytesFig(where+".parent_rss_bytes", r.ParentRSSBytes), bytesFig(where+".lab_rss_bytes", r.LabRSSBytes),
			bytesFig(where+".lab_anon_bytes", r.LabAnonBytes), bytesFig(where+".lab_pte_bytes", r.LabPTEBytes),
			bytesFig(where+".lab_dontfork_bytes", r.LabDontForkBytes), count(where+".lab_vmas", int64(r.LabVMAs))); err != nil {
			return err
		}
		tasks += len(r.Tasks)
		if tasks > MaxTasks {
			return fmt.Errorf("more than %d tasks: %w", MaxTasks, ErrNotResults)
		}
		for j := range r.Tasks {
			if err := r.Tasks[j].check(fmt.Sprintf("%s.tasks[%d]", where, j)); err != nil {
				return err
			}
		}
	}
	for i, c := range res.Cells {
		if !c.Method.Valid() {
			return fmt.Errorf("cells[%d]: unknown method %q", i, c.Method)
		}
		if err := firstErr(duration(fmt.Sprintf("cells[%d].single_ns", i), c.SingleNS),
			duration(fmt.Sprintf("cells[%d].multi_ns", i), c.MultiNS), duration(fmt.Sprintf("cells[%d].thread_ns", i), c.ThreadNS)); err != nil {
			return err
		}
	}
	return nil
}

func (t *Task) check(where string) error {
	opt := func(name string, p *int64, f func(string, int64) error) error {
		if p == nil {
			return nil
		}
		return f(where+"."+name, *p)
	}
	return firstErr(
		opt("startup_ns", t.StartupNS, duration), opt("exec_done_ns", t.ExecDoneNS, duration),
		opt("runtime_ready_ns", t.RuntimeReadyNS, duration), duration(where+".total_ns", t.TotalNS),
		duration(where+".run_ns", t.RunNS), opt("task_cpu_ns", t.TaskCPUNS, duration),
		opt("mem_read_ns", t.MemReadNS, duration),
		opt("user_ns", t.UserNS, duration), opt("sys_ns", t.SysNS, duration),
		opt("hwm_bytes", t.HWMBytes, bytesFig), opt("max_rss_bytes", t.MaxRSSBytes, bytesFig),
		opt("end_rss_bytes", t.EndRSSBytes, bytesFig), opt("end_pss_bytes", t.EndPSSBytes, bytesFig),
		opt("end_uss_bytes", t.EndUSSBytes, bytesFig), opt("rusage_maxrss_bytes", t.RusageMaxRSSBytes, bytesFig),
		opt("peak_rss_bytes", t.PeakRSSBytes, bytesFig), opt("peak_pss_bytes", t.PeakPSSBytes, bytesFig),
		opt("minflt", t.MinFlt, count), opt("majflt", t.MajFlt, count),
		opt("nvcsw", t.NVCSW, count), opt("nivcsw", t.NIVCSW, count),
		count(where+".pid", int64(t.PID)), count(where+".task", int64(t.Task)),
	)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func duration(where string, ns int64) error {
	switch {
	case ns < 0:
		return fmt.Errorf("%s is %d: a duration is never negative", where, ns)
	case ns > MaxDurationNS:
		return fmt.Errorf("%s is %d ns: more than 30 days is not a measurement", where, ns)
	}
	return nil
}

func bytesFig(where string, b int64) error {
	if b < 0 || b > MaxBytes {
		return fmt.Errorf("%s is %d: not a memory size", where, b)
	}
	return nil
}

func count(where string, n int64) error {
	if n < 0 {
		return fmt.Errorf("%s is %d: a count is never negative", where, n)
	}
	return nil
}

// A Part is one results document of a set: a directory written by --out
// ("." when the set is that directory or a results.json itself), or one
// part of a lab tree written by make lab (methods/, compare/, ...).
type Part struct {
	Name  string  // the part's directory, relative to the set ("." for the set itself)
	Dir   string  // the directory its files are in
	Res   *Result // its results.json
	Files []string
}

// ReadParts reads a result set: a results.json, a directory written by
// --out (results.json at its top), or a lab tree (DIR/*/results.json), in
// the order of the tree's directories.
func ReadParts(name string) ([]Part, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		res, err := ReadFile(name)
		if err != nil {
			return nil, err
		}
		dir := filepath.Dir(name)
		return []Part{{Name: ".", Dir: dir, Res: res}}, nil
	}
	top := filepath.Join(name, "results.json")
	if res, err := ReadFile(top); err == nil {
		files, err := regularFiles(name)
		if err != nil {
			return nil, err
		}
		return []Part{{Name: ".", Dir: name, Res: res, Files: files}}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ents, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	var parts []Part
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(name, e.Name())
		res, err := ReadFile(filepath.Join(sub, "results.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		files, err := regularFiles(sub)
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{Name: e.Name(), Dir: sub, Res: res, Files: files})
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s holds no results.json, at its top or one level down (write them with --out)", name)
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Name < parts[j].Name })
	return parts, nil
}

// regularFiles lists the regular files in dir that are not hidden.
func regularFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range ents {
		if f.Type().IsRegular() && !strings.HasPrefix(f.Name(), ".") {
			out = append(out, f.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}
