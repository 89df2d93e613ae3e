package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The time helper. The kiosk (which runs without the right to change the
// clock) asks for a time by writing one line to the socket
// /run/kiosk-settime.sock; systemd starts `kiosk-setup settime` as root for
// each connection, with the connection on standard input and output
// (kiosk-settime.socket, kiosk-settime@.service).
//
// The request is the time as whole milliseconds since 1970 UTC, as a
// browser's Date.now() gives it, and a newline:
//
//	1795425600000
//
// The answer is one line: "ok set <change>", "ok unchanged <difference>",
// "refused <reason>" or "error <reason>".

// Policy bounds what a request may do to the clock.
type Policy struct {
	// Earliest and Latest bound the times accepted at all: a tablet whose
	// clock says 1970 or 2099 is wrong, whatever the box's clock says.
	Earliest, Latest time.Time
	// MaxBack is how far a request may move the clock backwards. Going
	// forward is always allowed (the box starts from the time it was last
	// running, so it is behind after every power-off); going back far
	// would reorder the box's records, so only the console may do it.
	MaxBack time.Duration
	// Tolerance is the difference left alone: a tablet's clock and the
	// request's journey are not more exact than this.
	Tolerance time.Duration
}

// DefaultPolicy is the helper's policy.
var DefaultPolicy = Policy{
	// Before this product existed: an earlier time is a tablet with a
	// flat battery or a reset clock.
	Earliest: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	// Far beyond the box's life; a later time is a mistake.
	Latest: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
	// Enough to correct a box whose clock ran a little fast; not enough
	// to undo a day.
	MaxBack: 5 * time.Minute,
	// Half a second is below what a person setting the time can notice.
	Tolerance: 500 * time.Millisecond,
}

// Decision is what to do with a request.
type Decision struct {
	// Set says the clock is to be set to the requested time.
	Set bool
	// By is the requested time minus the clock's time.
	By time.Duration
}

// ErrRefused marks a request the policy does not allow.
var ErrRefused = errors.New("refused")

// Decide applies the policy to a request for want when the clock says now.
// force (the console's --force) allows any step back within the bounds.
func (p Policy) Decide(now, want time.Time, force bool) (Decision, error) {
	by := want.Sub(now)
	switch {
	case want.Before(p.Earliest) || !want.Before(p.Latest):
		return Decision{By: by}, fmt.Errorf("%w: %s is not between %s and %s", ErrRefused,
			want.UTC().Format(time.RFC3339), p.Earliest.Format(time.DateOnly), p.Latest.Format(time.DateOnly))
	case by.Abs() < p.Tolerance:
		return Decision{By: by}, nil
	case by < -p.MaxBack && !force:
		return Decision{By: by}, fmt.Errorf("%w: this would turn the clock back by %s (at most %s is allowed; on the box's console, kiosk-setup settime --force can)",
			ErrRefused, (-by).Round(time.Second), p.MaxBack)
	}
	return Decision{Set: true, By: by}, nil
}

// Clock is the clock the helper reads and sets.
type Clock interface {
	Now() time.Time
	Set(time.Time) error
}

// MaxRequest is the longest request line accepted, in bytes.
const MaxRequest = 64

// serve answers one request read from r, writing the answer to w.
func serve(r io.Reader, w io.Writer, clock Clock, p Policy, log *slog.Logger) error {
	line, err := bufio.NewReaderSize(io.LimitReader(r, MaxRequest), MaxRequest).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		fmt.Fprintln(w, "error no request (send milliseconds since 1970 and a newline)")
		return fmt.Errorf("reading the request: %w", err)
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil || ms < 0 {
		fmt.Fprintln(w, "error the request is not a number of milliseconds since 1970")
		return fmt.Errorf("request %q is not a time", strings.TrimSpace(line))
	}
	return apply(w, clock, p, time.UnixMilli(ms), false, log)
}

// apply decides and, if allowed, sets the clock to want.
func apply(w io.Writer, clock Clock, p Policy, want time.Time, force bool, log *slog.Logger) error {
	now := clock.Now()
	d, err := p.Decide(now, want, force)
	attrs := []any{"clock", now.UTC().Format(time.RFC3339Nano), "requested", want.UTC().Format(time.RFC3339Nano), "difference", d.By.Round(time.Millisecond)}
	switch {
	case err != nil:
		log.Warn("time request refused", append(attrs, "reason", err)...)
		fmt.Fprintln(w, err)
		return err
	case !d.Set:
		log.Info("time request: clock already right", attrs...)
		fmt.Fprintf(w, "ok unchanged %s\n", signed(d.By))
		return nil
	}
	if err := clock.Set(want); err != nil {
		log.Error("setting the clock failed", append(attrs, "err", err)...)
		fmt.Fprintf(w, "error %v\n", err)
		return err
	}
	log.Info("clock set", attrs...)
	fmt.Fprintf(w, "ok set %s\n", signed(d.By))
	return nil
}

// signed formats a change of the clock with its direction, to the
// millisecond: +1h0m0s, -2.5s.
func signed(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// settimeMain runs the settime command.
func settimeMain(args []string, stdin *os.File, stdout io.Writer, log *slog.Logger, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk-setup settime", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.String("force", "", "set the clock to this RFC 3339 time, such as 2026-11-21T09:30:00+01:00, even backwards (console only)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	clock := &systemClock{log: log}
	if *force != "" {
		want, err := time.Parse(time.RFC3339, *force)
		if err != nil {
			fmt.Fprintf(stderr, "kiosk-setup settime: %q is not an RFC 3339 time such as 2026-11-21T09:30:00+01:00\n", *force)
			return 2
		}
		if apply(stdout, clock, DefaultPolicy, want, true, log) != nil {
			return 1
		}
		return 0
	}
	var rw io.ReadWriter = struct {
		io.Reader
		io.Writer
	}{stdin, stdout}
	// From the socket unit, standard input is the connection: give the
	// kiosk a few seconds to send its line, never longer.
	if conn, err := net.FileConn(stdin); err == nil {
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		rw = conn
	}
	if serve(rw, rw, clock, DefaultPolicy, log) != nil {
		return 1
	}
	return 0
}

// systemClock is the kernel's clock. After setting it, it saves the time
// where the next boot starts from: fake-hwclock's file and, if the box has
// one, the RTC module. Failing to save is logged, not returned: the clock
// is set.
type systemClock struct {
	log *slog.Logger
}

// FakeHWClock saves the clock for the next boot (package fake-hwclock).
const FakeHWClock = "/sbin/fake-hwclock"

// RTCDevice is a battery-backed clock module, when one is fitted.
const RTCDevice = "/dev/rtc0"

func (systemClock) Now() time.Time { return time.Now() }

func (c *systemClock) Set(t time.Time) error {
	ts := unix.NsecToTimespec(t.UnixNano())
	if err := unix.ClockSettime(unix.CLOCK_REALTIME, &ts); err != nil {
		return fmt.Errorf("setting the clock: %w", err)
	}
	if _, err := os.Stat(FakeHWClock); err == nil {
		if out, err := exec.Command(FakeHWClock, "save").CombinedOutput(); err != nil {
			c.log.Warn("fake-hwclock save failed", "err", err, "output", string(out))
		}
	}
	if f, err := os.Open(RTCDevice); err == nil {
		defer f.Close()
		u := t.UTC()
		rtc := unix.RTCTime{Sec: int32(u.Second()), Min: int32(u.Minute()), Hour: int32(u.Hour()),
			Mday: int32(u.Day()), Mon: int32(u.Month()) - 1, Year: int32(u.Year()) - 1900}
		if err := unix.IoctlSetRTCTime(int(f.Fd()), &rtc); err != nil {
			c.log.Warn("writing the RTC failed", "device", RTCDevice, "err", err)
		} else {
			c.log.Info("RTC written", "device", RTCDevice)
		}
	}
	return nil
}
