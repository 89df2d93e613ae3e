package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Profiler samples the kiosk's CPU with Linux perf (call graphs, kernel
// included; it needs a kiosk built with its symbol table, Build with
// keepSymbols) and, from the kiosk's profiler (--debug-addr), its
// allocations over the same span.
type Profiler struct {
	dir   string
	kiosk *Kiosk
	seq   int
	note  func(string, ...any)
}

// NewProfiler profiles k, keeping its data files in dir.
func NewProfiler(dir string, k *Kiosk, note func(string, ...any)) *Profiler {
	return &Profiler{dir: dir, kiosk: k, note: note}
}

// Start begins sampling; the returned function stops it and returns the
// hottest functions by own CPU time, one line each ("12.3% symbol"), then
// the largest allocators of the span.
func (p *Profiler) Start() func() []string {
	p.seq++
	data := filepath.Join(p.dir, fmt.Sprintf("perf-%d.data", p.seq))
	allocs := filepath.Join(p.dir, fmt.Sprintf("allocs-%d", p.seq))
	before := p.saveAllocs(allocs + "-before.pb.gz")
	proc, err := Spawn("perf", data+".log", []string{"perf", "record", "-g", "-F", "499", "-p", strconv.Itoa(p.kiosk.Pid()), "-o", data}, os.Environ())
	if err != nil {
		p.note("perf: %v", err)
		return func() []string { return nil }
	}
	return func() []string {
		_ = proc.Signal(syscall.SIGINT)
		select {
		case <-proc.Exited():
		case <-time.After(10 * time.Second):
		}
		proc.Stop()
		top := topSymbols(data, 15)
		if after := p.saveAllocs(allocs + "-after.pb.gz"); before && after {
			top = append(top, "", "allocations (go tool pprof -sample_index=alloc_space -base "+filepath.Base(allocs)+"-before.pb.gz):")
			top = append(top, topAllocators(allocs+"-before.pb.gz", allocs+"-after.pb.gz", 12)...)
		}
		return top
	}
}

// saveAllocs writes the kiosk's allocation profile (every allocation since
// it started, sampled) to file.
func (p *Profiler) saveAllocs(file string) bool {
	body, err := p.kiosk.debugGet(context.Background(), "/debug/pprof/allocs")
	if err == nil {
		err = os.WriteFile(file, body, 0o644)
	}
	if err != nil {
		p.note("allocation profile: %v", err)
		return false
	}
	return true
}

// topAllocators lists the functions that allocated the most bytes between
// two allocation profiles, by their own allocations.
func topAllocators(before, after string, n int) []string {
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount", strconv.Itoa(n),
		"-sample_index=alloc_space", "-base", before, after).Output()
	if err != nil {
		return []string{"go tool pprof failed: " + err.Error()}
	}
	var top []string
	rows := false
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "flat%") {
			rows = true
			continue
		}
		if rows && strings.TrimSpace(line) != "" {
			top = append(top, strings.TrimSpace(line))
		}
	}
	return top
}

// topSymbols runs perf report on data and keeps the n hottest symbols.
func topSymbols(data string, n int) []string {
	out, err := exec.Command("perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "sym",
		"--percent-limit", "0.5").Output()
	if err != nil {
		return []string{"perf report failed: " + err.Error()}
	}
	var top []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() && len(top) < n {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || !strings.Contains(line, "%") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		// "12.34%  [.] symbol name"
		top = append(top, f[0]+" "+strings.Join(f[2:], " "))
	}
	return top
}

// CountFsyncs plays n lifecycles one after another under strace and
// returns the kiosk's fsync and fdatasync calls per lifecycle: every
// durable commit the order's life costs, the dispatchers' cursor saves
// included.
func CountFsyncs(ctx context.Context, k *Kiosk, n int) (float64, error) {
	staff, err := k.Staff(ctx)
	if err != nil {
		return 0, err
	}
	drink, err := FirstDrink(ctx, staff)
	if err != nil {
		return 0, err
	}
	e := &lifecycleEnv{k: k, staff: staff, qr: NewQRSource(staff), drink: drink}
	out := filepath.Join(k.Dir, "..", "strace.txt")
	proc, err := Spawn("strace", out+".log", []string{"strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", out,
		"-p", strconv.Itoa(k.Pid())}, os.Environ())
	if err != nil {
		return 0, err
	}
	time.Sleep(500 * time.Millisecond) // strace attaches to every thread
	for range n {
		if _, step, err := e.run(ctx, nil, nil); err != nil {
			proc.Stop()
			return 0, fmt.Errorf("%s: %w", step, err)
		}
	}
	time.Sleep(1500 * time.Millisecond) // the dispatchers' cursor saves
	_ = proc.Signal(syscall.SIGINT)
	select {
	case <-proc.Exited():
	case <-time.After(10 * time.Second):
	}
	proc.Stop()
	b, err := os.ReadFile(out)
	if err != nil {
		return 0, err
	}
	calls := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && (f[len(f)-1] == "fsync" || f[len(f)-1] == "fdatasync") {
			// "% time seconds usecs/call calls [errors] syscall"
			if c, err := strconv.Atoi(f[3]); err == nil {
				calls += c
			}
		}
	}
	if calls == 0 {
		return 0, fmt.Errorf("strace counted no fsync:\n%s", b)
	}
	return round3(float64(calls) / float64(n)), nil
}
