// Package sdnotify tells systemd how the kiosk is doing: that it has
// started (READY=1), that it is stopping, a one-line status, and that it is
// still healthy (WATCHDOG=1), so systemd restarts it when it hangs.
//
// The protocol is one datagram per message to the unix socket named in
// $NOTIFY_SOCKET, which is a path or, when it starts with "@", a name in the
// abstract namespace. Without $NOTIFY_SOCKET (the kiosk run by hand or in
// tests) every call does nothing.
package sdnotify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/clock"
)

// The messages this package sends.
const (
	ready    = "READY=1"
	stopping = "STOPPING=1"
	watchdog = "WATCHDOG=1"
)

// Notifier sends messages to systemd's notification socket. The zero
// value, and a Notifier made without a socket, does nothing.
type Notifier struct {
	socket string
	log    *slog.Logger
}

// New returns a Notifier for the socket at path ("" for none). A path
// starting with "@" names an abstract socket. A nil log uses slog.Default.
func New(socket string, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{socket: socket, log: log}
}

// FromEnv returns a Notifier for $NOTIFY_SOCKET, which systemd sets for a
// service of Type=notify.
func FromEnv(log *slog.Logger) *Notifier {
	return New(os.Getenv("NOTIFY_SOCKET"), log)
}

// Enabled reports whether messages go anywhere.
func (n *Notifier) Enabled() bool { return n != nil && n.socket != "" }

// Notify sends one message of newline-separated KEY=VALUE assignments. It
// returns nil without sending when there is no socket.
func (n *Notifier) Notify(state string) error {
	if !n.Enabled() {
		return nil
	}
	if n.socket[0] != '/' && n.socket[0] != '@' {
		return fmt.Errorf("sdnotify: unsupported NOTIFY_SOCKET %q: want a path or an @abstract name", n.socket)
	}
	// Go's unix socket addresses already map a leading "@" to the
	// abstract namespace.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Ready tells systemd the kiosk has started and serves requests; units
// ordered after it (the display browser) start now.
func (n *Notifier) Ready() error { return n.Notify(ready) }

// Stopping tells systemd the kiosk is shutting down on purpose.
func (n *Notifier) Stopping() error { return n.Notify(stopping) }

// Status sets the one-line status `systemctl status` shows. Line breaks
// are replaced by spaces, since each line would be read as an assignment.
func (n *Notifier) Status(text string) error {
	text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(text)
	return n.Notify("STATUS=" + text)
}

// Watchdog tells systemd the kiosk is alive. Send it only after checking
// that it really is; RunWatchdog does both.
func (n *Notifier) Watchdog() error { return n.Notify(watchdog) }

// WatchdogInterval returns the watchdog timeout systemd set for this
// process (WatchdogSec= in the unit), or 0 when there is none: no
// $WATCHDOG_USEC, or a $WATCHDOG_PID naming another process. A malformed
// value is an error.
func WatchdogInterval() (time.Duration, error) {
	usec, pid := os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID")
	if usec == "" {
		return 0, nil
	}
	if pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil || p <= 0 {
			return 0, fmt.Errorf("sdnotify: bad WATCHDOG_PID %q", pid)
		}
		if p != os.Getpid() {
			return 0, nil
		}
	}
	us, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || us == 0 {
		return 0, fmt.Errorf("sdnotify: bad WATCHDOG_USEC %q", usec)
	}
	if us > uint64(1<<63-1)/uint64(time.Microsecond) {
		return 0, fmt.Errorf("sdnotify: WATCHDOG_USEC %q is too large", usec)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// RunWatchdog sends WATCHDOG=1 every interval/2, measured on clk's
// monotonic time, for as long as ctx lives, but only when healthy returns
// nil. While healthy fails no pings go out, so systemd restarts the kiosk
// once interval has passed; if it recovers first, pings resume. The first
// check is made at once. It returns nil at once when interval is 0 or there
// is no socket, and ctx's error when ctx ends.
func (n *Notifier) RunWatchdog(ctx context.Context, clk clock.Clock, interval time.Duration, healthy func(context.Context) error) error {
	if interval <= 0 || !n.Enabled() {
		return nil
	}
	period := interval / 2
	var failing error
	for {
		switch err := healthy(ctx); {
		case err != nil:
			if failing == nil || err.Error() != failing.Error() {
				n.log.Warn("unhealthy: withholding the watchdog ping; systemd restarts the kiosk if this lasts",
					"err", err, "restart_after", interval)
			}
			failing = err
		default:
			if failing != nil {
				n.log.Info("healthy again: watchdog pings resume")
				failing = nil
			}
			if err := n.Watchdog(); err != nil {
				n.log.Error("watchdog ping failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clk.After(period):
		}
	}
}

// Ready tells systemd, through $NOTIFY_SOCKET, that the kiosk has started.
func Ready() error { return FromEnv(nil).Ready() }

// Stopping tells systemd, through $NOTIFY_SOCKET, that the kiosk is
// shutting down.
func Stopping() error { return FromEnv(nil).Stopping() }

// Status sets the kiosk's status line, through $NOTIFY_SOCKET.
func Status(text string) error { return FromEnv(nil).Status(text) }

// Watchdog sends one WATCHDOG=1 ping through $NOTIFY_SOCKET.
func Watchdog() error { return FromEnv(nil).Watchdog() }
