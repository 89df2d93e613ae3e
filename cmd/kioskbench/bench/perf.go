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

// Profiler samples a running process with Linux perf (the kiosk has no
// pprof listener, and the harness changes nothing in it). It needs a kiosk
// built with its symbol table (Build with keepSymbols).
type Profiler struct {
	dir  string
	pid  int
	seq  int
	note func(string, ...any)
}

// NewProfiler profiles pid, keeping its data files in dir.
func NewProfiler(dir string, pid int, note func(string, ...any)) *Profiler {
	return &Profiler{dir: dir, pid: pid, note: note}
}

// Start begins sampling; the returned function stops it and returns the
// hottest functions by own CPU time, one line each ("12.3% symbol").
func (p *Profiler) Start() func() []string {
	p.seq++
	data := filepath.Join(p.dir, fmt.Sprintf("perf-%d.data", p.seq))
	proc, err := Spawn("perf", data+".log", []string{"perf", "record", "-g", "-F", "499", "-p", strconv.Itoa(p.pid), "-o", data}, os.Environ())
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
		return topSymbols(data, 15)
	}
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
