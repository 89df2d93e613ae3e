package sdnotify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/clock"
)

// systemd stands in for systemd's end of the notification socket.
type systemd struct {
	t    *testing.T
	conn *net.UnixConn
}

func listen(t *testing.T, name string) *systemd {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen on %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &systemd{t: t, conn: conn}
}

// socketPath returns a path for a socket in a fresh directory.
func socketPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "notify.sock")
}

// receive returns the next message. The deadline only keeps a broken test
// from hanging: messages are sent before receive is called.
func (s *systemd) receive() string {
	s.t.Helper()
	buf := make([]byte, 4096)
	s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := s.conn.Read(buf)
	if err != nil {
		s.t.Fatalf("no message: %v", err)
	}
	return string(buf[:n])
}

// none fails if a message is waiting.
func (s *systemd) none() {
	s.t.Helper()
	buf := make([]byte, 4096)
	s.conn.SetReadDeadline(time.Now())
	if n, err := s.conn.Read(buf); err == nil {
		s.t.Fatalf("unexpected message %q", buf[:n])
	}
}

func TestMessagesReachTheSocket(t *testing.T) {
	path := socketPath(t)
	sd := listen(t, path)
	n := New(path, nil)
	if !n.Enabled() {
		t.Fatal("a Notifier with a socket is not enabled")
	}
	steps := []struct {
		send func() error
		want string
	}{
		{n.Ready, "READY=1"},
		{func() error { return n.Status("serving 3 orders\nqueue open") }, "STATUS=serving 3 orders queue open"},
		{n.Watchdog, "WATCHDOG=1"},
		{n.Stopping, "STOPPING=1"},
		{func() error { return n.Notify("RELOADING=1\nSTATUS=x") }, "RELOADING=1\nSTATUS=x"},
	}
	for _, s := range steps {
		if err := s.send(); err != nil {
			t.Fatalf("send %q: %v", s.want, err)
		}
		if got := sd.receive(); got != s.want {
			t.Errorf("received %q, want %q", got, s.want)
		}
	}
}

func TestPackageFunctionsUseNotifySocket(t *testing.T) {
	path := socketPath(t)
	sd := listen(t, path)
	t.Setenv("NOTIFY_SOCKET", path)
	for _, s := range []struct {
		send func() error
		want string
	}{
		{Ready, "READY=1"},
		{func() error { return Status("starting") }, "STATUS=starting"},
		{Watchdog, "WATCHDOG=1"},
		{Stopping, "STOPPING=1"},
	} {
		if err := s.send(); err != nil {
			t.Fatal(err)
		}
		if got := sd.receive(); got != s.want {
			t.Errorf("received %q, want %q", got, s.want)
		}
	}
}

func TestAbstractSocket(t *testing.T) {
	name := fmt.Sprintf("@kiosk-sdnotify-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	sd := listen(t, name)
	if err := New(name, nil).Ready(); err != nil {
		t.Fatal(err)
	}
	if got := sd.receive(); got != "READY=1" {
		t.Errorf("received %q", got)
	}
}

func TestNoSocketDoesNothing(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	var zero *Notifier
	for _, n := range []*Notifier{FromEnv(nil), New("", nil), zero, {}} {
		if n.Enabled() {
			t.Error("a Notifier without a socket is enabled")
		}
		for _, send := range []func() error{n.Ready, n.Stopping, n.Watchdog, func() error { return n.Status("x") }} {
			if err := send(); err != nil {
				t.Errorf("without a socket: %v", err)
			}
		}
	}
	if err := Ready(); err != nil {
		t.Errorf("Ready without NOTIFY_SOCKET: %v", err)
	}
}

func TestSocketErrors(t *testing.T) {
	if err := New("vsock:2:1234", nil).Ready(); err == nil {
		t.Error("a vsock address was accepted")
	}
	if err := New(filepath.Join(t.TempDir(), "gone.sock"), nil).Ready(); err == nil {
		t.Error("sending to a socket nobody listens on did not fail")
	}
}

func TestWatchdogInterval(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	tests := []struct {
		usec, pid string
		want      time.Duration
		wantErr   bool
	}{
		{"", "", 0, false},
		{"30000000", "", 30 * time.Second, false},
		{"30000000", me, 30 * time.Second, false},
		{"30000000", "1", 0, false}, // meant for another process
		{"abc", "", 0, true},
		{"0", "", 0, true},
		{"-5", "", 0, true},
		{"30000000", "x", 0, true},
		{"99999999999999999999", "", 0, true},
	}
	for _, tt := range tests {
		t.Setenv("WATCHDOG_USEC", tt.usec)
		t.Setenv("WATCHDOG_PID", tt.pid)
		got, err := WatchdogInterval()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("USEC=%q PID=%q: got %v, %v; want %v, error %v", tt.usec, tt.pid, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRunWatchdogPingsOnlyWhileHealthy(t *testing.T) {
	path := socketPath(t)
	sd := listen(t, path)
	clk := clock.NewFake(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	const interval = 30 * time.Second

	var sick atomic.Bool
	var checks atomic.Int64
	healthy := func(context.Context) error {
		checks.Add(1)
		if sick.Load() {
			return errors.New("database does not answer")
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(path, nil).RunWatchdog(ctx, clk, interval, healthy) }()

	// tick lets half the interval pass and returns once the loop has
	// handled it and waits again.
	tick := func() {
		before := checks.Load()
		clk.Advance(interval / 2)
		clk.BlockUntil(1)
		if checks.Load() != before+1 {
			t.Fatalf("health was checked %d times in one tick, want once", checks.Load()-before)
		}
	}

	clk.BlockUntil(1)
	if got := sd.receive(); got != "WATCHDOG=1" {
		t.Fatalf("first ping %q", got)
	}
	tick()
	if got := sd.receive(); got != "WATCHDOG=1" {
		t.Fatalf("second ping %q", got)
	}
	clk.Advance(interval/2 - time.Second)
	sd.none() // not before half the interval

	clk.Advance(time.Second)
	clk.BlockUntil(1)
	if got := sd.receive(); got != "WATCHDOG=1" {
		t.Fatalf("third ping %q", got)
	}

	sick.Store(true)
	tick()
	sd.none()
	tick()
	sd.none()

	sick.Store(false)
	tick()
	if got := sd.receive(); got != "WATCHDOG=1" {
		t.Fatalf("ping after recovery %q", got)
	}

	clk.Jump(-48 * time.Hour) // a wall clock step changes nothing
	sd.none()

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RunWatchdog returned %v, want context.Canceled", err)
	}
}

func TestRunWatchdogDisabled(t *testing.T) {
	clk := clock.NewFake(time.Now())
	never := func(context.Context) error { t.Error("health checked though the watchdog is off"); return nil }
	if err := New("", nil).RunWatchdog(context.Background(), clk, time.Second, never); err != nil {
		t.Errorf("no socket: %v", err)
	}
	if err := New(socketPath(t), nil).RunWatchdog(context.Background(), clk, 0, never); err != nil {
		t.Errorf("no interval: %v", err)
	}
}
