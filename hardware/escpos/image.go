package escpos

import (
	"encoding"
	"errors"
	"fmt"
	"strings"
)

// Bitmap is a 1-bit image in the printer's raster layout: rows of
// (Width+7)/8 bytes, most significant bit leftmost, a set bit printed black.
type Bitmap struct {
	Width, Height int
	Bits          []byte
}

// NewBitmap returns a white bitmap of the given size.
func NewBitmap(width, height int) *Bitmap {
	return &Bitmap{Width: width, Height: height, Bits: make([]byte, (width+7)/8*height)}
}

// Stride is the number of bytes in one row.
func (b *Bitmap) Stride() int { return (b.Width + 7) / 8 }

// Set blackens the dot at x, y. Dots outside the bitmap are ignored.
func (b *Bitmap) Set(x, y int) {
	if x < 0 || y < 0 || x >= b.Width || y >= b.Height {
		return
	}
	b.Bits[y*b.Stride()+x/8] |= 0x80 >> (x % 8)
}

// Black reports whether the dot at x, y is black.
func (b *Bitmap) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= b.Width || y >= b.Height {
		return false
	}
	return b.Bits[y*b.Stride()+x/8]&(0x80>>(x%8)) != 0
}

// Raster prints img as a raster bit image at normal density (GS v 0 0). The
// image follows the current justification. Bits beyond the declared size
// are not sent.
func Raster(img *Bitmap) []byte {
	x, y := img.Stride(), img.Height
	out := make([]byte, 0, 8+x*y)
	out = append(out, gs, 'v', '0', 0, byte(x), byte(x>>8), byte(y), byte(y>>8))
	return append(out, img.Bits[:x*y]...)
}

// QRLevel is a QR code's error correction level.
type QRLevel byte

// The four QR error correction levels, valued as GS ( k function 169 wants
// them. Medium recovers from 15 % damage, enough for a ticket that is folded
// and carried in a pocket.
const (
	QRLevelL QRLevel = '0'
	QRLevelM QRLevel = '1'
	QRLevelQ QRLevel = '2'
	QRLevelH QRLevel = '3'
)

// QRMode says how a ticket carries its QR code.
type QRMode int

// The two ways to print a QR code.
const (
	// QRRaster draws the code on the kiosk and sends it as a raster image
	// (GS v 0). Every ESC/POS printer prints it; it is more bytes to send.
	QRRaster QRMode = iota
	// QRNative sends only the data and lets the printer draw the code
	// (GS ( k). Smaller and sharper, but some cheap printers ignore it.
	QRNative
)

var (
	_ encoding.TextUnmarshaler = (*QRMode)(nil)
	_ encoding.TextMarshaler   = QRMode(0)
)

// String returns "raster" or "native".
func (m QRMode) String() string {
	if m == QRNative {
		return "native"
	}
	return "raster"
}

// MarshalText spells the mode as String does.
func (m QRMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText accepts "raster" or "native".
func (m *QRMode) UnmarshalText(text []byte) error {
	switch strings.ToLower(strings.TrimSpace(string(text))) {
	case "raster":
		*m = QRRaster
	case "native":
		*m = QRNative
	default:
		return fmt.Errorf("escpos: QR mode %q: want raster or native", text)
	}
	return nil
}

// ErrQRTooLarge means the data does not fit in the largest QR code, or the
// code does not fit on the paper.
var ErrQRTooLarge = errors.New("escpos: QR code too large")

// QRNativeCommand returns the GS ( k sequence that makes the printer draw
// data as a model 2 QR code: select the model, the module size in dots
// (1–16), the error correction level, store the data, print it.
func QRNativeCommand(data string, moduleDots int, level QRLevel) ([]byte, error) {
	// A printer cannot draw what the largest symbol cannot hold; refusing
	// here beats a silently missing code.
	if _, _, err := qrCheck(data, level); err != nil {
		return nil, err
	}
	n := len(data) + 3
	out := []byte{
		gs, '(', 'k', 4, 0, 49, 65, 50, 0, // model 2
		gs, '(', 'k', 3, 0, 49, 67, byte(clamp(moduleDots, 1, 16)), // module size
		gs, '(', 'k', 3, 0, 49, 69, byte(level), // error correction
		gs, '(', 'k', byte(n), byte(n >> 8), 49, 80, 48, // store
	}
	out = append(out, data...)
	return append(out, gs, '(', 'k', 3, 0, 49, 81, 48), nil // print
}

// QRBitmap draws data as a QR code with moduleDots dots per module and no
// quiet zone (the paper around it is white).
func QRBitmap(data string, moduleDots int, level QRLevel) (*Bitmap, error) {
	m, err := encodeQR(data, level, -1)
	if err != nil {
		return nil, err
	}
	return scaleModules(m, max(1, moduleDots)), nil
}

// scaleModules turns a QR symbol into a bitmap of scale×scale dots per
// module: each module row is drawn once and copied to the scale dot rows it
// covers.
func scaleModules(m *qrMatrix, scale int) *Bitmap {
	img := NewBitmap(m.size*scale, m.size*scale)
	stride := img.Stride()
	for my := range m.size {
		first := img.Bits[my*scale*stride : (my*scale+1)*stride]
		for mx := range m.size {
			if !m.Black(mx, my) {
				continue
			}
			for x := mx * scale; x < (mx+1)*scale; x++ {
				first[x/8] |= 0x80 >> (x % 8)
			}
		}
		for dy := 1; dy < scale; dy++ {
			copy(img.Bits[(my*scale+dy)*stride:], first)
		}
	}
	return img
}

// QRRasterCommand draws data as a QR code no wider than maxDots and returns
// it as a raster image command. Modules are moduleDots wide unless that
// would not fit, in which case they shrink.
func QRRasterCommand(data string, moduleDots, maxDots int, level QRLevel) ([]byte, error) {
	m, err := encodeQR(data, level, -1)
	if err != nil {
		return nil, err
	}
	modules := m.size
	scale := min(moduleDots, maxDots/modules)
	if scale < 1 {
		return nil, fmt.Errorf("%w: %d modules do not fit in %d dots", ErrQRTooLarge, modules, maxDots)
	}
	return Raster(scaleModules(m, scale)), nil
}
