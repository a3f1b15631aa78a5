package lab

import (
	"bytes"
	"encoding/json"
	"github.com/proclab/proclab/lab/symbols"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/proclab/proclab/csys"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// workersOf lists the children of lab that are re-exec'd workers.
func workersOf(lab int) []int {
	var out []int
	for _, c := range childrenOf(lab) {
		cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(c.pid) + "/cmdline")
		if args := strings.Split(string(cmd), "\x00"); len(args) > 1 && args[1] == csys.WorkerArg {
			out = append(out, c.pid)
		}
	}
	return out
}

// A new build moved over the lab's binary mid-run: the workers started
// after it still run the lab's own image, the result names that image's
// build ID, and the profile is symbolized from it. Before, later workers
// exec'd whatever file was at the path (here /bin/true: no record), and
// the profile was symbolized from it.
func TestBinaryReplacedMidRun(t *testing.T) {
	built := buildProclab(t, false)
	dir := t.TempDir()
	bin := filepath.Join(dir, "proclab")
	copyFile(t, built, bin)
	orig, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	want, err := symbols.Read(bin)
	if err != nil || want.BuildID == "" {
		t.Fatalf("build ID of %s: %q %v", bin, want.BuildID, err)
	}
	prof := filepath.Join(dir, "hot.pb.gz")
	cmd := exec.Command(bin, "--method", "spawn,fork-exec,exec,forkserver", "--n-tasks", "2", "--repeat", "4",
		"--n-iters", "20000000", "--sample-interval", "0", "--json", "--profile", prof)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) // if the test fails early
	lab := cmd.Process.Pid

	// Mid-run: once the first worker runs, replace the file.
	var before []int
	if !waitFor(func() bool { before = workersOf(lab); return len(before) > 0 }) {
		t.Fatal("no worker appeared")
	}
	other := filepath.Join(dir, "new-build")
	copyFile(t, "/bin/true", other)
	if err := os.Rename(other, bin); err != nil {
		t.Fatal(err)
	}
	// A worker started after that runs the original image.
	seen := map[int]bool{}
	for _, pid := range before {
		seen[pid] = true
	}
	checked := false
	waitFor(func() bool {
		for _, pid := range workersOf(lab) {
			if seen[pid] {
				continue
			}
			seen[pid] = true
			if st, err := os.Stat("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil {
				if !os.SameFile(st, orig) {
					t.Errorf("worker %d started after the replacement runs another file", pid)
				}
				checked = true
			}
		}
		return checked
	})
	if err := cmd.Wait(); err != nil {
		t.Fatalf("proclab: %v\n%s", err, stderr.Bytes())
	}
	if !checked {
		t.Fatal("no worker was seen starting after the replacement")
	}

	// Decoded on its own terms (the JSON is the contract): checksum_ok
	// true, binary_build_id the original's.
	var res struct {
		BinaryBuildID string `json:"binary_build_id"`
		Runs          []struct {
			Method string `json:"method"`
			Round  int    `json:"round"`
			Tasks  []struct {
				Task       int    `json:"task"`
				ChecksumOK *bool  `json:"checksum_ok"`
				Error      string `json:"error"`
			} `json:"tasks"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.BinaryBuildID != want.BuildID {
		t.Errorf("binary_build_id %q, want the original's %q", res.BinaryBuildID, want.BuildID)
	}
	n := 0
	for _, r := range res.Runs {
		for _, tk := range r.Tasks {
			n++
			if tk.ChecksumOK == nil || !*tk.ChecksumOK || tk.Error != "" {
				t.Errorf("%s round %d task %d: checksum_ok %v, error %q", r.Method, r.Round, tk.Task, tk.ChecksumOK, tk.Error)
			}
		}
	}
	if n != 4*4*2 {
		t.Errorf("%d tasks, want 32", n)
	}
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fn := range p.Function {
		found = found || fn.Name == "proclab_hot_loop"
	}
	if !found {
		t.Error("the profile does not name proclab_hot_loop: symbolized from another file")
	}
}
