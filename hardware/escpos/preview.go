package escpos

import (
	"fmt"
	"strings"
)

// SyntaxError is a command stream the preview cannot interpret: an unknown
// or unsupported command, a bad argument, or a command cut short.
type SyntaxError struct {
	Offset int    // byte offset of the command's first byte
	Msg    string // what is wrong
}

// Error reports the offset and the problem.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("escpos: preview: offset %d: %s", e.Offset, e.Msg)
}

// Preview is a print job as the paper would show it, read from the same
// bytes that go to the printer. It understands the commands this package
// writes; anything else is a SyntaxError, so a preview that renders is a
// job the kiosk meant to send.
type Preview struct {
	paper Paper
	items []item
}

type itemKind int

const (
	itemLine itemKind = iota
	itemImage
	itemCut
)

type item struct {
	kind  itemKind
	align Alignment
	cells []cell  // itemLine
	img   *Bitmap // itemImage
	label string  // itemImage: what the text preview shows
	dots  int     // itemCut: feed before the cut
}

type cell struct {
	r    rune
	w, h int
	bold bool
}

// interpreter is the printer state while reading a job.
type interpreter struct {
	p        *Preview
	data     []byte
	cp       CodePage
	align    Alignment
	bold     bool
	w, h     int
	line     []cell
	lineDots int

	qrSize  int
	qrLevel QRLevel
	qrData  []byte
}

// Interpret reads job as a printer with paper p would.
func Interpret(job []byte, p Paper) (*Preview, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("escpos: preview: paper width %d mm: want 58 or 80", int(p))
	}
	in := &interpreter{p: &Preview{paper: p}, data: job}
	in.reset()
	if err := in.run(); err != nil {
		return nil, err
	}
	in.flush()
	return in.p, nil
}

func (in *interpreter) reset() {
	in.cp, in.align, in.bold, in.w, in.h = PC437, AlignLeft, false, 1, 1
	in.line, in.lineDots = nil, 0
	in.qrSize, in.qrLevel, in.qrData = 3, QRLevelL, nil
}

func (in *interpreter) run() error {
	data := in.data
	for i := 0; i < len(data); {
		start := i
		bad := func(format string, args ...any) error {
			return &SyntaxError{Offset: start, Msg: fmt.Sprintf(format, args...)}
		}
		// need returns the n argument bytes after the command's k bytes.
		need := func(k, n int) ([]byte, error) {
			if start+k+n > len(data) {
				return nil, bad("command % X cut short", data[start:min(len(data), start+k)])
			}
			return data[start+k : start+k+n], nil
		}
		c := data[i]
		switch {
		case c >= 0x20:
			in.char(in.cp.decode(c))
			i++
			continue
		case c == lf:
			in.newline()
			i++
			continue
		case c == '\r':
			// Printers on a serial or USB link ignore CR.
			i++
			continue
		case c != esc && c != gs && c != dle:
			return bad("unknown control byte %#02x", c)
		}
		if i+1 >= len(data) {
			return bad("command %#02x cut short", c)
		}
		switch cmd := [2]byte{c, data[i+1]}; cmd {
		case [2]byte{esc, '@'}:
			in.reset()
			i += 2
		case [2]byte{esc, 't'}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			cp, ok := codePageByTable(a[0])
			if !ok {
				return bad("ESC t %d: code page not supported", a[0])
			}
			in.cp = cp
			i += 3
		case [2]byte{esc, 'a'}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			n := a[0]
			if n >= '0' {
				n -= '0'
			}
			if n > 2 {
				return bad("ESC a %d: bad justification", a[0])
			}
			in.align = Alignment(n)
			i += 3
		case [2]byte{esc, 'E'}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			in.bold = a[0]&1 == 1
			i += 3
		case [2]byte{esc, 'd'}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			if a[0] == 0 {
				in.flush()
			}
			for range int(a[0]) {
				in.newline()
			}
			i += 3
		case [2]byte{gs, '!'}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			in.w, in.h = int(a[0]>>4)+1, int(a[0]&0x0F)+1
			if in.w > 8 || in.h > 8 {
				return bad("GS ! %#02x: size out of range", a[0])
			}
			i += 3
		case [2]byte{gs, 'V'}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			feed := 0
			switch a[0] {
			case 0, 1, '0', '1':
				i += 3
			case 65, 66:
				f, err := need(3, 1)
				if err != nil {
					return err
				}
				feed = int(f[0])
				i += 4
			default:
				return bad("GS V %d: unknown cut", a[0])
			}
			in.flush()
			in.p.items = append(in.p.items, item{kind: itemCut, dots: feed})
		case [2]byte{gs, 'v'}:
			a, err := need(2, 6)
			if err != nil {
				return err
			}
			mode := a[1]
			if mode >= '0' {
				mode -= '0'
			}
			if a[0] != '0' || mode > 3 {
				return bad("GS v %#02x %#02x: unsupported raster command", a[0], a[1])
			}
			stride, height := int(a[2])|int(a[3])<<8, int(a[4])|int(a[5])<<8
			if stride == 0 || height == 0 {
				return bad("GS v 0: empty image %d×%d bytes", stride, height)
			}
			bits, err := need(8, stride*height)
			if err != nil {
				return err
			}
			img := &Bitmap{Width: stride * 8, Height: height, Bits: bits}
			if mode != 0 {
				img = scaleBitmap(img, 1+int(mode&1), 1+int(mode>>1))
			}
			in.image(img, fmt.Sprintf("[image %d×%d]", img.Width, img.Height))
			i += 8 + stride*height
		case [2]byte{gs, '('}:
			n, err := in.gsParen(start)
			if err != nil {
				return err
			}
			i += n
		case [2]byte{dle, eot}:
			a, err := need(2, 1)
			if err != nil {
				return err
			}
			if a[0] < 1 || a[0] > 4 {
				return bad("DLE EOT %d: unknown status request", a[0])
			}
			i += 3
		default:
			return bad("unknown command % X", cmd[:])
		}
	}
	return nil
}

