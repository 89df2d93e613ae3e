package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.bug.st/serial"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// Serial is a printer on a serial port, 8 data bits, no parity, one stop
// bit, without flow control. The port is opened for each job, so a USB
// serial adapter that is replugged is found again.
type Serial struct {
	// Port is the serial device, such as /dev/ttyUSB0 or /dev/serial0.
	Port string
	// Baud is the line speed; it must match the printer's.
	Baud int
	// Timeout bounds sending one job, draining included.
	Timeout time.Duration
	// StatusTimeout bounds waiting for the answers to a status request.
	StatusTimeout time.Duration

	clock clock.Clock
}

// NewSerial returns the serial printer on port at baud, with its waits on clk.
func NewSerial(port string, baud int, clk clock.Clock) *Serial {
	return &Serial{Port: port, Baud: baud, Timeout: DefaultTimeout, StatusTimeout: DefaultStatusTimeout, clock: clk}
}

// String names the printer for logs and the staff screen.
func (s *Serial) String() string { return fmt.Sprintf("serial %s at %d baud", s.Port, s.Baud) }

func (s *Serial) open() (serial.Port, error) {
	p, err := serial.Open(s.Port, &serial.Mode{
		BaudRate: s.Baud,
		DataBits: 8,
		Parity:   serial.NoParity,
		StopBits: serial.OneStopBit,
	})
	if err != nil {
		var pe *serial.PortError
		if errors.As(err, &pe) && pe.Code() == serial.PermissionDenied {
			return nil, fmt.Errorf("serial printer %s: %w (the kiosk's user needs the dialout group)", s.Port, err)
		}
		if errors.As(err, &pe) && pe.Code() == serial.InvalidSerialPort {
			return nil, fmt.Errorf("serial printer %s: not a serial port: %w", s.Port, err)
		}
		return nil, fmt.Errorf("serial printer %s: %w", s.Port, openError(err))
	}
	return p, nil
}

// Print sends job and waits until the port has transmitted it.
func (s *Serial) Print(ctx context.Context, job []byte) error {
	p, err := s.open()
	if err != nil {
		return err
	}
	defer p.Close()
	err = within(ctx, s.clock, s.Timeout, "write", func() { p.Close() }, func() error {
		if _, err := p.Write(job); err != nil {
			return err
		}
		return p.Drain()
	})
	if err != nil {
		return fmt.Errorf("serial printer %s: %w", s.Port, ioError(err))
	}
	return nil
}

// Status asks the printer for its status bytes. A printer that is switched
// off, or wired without its transmit line, does not answer: ErrOffline.
func (s *Serial) Status(ctx context.Context) (escpos.Status, error) {
	p, err := s.open()
	if err != nil {
		return escpos.Status{}, err
	}
	defer p.Close()
	var st escpos.Status
	err = within(ctx, s.clock, s.StatusTimeout, "status", func() { p.Close() }, func() error {
		// A status request inside a raster image is answered too; drop any
		// such stray answer so it is not taken for this one.
		if err := p.ResetInputBuffer(); err != nil {
			return err
		}
		var err error
		st, err = readStatus(
			func(b []byte) error { _, err := p.Write(b); return err },
			func(b []byte) error { _, err := io.ReadFull(p, b); return err },
		)
		return err
	})
	if err != nil {
		return escpos.Status{}, fmt.Errorf("serial printer %s: %w", s.Port, err)
	}
	return st, nil
}
