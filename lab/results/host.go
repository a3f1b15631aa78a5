package results

// Host is the machine a result was measured on: what a reader needs to
// compare two results. Figures that could not be read stay empty, with a
// warning in the result.
type Host struct {
	Hostname       string    `json:"hostname"`
	OS             string    `json:"os"`                       // GOOS
	Platform       string    `json:"platform"`                 // distribution and version
	Arch           string    `json:"arch"`                     // the kernel's machine
	Virtualization string    `json:"virtualization,omitempty"` // e.g. "kvm guest"
	CPUModel       string    `json:"cpu_model"`
	CPUs           int       `json:"cpus"` // logical CPUs
	MemoryBytes    int64     `json:"memory_bytes"`
	Kernel         string    `json:"kernel"`    // release, as uname -r
	KernelHz       int       `json:"kernel_hz"` // CONFIG_HZ: caps profile rates; 0 if unknown
	THP            string    `json:"thp"`       // transparent huge pages: always, madvise or never
	THPDefrag      string    `json:"thp_defrag"`
	Clocksource    string    `json:"clocksource"` // what CLOCK_MONOTONIC reads, e.g. tsc
	LoadAvg        []float64 `json:"load_avg"`    // 1, 5 and 15 minutes, when the run started
	GoVersion      string    `json:"go_version"`
	ProclabVersion string    `json:"proclab_version"`
}
