package bench

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the figures were measured.
type Machine struct {
	CPU        string  `json:"cpu"`
	Cores      int     `json:"cores"`
	MemoryGiB  float64 `json:"memoryGiB"`
	Kernel     string  `json:"kernel"`
	Arch       string  `json:"arch"`
	Go         string  `json:"go"`
	Filesystem string  `json:"scratchFilesystem"`
	Virtual    bool    `json:"virtualMachine"`
	// LoadBefore and LoadAfter are the 1-minute load average at the start
	// and the end of the run: above the number of cores, other work was
	// competing for the CPU.
	LoadBefore float64 `json:"loadBefore"`
	LoadAfter  float64 `json:"loadAfter"`
}

// LoadAverage is the 1-minute load average, from /proc/loadavg.
func LoadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// DescribeMachine reads the CPU model, cores and memory from /proc, and the
// filesystem that holds scratch (where the databases live).
func DescribeMachine(scratch string) Machine {
	m := Machine{Cores: runtime.NumCPU(), Arch: runtime.GOARCH, Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			k = strings.TrimSpace(k)
			switch {
			case !ok:
			case k == "model name" && m.CPU == "":
				m.CPU = strings.TrimSpace(v)
			case k == "flags" && strings.Contains(" "+v+" ", " hypervisor "):
				m.Virtual = true
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
				kib, _ := strconv.ParseFloat(f[1], 64)
				m.MemoryGiB = round3(kib / 1024 / 1024)
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.Filesystem = filesystemOf(scratch)
	m.LoadBefore = LoadAverage()
	return m
}

// filesystemOf names the mount that holds dir: device, mount point, type.
func filesystemOf(dir string) string {
	dir, _ = filepath.EvalSymlinks(dir)
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return ""
	}
	best, bestLen := "", -1
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		mp := f[1]
		if (dir == mp || strings.HasPrefix(dir, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > bestLen {
			best, bestLen = f[0]+" on "+mp+" ("+f[2]+")", len(mp)
		}
	}
	return best
}
