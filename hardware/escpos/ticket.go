package escpos

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Ticket is what is printed for one order, for the customer to keep and the
// barista to match cup and person.
type Ticket struct {
	// Number is the order's number of the booth day, printed large.
	Number int
	// Name is the customer's first name as they typed it.
	Name string
	// Drink is the drink's menu name.
	Drink string
	// Options are the chosen options, one per line ("Oat milk").
	Options []string
	// Time is when the order was placed, printed in its own location. The
	// zero time leaves the line out.
	Time time.Time
	// StatusURL is printed as a QR code that opens the order's live status.
	// Empty leaves the code out.
	StatusURL string
	// Booth is the bar's name, printed at the top.
	Booth string
}

// Layout is how tickets are printed on a given printer.
type Layout struct {
	Paper    Paper
	QR       QRMode
	CodePage CodePage // zero means DefaultCodePage
}

// Limits that keep a ticket short whatever was typed.
const (
	maxBoothLines  = 2
	maxNameLines   = 2
	maxDrinkLines  = 3
	maxOptionLines = 2 // per option
	maxOptions     = 8
	feedBeforeCut  = 3
	timeLayout     = "Mon 2 Jan 2006 15:04"
)

// QRModuleDots is the size of one QR module for the paper: 6 dots (0.75 mm)
// on 58 mm paper and 8 dots on 80 mm paper. Status URLs are short, so the
// code stays well inside the paper, and phone cameras read modules of this
// size from arm's length.
func QRModuleDots(p Paper) int {
	if p == Paper80mm {
		return 8
	}
	return 6
}

// Render lays t out and returns the printer bytes of the whole job, from the
// reset to the cut. Everything typed by people is printed as text: markup
// stays literal, control characters are removed, long text is wrapped to the
// paper and clipped with "...".
func (t Ticket) Render(l Layout) ([]byte, error) {
	if !l.Paper.Valid() {
		return nil, fmt.Errorf("escpos: ticket: paper width %d mm: want 58 or 80", int(l.Paper))
	}
	if t.Number < 1 {
		return nil, fmt.Errorf("escpos: ticket: order number %d: want 1 or more", t.Number)
	}
	cols := l.Paper.Columns()
	b := NewBuilder(l.CodePage)
	fold := b.enc.Fold
	b.Init().Align(AlignCenter)

	if booth := Clip(Wrap(fold(t.Booth), cols), maxBoothLines, cols); len(booth) > 0 {
		b.Bold(true)
		for _, line := range booth {
			b.Line(line)
		}
		b.Bold(false).Feed(1)
	}

	number := "#" + strconv.Itoa(t.Number)
	scale := 1
	for _, s := range []int{4, 3, 2} {
		if len(number)*s <= cols {
			scale = s
			break
		}
	}
	b.Size(scale, scale).Line(number).Size(1, 1)

	if name := Clip(Wrap(fold(t.Name), cols/2), maxNameLines, cols/2); len(name) > 0 {
		b.Size(2, 2)
		for _, line := range name {
			b.Line(line)
		}
		b.Size(1, 1)
	}
	b.Feed(1)

	if drink := Clip(Wrap(fold(t.Drink), cols), maxDrinkLines, cols); len(drink) > 0 {
		b.Bold(true).Size(1, 2)
		for _, line := range drink {
			b.Line(line)
		}
		b.Size(1, 1).Bold(false)
	}
	printed := 0
	for i, opt := range t.Options {
		lines := Clip(Wrap(fold(opt), cols), maxOptionLines, cols)
		if len(lines) == 0 {
			continue
		}
		if printed == maxOptions {
			b.Line(fmt.Sprintf("+%d more", countNonEmpty(fold, t.Options[i:])))
			break
		}
		printed++
		for _, line := range lines {
			b.Line(line)
		}
	}

	if !t.Time.IsZero() {
		b.Feed(1).Line(t.Time.Format(timeLayout))
	}

	if t.StatusURL != "" {
		b.Feed(1)
		if err := b.QR(t.StatusURL, l); err != nil {
			return nil, fmt.Errorf("escpos: ticket %d: %w", t.Number, err)
		}
	}
	b.Feed(feedBeforeCut).Cut(0)
	return b.Bytes(), nil
}

func countNonEmpty(fold func(string) string, opts []string) int {
	n := 0
	for _, o := range opts {
		if len(Wrap(fold(o), 1)) > 0 {
			n++
		}
	}
	return n
}

// QR appends data as a QR code sized for l's paper, drawn by the printer or
// sent as a raster image as l says. Both leave the print position at the
// start of the next line.
func (b *Builder) QR(data string, l Layout) error {
	var cmd []byte
	var err error
	switch l.QR {
	case QRNative:
		cmd, err = QRNativeCommand(data, QRModuleDots(l.Paper), QRLevelM)
	case QRRaster:
		cmd, err = QRRasterCommand(data, QRModuleDots(l.Paper), l.Paper.Dots(), QRLevelM)
	default:
		err = errors.New("escpos: unknown QR mode")
	}
	if err != nil {
		return err
	}
	b.Raw(cmd)
	return nil
}
