package escpos

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

var goQRLevels = map[QRLevel]qrcode.RecoveryLevel{
	QRLevelL: qrcode.Low, QRLevelM: qrcode.Medium, QRLevelQ: qrcode.High, QRLevelH: qrcode.Highest,
}

// byteCapacity is the most bytes a version holds in byte mode at a level.
func byteCapacity(version, level int) int {
	countBits := 8
	if version >= 10 {
		countBits = 16
	}
	return (8*qrDataCodewords(version, level) - 4 - countBits) / 8
}

// formatOf reads the level bits and mask from a symbol's first copy of the
// format information.
func formatOf(t *testing.T, black func(x, y int) bool) (levelBits, mask int) {
	t.Helper()
	var bits int
	at := func(i, x, y int) {
		if black(x, y) {
			bits |= 1 << i
		}
	}
	for i := range 6 {
		at(i, 8, i)
	}
	at(6, 8, 7)
	at(7, 8, 8)
	at(8, 7, 8)
	for i := 9; i < 15; i++ {
		at(i, 14-i, 8)
	}
	data := (bits ^ 0x5412) >> 10
	return data >> 3, data & 7
}

// TestQRMatchesGoQRCode holds the encoder to go-qrcode, module for module:
// the same data in byte mode, with the mask go-qrcode chose (the two score
// masks differently), gives the same symbol. Level M, the tickets', at
// every version; the others at the versions a ticket can have (up to 11)
// and a few larger. The smallest and largest data of a version are tried up
// to 11, a length between them everywhere. Data of bytes above 0x7F keeps
// go-qrcode in byte mode throughout. (go-qrcode is slow at the large
// versions, so not every one is tried at every level.)
func TestQRMatchesGoQRCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for level := QRLevelL; level <= QRLevelH; level++ {
		lv, _ := level.index()
		for version := 1; version <= 40; version++ {
			if level != QRLevelM && version > 11 && version != 16 && version != 27 && version != 40 {
				continue
			}
			lo := 1
			if version > 1 {
				lo = byteCapacity(version-1, lv) + 1
			}
			hi := byteCapacity(version, lv)
			lengths := []int{lo + rng.IntN(hi-lo+1)}
			if version <= 11 {
				lengths = append(lengths, lo, hi)
			}
			for _, n := range lengths {
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(0x80 + rng.IntN(0x80))
				}
				name := fmt.Sprintf("%c/v%d/%d bytes", "LMQH"[lv], version, n)
				q, err := qrcode.New(string(data), goQRLevels[level])
				if err != nil {
					t.Fatalf("%s: go-qrcode: %v", name, err)
				}
				q.DisableBorder = true
				want := q.Bitmap()
				if got := qrVersion(n, lv); got != version {
					t.Fatalf("%s: version %d", name, got)
				}
				levelBits, mask := formatOf(t, func(x, y int) bool { return want[y][x] })
				if levelBits != qrFormatLevelBits[lv] {
					t.Fatalf("%s: go-qrcode's format says level bits %d", name, levelBits)
				}
				got, err := encodeQR(string(data), level, mask)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got.size != len(want) {
					t.Fatalf("%s: %d modules a side, go-qrcode %d", name, got.size, len(want))
				}
				for y := range got.size {
					for x := range got.size {
						if got.Black(x, y) != want[y][x] {
							t.Fatalf("%s, mask %d: module %d,%d differs from go-qrcode's", name, mask, x, y)
						}
					}
				}
			}
		}
		if _, err := encodeQR(strings.Repeat("\xff", byteCapacity(40, lv)+1), level, -1); err == nil {
			t.Errorf("%c: one byte past version 40 encoded", "LMQH"[lv])
		}
	}
}

// TestQRScansWithZbar reads the encoder's symbols back with an independent
// decoder (zbarimg, Debian's zbar-tools), with the mask it chose itself:
// the ticket's status link, and data at every level and a spread of
// versions, 8- and 16-bit counts and version information included.
func TestQRScansWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools); .ci/run installs it")
	}
	rng := rand.New(rand.NewPCG(3, 5))
	const printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -._~:/?#[]@!$&'()*+,;=%"
	cases := []struct {
		level QRLevel
		data  string
	}{
		{QRLevelM, "http://10.42.0.1/?order=0b6f3c1e-8d2a-4c59-9a41-7e5d2f0c9b13"},
		{QRLevelM, "x"},
	}
	for level := QRLevelL; level <= QRLevelH; level++ {
		lv, _ := level.index()
		for _, version := range []int{2, 6, 7, 9, 10, 15, 24} {
			n := byteCapacity(version, lv)
			b := make([]byte, n)
			for i := range b {
				b[i] = printable[rng.IntN(len(printable))]
			}
			cases = append(cases, struct {
				level QRLevel
				data  string
			}{level, string(b)})
		}
	}
	dir := t.TempDir()
	for i, c := range cases {
		m, err := encodeQR(c.data, c.level, -1)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, fmt.Sprintf("qr%d.png", i))
		writeQRPNG(t, file, m)
		out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", file).Output()
		if err != nil {
			t.Fatalf("case %d (%c, %d bytes, %d modules): zbarimg read nothing: %v", i, "LMQH"[c.level-QRLevelL], len(c.data), m.size, err)
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != c.data {
			t.Errorf("case %d: zbarimg read %q, want %q", i, got, c.data)
		}
	}
}

