package printer

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// Network is a printer that takes raw ESC/POS over TCP, usually on port
// 9100. Each job is one connection: connect, write, close.
type Network struct {
	// Addr is host:port.
	Addr string
	// DialTimeout bounds connecting.
	DialTimeout time.Duration
	// Timeout bounds writing one job.
	Timeout time.Duration
	// StatusTimeout bounds waiting for the answers to a status request.
	StatusTimeout time.Duration

	clock  clock.Clock
	dialer net.Dialer
}

// NewNetwork returns the network printer at addr (host:port), with its
// waits on clk.
func NewNetwork(addr string, clk clock.Clock) *Network {
	return &Network{
		Addr:          addr,
		DialTimeout:   DefaultDialTimeout,
		Timeout:       DefaultTimeout,
		StatusTimeout: DefaultStatusTimeout,
		clock:         clk,
	}
}

// String names the printer for logs and the staff screen.
func (n *Network) String() string { return "network " + n.Addr }

// dial connects, giving up after DialTimeout. Any failure to connect means
// the printer cannot be reached: ErrOffline.
func (n *Network) dial(ctx context.Context) (net.Conn, error) {
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var conn net.Conn
	err := within(ctx, n.clock, n.DialTimeout, "connect", cancel, func() error {
		c, err := n.dialer.DialContext(dctx, "tcp", n.Addr)
		if err != nil {
			return err
		}
		if dctx.Err() != nil {
			// Connected just as the caller gave up: nobody will use it.
			c.Close()
			return dctx.Err()
		}
		conn = c
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("network printer %s: %w", n.Addr, err)
		}
		return nil, fmt.Errorf("network printer %s: %w", n.Addr, ioErrorOffline(err))
	}
	return conn, nil
}

// Print connects and writes job.
func (n *Network) Print(ctx context.Context, job []byte) error {
	conn, err := n.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = within(ctx, n.clock, n.Timeout, "write", func() { conn.Close() }, func() error {
		_, err := conn.Write(job)
		return err
	})
	if err != nil {
		return fmt.Errorf("network printer %s: %w", n.Addr, ioErrorOffline(err))
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("network printer %s: close: %w", n.Addr, ioErrorOffline(err))
	}
	return nil
}

// Status connects and asks the printer for its status bytes. Some network
// printers do not answer on the printing port; they time out.
func (n *Network) Status(ctx context.Context) (escpos.Status, error) {
	conn, err := n.dial(ctx)
	if err != nil {
		return escpos.Status{}, err
	}
	defer conn.Close()
	var st escpos.Status
	err = within(ctx, n.clock, n.StatusTimeout, "status", func() { conn.Close() }, func() error {
		var err error
		st, err = readStatus(
			func(b []byte) error { _, err := conn.Write(b); return err },
			func(b []byte) error { _, err := io.ReadFull(conn, b); return err },
		)
		return err
	})
	if err != nil {
		return escpos.Status{}, fmt.Errorf("network printer %s: %w", n.Addr, err)
	}
	return st, nil
}

// ioErrorOffline marks a connection failure as ErrOffline: on a raw TCP
// link every failure means the printer is unreachable or went away.
func ioErrorOffline(err error) error {
	if err == nil || isOffline(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrOffline, err)
}
