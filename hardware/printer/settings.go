package printer

import (
	"encoding"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// Kind is how the kiosk reaches its printer.
type Kind string

// The printer kinds.
const (
	KindNone    Kind = "none"    // no tickets are printed
	KindUSB     Kind = "usb"     // a USB printer-class device such as /dev/usb/lp0
	KindSerial  Kind = "serial"  // a serial port such as /dev/ttyUSB0 or /dev/serial0
	KindNetwork Kind = "network" // raw TCP, port 9100 unless given
	KindFile    Kind = "file"    // numbered files in a directory, for laptops and CI
)

var kinds = []Kind{KindNone, KindUSB, KindSerial, KindNetwork, KindFile}

var _ encoding.TextUnmarshaler = (*Kind)(nil)

// UnmarshalText accepts a kind's name in any case.
func (k *Kind) UnmarshalText(text []byte) error {
	s := Kind(strings.ToLower(strings.TrimSpace(string(text))))
	if !slices.Contains(kinds, s) {
		return fmt.Errorf("printer kind %q: want one of %s", text, kindList())
	}
	*k = s
	return nil
}

func kindList() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// Setting defaults, used when a field is left at its zero value.
const (
	// DefaultUSBDevice is where Linux puts the first USB printer.
	DefaultUSBDevice = "/dev/usb/lp0"
	// DefaultNetworkPort is the raw printing port every network printer
	// listens on.
	DefaultNetworkPort = "9100"
	// DefaultPaper is 58 mm: a 58 mm layout on 80 mm paper is merely
	// narrow, while an 80 mm layout on 58 mm paper loses its edges.
	DefaultPaper = escpos.Paper58mm
)

// Baud rates a serial printer can be set to.
var baudRates = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400}

// Settings say which printer the kiosk uses and how tickets are laid out
// for it.
type Settings struct {
	// Kind is the link to the printer.
	Kind Kind
	// Address is the device path (usb, default /dev/usb/lp0), the serial
	// port (serial), host or host:port (network, default port 9100), or the
	// directory the jobs are written to (file).
	Address string
	// Baud is the serial port's speed; the printer's self-test page shows
	// it. Only for serial, which has no default: a wrong speed prints junk.
	Baud int
	// Paper is the roll width, 58 or 80 mm (default 58).
	Paper escpos.Paper
	// QR is how the status QR code is sent. The zero value, raster, works
	// on every printer; native is smaller and sharper where supported.
	QR escpos.QRMode
	// CodePage is the printer's character table (default PC858).
	CodePage escpos.CodePage
}

// withDefaults fills the zero fields that have a default.
func (s Settings) withDefaults() Settings {
	s.Kind = Kind(strings.ToLower(strings.TrimSpace(string(s.Kind))))
	s.Address = strings.TrimSpace(s.Address)
	if s.Kind == "" {
		s.Kind = KindNone
	}
	if s.Kind == KindUSB && s.Address == "" {
		s.Address = DefaultUSBDevice
	}
	if s.Kind == KindNetwork && s.Address != "" {
		if _, _, err := net.SplitHostPort(s.Address); err != nil {
			s.Address = net.JoinHostPort(strings.Trim(s.Address, "[]"), DefaultNetworkPort)
		}
	}
	if s.Paper == 0 {
		s.Paper = DefaultPaper
	}
	if s.CodePage.Name == "" {
		s.CodePage = escpos.DefaultCodePage
	}
	return s
}

// Validate reports every problem with the settings at once, after defaults
// are applied, each naming the setting and what it wants.
func (s Settings) Validate() error {
	s = s.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("printer: "+format, args...)) }

	if !slices.Contains(kinds, s.Kind) {
		bad("kind %q: want one of %s", s.Kind, kindList())
	}
	switch s.Kind {
	case KindSerial:
		if s.Address == "" {
			bad("serial printer needs its port as the address, such as /dev/ttyUSB0 or /dev/serial0")
		}
		if !slices.Contains(baudRates, s.Baud) {
			bad("serial baud rate %d: want one of %v, as on the printer's self-test page", s.Baud, baudRates)
		}
	case KindNetwork:
		if s.Address == "" {
			bad("network printer needs an address, such as 192.168.4.20 or 192.168.4.20:9100")
			break
		}
		if strings.Contains(s.Address, "://") {
			bad("network address %q: give host or host:port, not a URL", s.Address)
			break
		}
		host, port, err := net.SplitHostPort(s.Address)
		if err != nil {
			bad("network address %q: %v", s.Address, err)
			break
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			bad("network address %q: port %q is not 1–65535", s.Address, port)
		}
		if host == "" {
			bad("network address %q has no host", s.Address)
		}
	case KindFile:
		if s.Address == "" {
			bad("file printer needs a directory as the address")
		}
	}
	if s.Kind != KindSerial && s.Baud != 0 {
		bad("baud rate is only for a serial printer, not %s", s.Kind)
	}
	if !s.Paper.Valid() {
		bad("paper width %d mm: want 58 or 80", int(s.Paper))
	}
	if s.QR != escpos.QRRaster && s.QR != escpos.QRNative {
		bad("QR mode %d: want raster or native", int(s.QR))
	}
	return errors.Join(errs...)
}

// Layout is how tickets are laid out for the configured printer.
func (s Settings) Layout() escpos.Layout {
	s = s.withDefaults()
	return escpos.Layout{Paper: s.Paper, QR: s.QR, CodePage: s.CodePage}
}

// New returns the printer the settings describe, with its waits on clk. For
// the "none" kind it returns ErrDisabled. It does not touch the printer:
// an unplugged printer is found out, and retried, when the first job is sent.
func New(s Settings, clk clock.Clock) (Printer, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.withDefaults()
	switch s.Kind {
	case KindUSB:
		return NewUSB(s.Address, clk), nil
	case KindSerial:
		return NewSerial(s.Address, s.Baud, clk), nil
	case KindNetwork:
		return NewNetwork(s.Address, clk), nil
	case KindFile:
		return NewFile(s.Address, s.Paper)
	}
	return nil, ErrDisabled
}