// writeQRPNG draws a symbol at 4 pixels a module with a 4-module quiet zone.
func writeQRPNG(t *testing.T, file string, m *qrMatrix) {
	t.Helper()
	const scale, quiet = 4, 4
	side := (m.size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			mx, my := x/scale-quiet, y/scale-quiet
			c := color.Gray{Y: 255}
			if mx >= 0 && my >= 0 && mx < m.size && my < m.size && m.Black(mx, my) {
				c = color.Gray{}
			}
			img.SetGray(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestQRPenaltyRules scores lines whose penalties are known by hand.
func TestQRPenaltyRules(t *testing.T) {
	line := func(s string) []byte {
		out := make([]byte, len(s))
		for i, c := range s {
			out[i] = byte(c - '0')
		}
		return out
	}
	tests := []struct {
		line string
		want int
	}{
		{"1010101010", 0},
		{"11111", 3},            // a run of five
		{"0000000", 5},          // a run of seven: 3 + 2
		{"10111010", 40},        // the finder pattern at the edge: outside is light
		{"110111011", 0},        // the pattern with dark on both sides
		{"1001011101000", 40},   // light after it (and outside the symbol)
		{"000010111010000", 40}, // light on both sides counts once
	}
	for _, tt := range tests {
		if got := qrLinePenalty(line(tt.line)); got != tt.want {
			t.Errorf("%s: penalty %d, want %d", tt.line, got, tt.want)
		}
	}
}

// TestQRMaskIsTheLowestPenalty checks the chosen mask against every other,
// and that the symbol carries it in its format information.
func TestQRMaskIsTheLowestPenalty(t *testing.T) {
	const url = "http://10.42.0.1/?order=0b6f3c1e-8d2a-4c59-9a41-7e5d2f0c9b13"
	chosen, err := encodeQR(url, QRLevelM, -1)
	if err != nil {
		t.Fatal(err)
	}
	_, mask := formatOf(t, chosen.Black)
	best := penalty(chosen)
	for other := range 8 {
		m, err := encodeQR(url, QRLevelM, other)
		if err != nil {
			t.Fatal(err)
		}
		if p := penalty(m); p < best || p == best && other < mask {
			t.Errorf("mask %d scores %d, below the chosen mask %d's %d", other, p, mask, best)
		}
		if other == mask && !bytes.Equal(m.modules, chosen.modules) {
			t.Errorf("mask %d drawn twice differs", mask)
		}
	}
}

// TestQRPenaltyWordsAgree holds the word-at-a-time penalty (symbols up to 64
// modules a side) to the module-at-a-time one, on random lines and on
// symbols of every such version with every mask.
func TestQRPenaltyWordsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		n := 21 + rng.IntN(44)
		line := make([]byte, n)
		var word uint64
		for i := range line {
			// Long runs and finder patterns need more than coin flips.
			if i > 0 && rng.IntN(3) == 0 {
				line[i] = line[i-1]
			} else {
				line[i] = byte(rng.IntN(2))
			}
			word |= uint64(line[i]) << i
		}
		if a, b := qrLinePenalty(line), qrLinePenaltyWord(word, n); a != b {
			t.Fatalf("line %v: %d module by module, %d by word", line, a, b)
		}
	}
	for version := 1; version <= 11; version++ {
		data := strings.Repeat("z", byteCapacity(version, 1))
		for mask := range 8 {
			m, err := encodeQR(data, QRLevelM, mask)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := penalty(m), penaltyByWords(m); a != b {
				t.Errorf("version %d, mask %d: %d module by module, %d by word", version, mask, a, b)
			}
		}
	}
}

// darkModules is the symbol as it stands, one byte a module (1 for dark).
func darkModules(m *qrMatrix) []byte {
	out := make([]byte, len(m.modules))
	for i, b := range m.modules {
		out[i] = b & qrDark
	}
	return out
}

// penalty scores the symbol as it stands, module by module.
func penalty(m *qrMatrix) int {
	rows, cols := darkModules(m), make([]byte, len(m.modules))
	qrTranspose(rows, m.size, cols)
	return qrPenalty(rows, cols, m.size)
}

// penaltyByWords scores it a word per line (up to 64 modules a side).
func penaltyByWords(m *qrMatrix) int {
	rows, cols := make([]uint64, m.size), make([]uint64, m.size)
	qrWords(darkModules(m), m.size, rows, cols)
	return qrPenaltyWords(rows, cols)
}
