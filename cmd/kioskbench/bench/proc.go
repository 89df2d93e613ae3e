package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is one process the harness started: the kiosk, mosquitto, or a
// profiler. Every Proc is registered with the harness's reaper, which stops
// it on every way out (the end of a phase, a failure, Ctrl-C); the kernel
// also kills it if the harness itself dies (Pdeathsig).
type Proc struct {
	Name string
	cmd  *exec.Cmd
	log  *os.File
	// Started is when the process was started, just before exec.
	Started time.Time
	exited  chan struct{}
	err     error
}

// reaper remembers every process the harness started that has not been
// stopped yet.
type reaper struct {
	mu    sync.Mutex
	procs map[*Proc]bool
}

var procs = &reaper{procs: map[*Proc]bool{}}

// StopAll stops every process still running. It is the harness's last word
// on every exit path.
func StopAll() {
	procs.mu.Lock()
	list := make([]*Proc, 0, len(procs.procs))
	for p := range procs.procs {
		list = append(list, p)
	}
	procs.mu.Unlock()
	for _, p := range list {
		p.Stop()
	}
}

// Spawn starts a process with its output going to logPath. The process gets
// its own process group (so a Ctrl-C in the terminal reaches the harness,
// which then stops it in order) and dies with the harness.
func Spawn(name, logPath string, argv []string, env []string) (*Proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &Proc{Name: name, cmd: cmd, log: f, exited: make(chan struct{})}
	procs.mu.Lock()
	defer procs.mu.Unlock()
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	procs.procs[p] = true
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when the process has ended.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Stop asks the process to end (SIGTERM to its group), waits up to ten
// seconds, then kills the group. It returns the process's exit error, if
// it ended by itself with one.
func (p *Proc) Stop() error {
	procs.mu.Lock()
	delete(procs.procs, p)
	procs.mu.Unlock()
	select {
	case <-p.exited:
		return p.err
	default:
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(10 * time.Second):
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
	<-p.exited
	return errors.New(p.Name + " did not stop on SIGTERM and was killed")
}

// Signal sends sig to the process alone (not its group).
func (p *Proc) Signal(sig syscall.Signal) error { return p.cmd.Process.Signal(sig) }

// Tail returns the last lines of the process's log, for error messages.
func (p *Proc) Tail(lines int) string {
	b, err := os.ReadFile(p.log.Name())
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// Memory is a process's resident memory, from /proc/<pid>/status.
type Memory struct {
	// RSSKiB is VmRSS: resident now.
	RSSKiB int64 `json:"rssKiB"`
	// HWMKiB is VmHWM: the most it has been resident.
	HWMKiB int64 `json:"hwmKiB"`
}

// MiB returns the resident set in MiB.
func (m Memory) MiB() float64 { return float64(m.RSSKiB) / 1024 }

// ReadMemory reads VmRSS and VmHWM of pid.
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	return parseStatus(f)
}

func parseStatus(r io.Reader) (Memory, error) {
	var m Memory
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			m.RSSKiB = n
		case "VmHWM":
			m.HWMKiB = n
		}
	}
	if m.RSSKiB == 0 {
		return m, errors.New("no VmRSS in /proc status")
	}
	return m, sc.Err()
}

// FreePort returns a loopback address with a port nobody listens on now.
func FreePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// WaitHealthy polls url every interval until it answers 200, the process
// exits, or ctx ends; it returns when the first 200 arrived.
func WaitHealthy(ctx context.Context, p *Proc, url string, interval, limit time.Duration) (time.Time, error) {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DialContext: dialer(0).DialContext,
		DisableKeepAlives: true}}
	deadline := time.Now().Add(limit)
	for {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-p.Exited():
			return time.Time{}, fmt.Errorf("%s exited at start:\n%s", p.Name, p.Tail(20))
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(interval):
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s was not healthy within %s:\n%s", p.Name, limit, p.Tail(20))
		}
	}
}

// WaitListening waits until something accepts TCP connections at addr.
func WaitListening(ctx context.Context, p *Proc, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := dialer(0).DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.Exited():
			return fmt.Errorf("%s exited at start:\n%s", p.Name, p.Tail(20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not listening on %s after %s:\n%s", p.Name, addr, limit, p.Tail(20))
		}
	}
}

// clockTick is the kernel's USER_HZ, the unit of /proc/<pid>/stat times;
// 100 on every Linux the kiosk runs on.
const clockTick = 10 * time.Millisecond

// ReadCPU returns the CPU time pid has used, user and system, from
// /proc/<pid>/stat. CPU time per operation is far less disturbed by other
// work on a shared machine than latency is.
func ReadCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// SelfCPU returns the CPU time (user and system) the harness has used.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func parseStat(s string) (time.Duration, error) {
	// The command name (field 2) may hold spaces; the fields after it are
	// state, ppid, … with utime and stime the 12th and 13th after ")".
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed /proc stat times")
	}
	return time.Duration(u+st) * clockTick, nil
}
