// Package escpos speaks the ESC/POS command language of the bar's thermal
// ticket printer: the commands themselves, text encoding for the printer's
// code pages, the order ticket layout, the printer's status bytes, and a
// preview that interprets a command stream as text or as a PNG image.
//
// Every command is a plain function returning its bytes, so tests can assert
// on them exactly; Builder strings them together for a whole ticket. The byte
// sequences follow the Epson ESC/POS manuals, which the common 58 mm and
// 80 mm thermal printers implement.
package escpos

import (
	"encoding"
	"fmt"
	"strconv"
	"strings"
)

// Command introducers.
const (
	lf  = 0x0A
	esc = 0x1B
	gs  = 0x1D
	dle = 0x10
	eot = 0x04
)

// Font A, the printer's default font, is 12×24 dots.
const (
	fontWidth  = 12
	fontHeight = 24
)

// Paper is the width of the paper roll in millimetres.
type Paper int

// The two roll widths the kiosk lays tickets out for.
const (
	Paper58mm Paper = 58
	Paper80mm Paper = 80
)

var (
	_ encoding.TextUnmarshaler = (*Paper)(nil)
	_ encoding.TextMarshaler   = Paper(0)
)

// Dots is the printable width in dots at 203 dpi: 384 on 58 mm paper and 576
// on 80 mm paper. An unknown width reports 0.
func (p Paper) Dots() int {
	switch p {
	case Paper58mm:
		return 384
	case Paper80mm:
		return 576
	}
	return 0
}

// Columns is how many characters of font A fit on one line: 32 on 58 mm
// paper and 48 on 80 mm paper.
func (p Paper) Columns() int { return p.Dots() / fontWidth }

// Valid reports whether p is a width the kiosk knows how to lay out.
func (p Paper) Valid() bool { return p.Dots() > 0 }

// String returns the width as settings spell it, such as "58mm".
func (p Paper) String() string { return strconv.Itoa(int(p)) + "mm" }

// MarshalText spells the width as String does.
func (p Paper) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText accepts "58", "58mm", "80" or "80mm".
func (p *Paper) UnmarshalText(text []byte) error {
	s := strings.TrimSuffix(strings.TrimSpace(strings.ToLower(string(text))), "mm")
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || !Paper(n).Valid() {
		return fmt.Errorf("escpos: paper width %q: want 58mm or 80mm", text)
	}
	*p = Paper(n)
	return nil
}

// Alignment is the horizontal justification of lines and images.
type Alignment byte

// The three justifications of ESC a.
const (
	AlignLeft   Alignment = 0
	AlignCenter Alignment = 1
	AlignRight  Alignment = 2
)

// Init resets the printer to its power-on modes (ESC @). It does not clear
// the receive buffer, so it is safe at the start of every job.
func Init() []byte { return []byte{esc, '@'} }

// SelectCodePage chooses the character table for bytes 0x80–0xFF (ESC t n).
func SelectCodePage(cp CodePage) []byte { return []byte{esc, 't', cp.Table} }

// Align sets the justification of the following lines (ESC a n). Printers
// apply it only at the start of a line.
func Align(a Alignment) []byte { return []byte{esc, 'a', byte(a)} }

// Bold turns emphasised printing on or off (ESC E n).
func Bold(on bool) []byte {
	if on {
		return []byte{esc, 'E', 1}
	}
	return []byte{esc, 'E', 0}
}

// Size sets the character magnification (GS ! n): width and height are each
// 1 to 8 times the normal size, and values outside that range are clamped.
func Size(width, height int) []byte {
	return []byte{gs, '!', byte(clamp(width, 1, 8)-1)<<4 | byte(clamp(height, 1, 8)-1)}
}

// Feed prints whatever is buffered and feeds n lines (ESC d n). n is clamped
// to 0–255.
func Feed(lines int) []byte { return []byte{esc, 'd', byte(clamp(lines, 0, 255))} }

// Cut feeds the paper to the cutter plus feed dots and makes a partial cut,
// leaving one point uncut so the ticket hangs until torn off (GS V 66 n).
// Feeding to the cutter first guarantees that the last printed line is
// above the cut. feed is clamped to 0–255.
func Cut(feed int) []byte { return []byte{gs, 'V', 66, byte(clamp(feed, 0, 255))} }

// CutHere makes a partial cut where the paper is, without feeding (GS V 1).
func CutHere() []byte { return []byte{gs, 'V', 1} }

// LineFeed prints the buffered line and advances one line (LF).
func LineFeed() []byte { return []byte{lf} }

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// Builder assembles a print job. Text goes through the Builder's code page,
// so whatever a customer typed reaches the printer as characters, never as
// commands.
type Builder struct {
	buf []byte
	enc Encoder
}

// NewBuilder returns an empty job whose text is encoded in cp.
func NewBuilder(cp CodePage) *Builder { return &Builder{enc: NewEncoder(cp)} }

// Bytes returns the job so far. The slice aliases the Builder's buffer.
func (b *Builder) Bytes() []byte { return b.buf }

// Raw appends bytes as they are. Use it only for command bytes built by this
// package.
func (b *Builder) Raw(p []byte) *Builder {
	b.buf = append(b.buf, p...)
	return b
}

// Init resets the printer and selects the Builder's code page.
func (b *Builder) Init() *Builder {
	return b.Raw(Init()).Raw(SelectCodePage(b.enc.CodePage()))
}

// Align sets the justification of the following lines.
func (b *Builder) Align(a Alignment) *Builder { return b.Raw(Align(a)) }

// Bold turns emphasis on or off.
func (b *Builder) Bold(on bool) *Builder { return b.Raw(Bold(on)) }

// Size sets the character magnification.
func (b *Builder) Size(width, height int) *Builder { return b.Raw(Size(width, height)) }

// Text appends s encoded for the printer, without a line feed.
func (b *Builder) Text(s string) *Builder {
	b.buf = b.enc.Append(b.buf, s)
	return b
}

// Line appends s and a line feed.
func (b *Builder) Line(s string) *Builder { return b.Text(s).Raw(LineFeed()) }

// Feed prints and feeds n lines.
func (b *Builder) Feed(lines int) *Builder { return b.Raw(Feed(lines)) }

// Cut feeds to the cutter plus feed dots and cuts partially.
func (b *Builder) Cut(feed int) *Builder { return b.Raw(Cut(feed)) }
