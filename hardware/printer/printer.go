// Package printer delivers ticket print jobs to the bar's thermal printer,
// over whichever link it has: a USB printer device, a serial port, raw TCP
// on the network, or, when there is no printer, files in a directory.
//
// A Queue sits in front of the printer so that printing never holds up an
// order: jobs wait while the printer is offline or out of paper, are retried
// with backoff, and the printer's condition is reported for the staff.
package printer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// Printer sends one complete job, the bytes of a ticket, to a printer.
// Print returns once the bytes have left the kiosk; it cannot know that
// they reached the paper.
type Printer interface {
	Print(ctx context.Context, job []byte) error
}

// StatusReader is a printer on a two-way link that can say whether it is
// ready: online, cover closed, paper in.
type StatusReader interface {
	Status(ctx context.Context) (escpos.Status, error)
}

// ErrOffline means the printer could not be reached or did not respond in
// time: unplugged, switched off, or its link is down. A later attempt may
// succeed.
var ErrOffline = errors.New("printer offline")

// ErrDisabled is New's answer for the "none" kind: the kiosk takes orders
// without printing tickets.
var ErrDisabled = errors.New("printer: printing is disabled")

// Defaults for the transports' waits.
const (
	// DefaultDialTimeout bounds connecting to a network printer; one on the
	// booth LAN answers in milliseconds, so a few seconds means it is gone.
	DefaultDialTimeout = 3 * time.Second
	// DefaultTimeout bounds sending one job or reading a status. A raster
	// ticket is about 10 KB: over a 9600 baud serial link that takes about
	// 10 seconds, so the bound leaves room for that.
	DefaultTimeout = 30 * time.Second
	// DefaultStatusTimeout bounds waiting for the answer to a status
	// request, which a printer sends at once.
	DefaultStatusTimeout = 2 * time.Second
)

// errTimeout is what an operation that ran out of time returns.
type errTimeout struct {
	op string
	d  time.Duration
}

func (e errTimeout) Error() string { return fmt.Sprintf("%s timed out after %v", e.op, e.d) }

// within runs op, giving up after d on clk or when ctx ends. Giving up
// calls abort, which must make op return (close the file or connection), and
// does not wait for it, so a wedged device cannot wedge the caller.
func within(ctx context.Context, clk clock.Clock, d time.Duration, what string, abort func(), op func() error) error {
	timer := clk.After(d)
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return err
	case <-timer:
	case <-ctx.Done():
	}
	// An operation that finished as time ran out did finish: reporting it as
	// failed would print the ticket twice.
	select {
	case err := <-done:
		return err
	default:
	}
	abort()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%w: %w", ErrOffline, errTimeout{op: what, d: d})
}

// readStatus sends the status requests and reads one answer byte for each,
// through read, which must honour the caller's timeout.
func readStatus(write func([]byte) error, read func([]byte) error) (escpos.Status, error) {
	var st escpos.Status
	for _, kind := range escpos.StatusKinds {
		if err := write(escpos.StatusRequest(kind)); err != nil {
			return escpos.Status{}, fmt.Errorf("status request %d: %w", kind, err)
		}
		var b [1]byte
		if err := read(b[:]); err != nil {
			return escpos.Status{}, fmt.Errorf("status answer %d: %w", kind, err)
		}
		if err := st.Update(kind, b[0]); err != nil {
			return escpos.Status{}, err
		}
	}
	return st, nil
}