// gsParen interprets a GS ( k QR code function at offset start and returns
// its length.
func (in *interpreter) gsParen(start int) (int, error) {
	data := in.data
	bad := func(format string, args ...any) error {
		return &SyntaxError{Offset: start, Msg: fmt.Sprintf(format, args...)}
	}
	if start+5 > len(data) {
		return 0, bad("GS ( cut short")
	}
	if data[start+2] != 'k' {
		return 0, bad("unknown command GS ( %#02x", data[start+2])
	}
	n := int(data[start+3]) | int(data[start+4])<<8
	if n < 2 || start+5+n > len(data) {
		return 0, bad("GS ( k: length %d cut short or too small", n)
	}
	p := data[start+5 : start+5+n]
	if p[0] != 49 {
		return 0, bad("GS ( k: symbol %d not supported (only QR code, 49)", p[0])
	}
	arg := func(want int) ([]byte, error) {
		if len(p) != want {
			return nil, bad("GS ( k function %d: %d parameter bytes, want %d", p[1], len(p), want)
		}
		return p, nil
	}
	switch p[1] {
	case 65: // model
		a, err := arg(4)
		if err != nil {
			return 0, err
		}
		if a[2] != 49 && a[2] != 50 {
			return 0, bad("GS ( k: QR model %d not supported", a[2])
		}
	case 67: // module size
		a, err := arg(3)
		if err != nil {
			return 0, err
		}
		if a[2] < 1 || a[2] > 16 {
			return 0, bad("GS ( k: QR module size %d out of range", a[2])
		}
		in.qrSize = int(a[2])
	case 69: // error correction
		a, err := arg(3)
		if err != nil {
			return 0, err
		}
		if _, ok := QRLevel(a[2]).index(); !ok {
			return 0, bad("GS ( k: QR error correction %d unknown", a[2])
		}
		in.qrLevel = QRLevel(a[2])
	case 80: // store
		if len(p) < 3 || p[2] != 48 {
			return 0, bad("GS ( k: QR store needs m = 48")
		}
		in.qrData = append([]byte(nil), p[3:]...)
	case 81: // print
		if _, err := arg(3); err != nil {
			return 0, err
		}
		if len(in.qrData) == 0 {
			return 0, bad("GS ( k: QR print with no stored data")
		}
		img, err := QRBitmap(string(in.qrData), in.qrSize, in.qrLevel)
		if err != nil {
			return 0, bad("GS ( k: QR print: %v", err)
		}
		in.image(img, "[QR "+string(in.qrData)+"]")
	default:
		return 0, bad("GS ( k: QR function %d not supported", p[1])
	}
	return 5 + n, nil
}

func (in *interpreter) char(r rune) {
	w := fontWidth * in.w
	if in.lineDots+w > in.p.paper.Dots() && len(in.line) > 0 {
		// The printer wraps a line that reaches the edge.
		in.newline()
	}
	in.line = append(in.line, cell{r: r, w: in.w, h: in.h, bold: in.bold})
	in.lineDots += w
}

// newline prints the buffered line, empty or not, as LF does.
func (in *interpreter) newline() {
	in.p.items = append(in.p.items, item{kind: itemLine, align: in.align, cells: in.line})
	in.line, in.lineDots = nil, 0
}

// flush prints the buffered line if there is one.
func (in *interpreter) flush() {
	if len(in.line) > 0 {
		in.newline()
	}
}

func (in *interpreter) image(img *Bitmap, label string) {
	in.flush()
	in.p.items = append(in.p.items, item{kind: itemImage, align: in.align, img: img, label: label})
}

func scaleBitmap(src *Bitmap, sx, sy int) *Bitmap {
	dst := NewBitmap(src.Width*sx, src.Height*sy)
	for y := range dst.Height {
		for x := range dst.Width {
			if src.Black(x/sx, y/sy) {
				dst.Set(x, y)
			}
		}
	}
	return dst
}

// Text renders the job as plain text, one paper line per text line, with
// spaces for alignment. Magnified characters take as many columns as they
// would dots (a double-width "42" reads "4 2 "); images show as a bracketed
// label (a QR code drawn by the printer shows its data); a cut shows as a
// line of dashes.
func (p *Preview) Text() string {
	cols := p.paper.Columns()
	var out strings.Builder
	put := func(align Alignment, s string, width int) {
		pad := 0
		switch align {
		case AlignCenter:
			pad = max(0, cols-width) / 2
		case AlignRight:
			pad = max(0, cols-width)
		}
		out.WriteString(strings.TrimRight(strings.Repeat(" ", pad)+s, " "))
		out.WriteByte('\n')
	}
	for _, it := range p.items {
		switch it.kind {
		case itemLine:
			var s strings.Builder
			width := 0
			for _, c := range it.cells {
				s.WriteRune(c.r)
				s.WriteString(strings.Repeat(" ", c.w-1))
				width += c.w
			}
			put(it.align, s.String(), width)
		case itemImage:
			for label := []rune(it.label); len(label) > 0; {
				line := label[:min(cols, len(label))]
				label = label[len(line):]
				put(it.align, string(line), len(line))
			}
		case itemCut:
			const mark = " cut "
			left := (cols - len(mark)) / 2
			out.WriteString(strings.Repeat("-", left) + mark + strings.Repeat("-", cols-left-len(mark)) + "\n")
		}
	}
	return out.String()
}
