package escpos

import (
	"fmt"
	"strings"
)

// StatusKind selects which status byte DLE EOT asks for.
type StatusKind byte

// The status bytes a printer reports in real time.
const (
	// StatusPrinter says whether the printer is online.
	StatusPrinter StatusKind = 1
	// StatusOffline says why it is offline: cover open, paper end, error.
	StatusOffline StatusKind = 2
	// StatusError says which error occurred: cutter, unrecoverable, auto-recoverable.
	StatusError StatusKind = 3
	// StatusPaper reports the roll paper sensors: near end and end.
	StatusPaper StatusKind = 4
)

// StatusRequest asks a two-way printer for one status byte (DLE EOT n). The
// printer answers at once, even while its buffer is full or it is offline.
func StatusRequest(kind StatusKind) []byte { return []byte{dle, eot, byte(kind)} }

// StatusKinds are the requests that together fill a Status, in the order a
// transport should send them.
var StatusKinds = []StatusKind{StatusPrinter, StatusOffline, StatusPaper}

// Status is what the printer said about itself. The zero value is a printer
// that is online with paper.
type Status struct {
	Offline      bool // the printer will not print now
	CoverOpen    bool // the paper cover is open
	PaperOut     bool // the roll has run out
	PaperNearEnd bool // the roll is nearly used up; printing continues
	Error        bool // a cutter or mechanical error stopped the printer
}

// Ready reports whether a job sent now would be printed.
func (s Status) Ready() bool { return !s.Offline && !s.CoverOpen && !s.PaperOut && !s.Error }

// String lists the conditions in words, or "ready".
func (s Status) String() string {
	var parts []string
	for _, c := range []struct {
		on   bool
		word string
	}{
		{s.Offline, "offline"}, {s.CoverOpen, "cover open"}, {s.PaperOut, "paper out"},
		{s.PaperNearEnd, "paper near end"}, {s.Error, "error"},
	} {
		if c.on {
			parts = append(parts, c.word)
		}
	}
	if len(parts) == 0 {
		return "ready"
	}
	return strings.Join(parts, ", ")
}

// Update merges the answer b to a StatusRequest of kind into s. Paper out is
// reported by two kinds and is set if either says so, so start each poll
// from a zero Status. Every status
// byte has bit 1 and bit 4 set and bit 0 and bit 7 clear; a byte that does
// not is not a status answer (line noise, or the wrong baud rate), and
// Update returns an error without changing s.
func (s *Status) Update(kind StatusKind, b byte) error {
	if b&0x93 != 0x12 {
		return fmt.Errorf("escpos: status %d: byte %#02x is not a status answer", kind, b)
	}
	switch kind {
	case StatusPrinter:
		s.Offline = b&0x08 != 0
	case StatusOffline:
		s.CoverOpen = b&0x04 != 0
		s.PaperOut = s.PaperOut || b&0x20 != 0
		s.Error = b&0x40 != 0
	case StatusError:
		// Autocutter, unrecoverable and auto-recoverable errors.
		s.Error = b&0x68 != 0
	case StatusPaper:
		s.PaperNearEnd = b&0x0C != 0
		s.PaperOut = s.PaperOut || b&0x60 != 0
	default:
		return fmt.Errorf("escpos: unknown status kind %d", kind)
	}
	return nil
}
