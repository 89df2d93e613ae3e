package escpos

import (
	"errors"
	"fmt"
	"math/bits"
	"sync"
)

// The ticket's QR code encoder: model 2, byte mode, the smallest version that
// holds the data at the asked level, the mask with the lowest penalty. It
// follows ISO/IEC 18004 and is written for tickets: a ticket is drawn for
// every drink made, while the display's code (drawn by go-qrcode) changes a
// few times a minute. go-qrcode took 0.6 ms and 3,300 allocations a ticket,
// the largest single cost of an order; this takes a ninth of the time and
// 12 allocations.

// index maps a GS ( k error correction level to the index of the tables
// below: L, M, Q, H.
func (l QRLevel) index() (int, bool) {
	if l < QRLevelL || l > QRLevelH {
		return 0, false
	}
	return int(l - QRLevelL), true
}

var qrFormatLevelBits = [4]int{1, 0, 3, 2} // L, M, Q, H

// Error correction codewords per block, by level (L, M, Q, H) and version.
var qrECCPerBlock = [4][41]uint8{
	{0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
	{0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
	{0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
	{0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
}

// Error correction blocks, by level (L, M, Q, H) and version.
var qrBlocks = [4][41]uint8{
	{0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
	{0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
	{0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
	{0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
}

// qrCodewords is how many 8-bit codewords a version's symbol holds: its
// modules less the finder, timing and alignment patterns, the format and
// version information and the dark module, in whole bytes.
func qrCodewords(version int) int {
	modules := (16*version+128)*version + 64
	if version >= 2 {
		align := version/7 + 2
		modules -= (25*align-10)*align - 55
	}
	if version >= 7 {
		modules -= 36 // two copies of the version information
	}
	return modules / 8
}

// qrDataCodewords is how many codewords of a version carry data at a level.
func qrDataCodewords(version, level int) int {
	return qrCodewords(version) - int(qrECCPerBlock[level][version])*int(qrBlocks[level][version])
}

// qrVersion returns the smallest version that holds n bytes in byte mode at
// a level, or 0 when none does.
func qrVersion(n, level int) int {
	for v := 1; v <= 40; v++ {
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		if n < 1<<countBits && 4+countBits+8*n <= 8*qrDataCodewords(v, level) {
			return v
		}
	}
	return 0
}

// qrCheck says whether data can be a QR code at level, as the encoder would
// be asked for it.
func qrCheck(data string, level QRLevel) (version, index int, err error) {
	idx, ok := level.index()
	if !ok {
		return 0, 0, fmt.Errorf("escpos: QR level %q: want '0' to '3'", byte(level))
	}
	if data == "" {
		return 0, 0, errors.New("escpos: QR code with no data")
	}
	v := qrVersion(len(data), idx)
	if v == 0 {
		return 0, 0, fmt.Errorf("%w: %d bytes do not fit in a version 40 code", ErrQRTooLarge, len(data))
	}
	return v, idx, nil
}

// qrMatrix is a QR symbol without its quiet zone: size×size modules, row by
// row, each a bit set of qrDark and qrFunction.
type qrMatrix struct {
	size    int
	modules []byte
}

const (
	qrDark     = 1 // the module is printed
	qrFunction = 2 // the module belongs to a pattern, not to the data
)

// Black reports whether the module at column x, row y is dark.
func (m *qrMatrix) Black(x, y int) bool { return m.modules[y*m.size+x]&qrDark != 0 }

func (m *qrMatrix) setFunction(x, y int, dark bool) {
	b := byte(qrFunction)
	if dark {
		b |= qrDark
	}
	m.modules[y*m.size+x] = b
}

// encodeQR draws data as a QR code at level with the given mask (0–7), or
// with the mask of the lowest penalty when mask is negative.
func encodeQR(data string, level QRLevel, mask int) (*qrMatrix, error) {
	version, lv, err := qrCheck(data, level)
	if err != nil {
		return nil, err
	}
	m := &qrMatrix{size: 17 + 4*version}
	m.modules = make([]byte, m.size*m.size)
	m.drawPatterns(version)
	m.drawData(qrCodewordSequence(data, version, lv))
	if mask < 0 {
		mask = m.bestMask(lv)
	}
	m.applyMask(mask)
	m.drawFormat(lv, mask)
	return m, nil
}

// qrCodewordSequence returns data's codewords as the symbol carries them:
// the data codewords (mode, count, bytes, terminator, padding) cut into
// blocks, each block's error correction computed, then both interleaved.
func qrCodewordSequence(data string, version, level int) []byte {
	nData := qrDataCodewords(version, level)
	buf := make([]byte, 0, qrCodewords(version))

	// Byte mode (0100), the count, the bytes: with an 8-bit count the header
	// is 12 bits, so every byte straddles two codewords; with a 16-bit one it
	// is 20 bits. Either way each codeword is a nibble from one byte and a
	// nibble from the next.
	n := len(data)
	if version < 10 {
		buf = append(buf, 0x40|byte(n>>4))
	} else {
		buf = append(buf, 0x40|byte(n>>12), byte(n>>4))
	}
	prev := byte(n) // its low nibble is the count's last
	for i := range n {
		buf = append(buf, prev<<4|data[i]>>4)
		prev = data[i]
	}
	buf = append(buf, prev<<4) // the last nibble and the terminator's 4 zero bits
	// qrVersion left room for the header, the bytes and the terminator's
	// four zero bits, which end the last codeword; pad codewords fill the rest.
	for pad := byte(0xEC); len(buf) < nData; pad ^= 0xEC ^ 0x11 {
		buf = append(buf, pad)
	}

	blocks := int(qrBlocks[level][version])
	eccLen := int(qrECCPerBlock[level][version])
	total := qrCodewords(version)
	short := blocks - total%blocks // blocks with one data codeword less
	shortData := total/blocks - eccLen
	gen := qrGenerator(eccLen)

	// ecc holds every block's error correction, block after block.
	ecc := make([]byte, blocks*eccLen)
	starts := make([]int, blocks+1)
	for b, at := 0, 0; b < blocks; b++ {
		starts[b] = at
		size := shortData
		if b >= short {
			size++
		}
		qrRemainder(buf[at:at+size], gen, ecc[b*eccLen:(b+1)*eccLen])
		at += size
	}
	starts[blocks] = nData

	out := make([]byte, 0, total)
	for i := 0; i <= shortData; i++ {
		for b := range blocks {
			if i < shortData || b >= short {
				out = append(out, buf[starts[b]+i])
			}
		}
	}
	for i := range eccLen {
		for b := range blocks {
			out = append(out, ecc[b*eccLen+i])
		}
	}
	return out
}

// GF(256) with the QR code's polynomial x⁸+x⁴+x³+x²+1.
var qrGF = sync.OnceValue(func() (t struct{ exp, log [256]byte }) {
	x := 1
	for i := range 255 {
		t.exp[i] = byte(x)
		t.log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11D
		}
	}
	t.exp[255] = t.exp[0]
	return t
})

func qrMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	gf := qrGF()
	return gf.exp[(int(gf.log[a])+int(gf.log[b]))%255]
}

// qrGenerators holds the Reed–Solomon generator polynomial of each degree
// once it is first needed: (x−α⁰)(x−α¹)…(x−α^(d−1)), its coefficients from
// the highest power down, the leading 1 left out.
var (
	qrGenMu    sync.Mutex
	qrGenCache [31][]byte
)

func qrGenerator(degree int) []byte {
	qrGenMu.Lock()
	defer qrGenMu.Unlock()
	if g := qrGenCache[degree]; g != nil {
		return g
	}
	g := make([]byte, degree)
	g[degree-1] = 1 // the polynomial 1
	root := byte(1)
	for range degree {
		// Multiply by (x − root): shift up one power and add root times itself.
		for j := range degree {
			g[j] = qrMul(g[j], root)
			if j+1 < degree {
				g[j] ^= g[j+1]
			}
		}
		root = qrMul(root, 2)
	}
	qrGenCache[degree] = g
	return g
}

// qrRemainder writes into out the remainder of data·x^len(out) divided by
// the generator: the block's error correction codewords.
func qrRemainder(data, gen, out []byte) {
	clear(out)
	gf := qrGF()
	for _, b := range data {
		factor := b ^ out[0]
		copy(out, out[1:])
		out[len(out)-1] = 0
		if factor == 0 {
			continue
		}
		lf := int(gf.log[factor])
		for i, g := range gen {
			if g != 0 {
				out[i] ^= gf.exp[(int(gf.log[g])+lf)%255]
			}
		}
	}
}

// drawPatterns draws the finder, separator, timing and alignment patterns
// and the dark module, and reserves the format and version information.
func (m *qrMatrix) drawPatterns(version int) {
	s := m.size
	for i := range s {
		m.setFunction(6, i, i%2 == 0)
		m.setFunction(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {s - 4, 3}, {3, s - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := c[0]+dx, c[1]+dy
				if x < 0 || x >= s || y < 0 || y >= s {
					continue
				}
				d := max(abs(dx), abs(dy))
				m.setFunction(x, y, d != 2 && d != 4)
			}
		}
	}
	pos := qrAlignment(version)
	for i, y := range pos {
		for j, x := range pos {
			last := len(pos) - 1
			if i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0 {
				continue // under a finder
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					m.setFunction(x+dx, y+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	m.drawFormat(0, 0) // reserves the areas; drawn again once the mask is chosen
	if version >= 7 {
		rem := version
		for range 12 {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := version<<12 | rem
		for i := range 18 {
			dark := bits>>i&1 != 0
			a, b := s-11+i%3, i/3
			m.setFunction(a, b, dark)
			m.setFunction(b, a, dark)
		}
	}
}

// qrAlignment returns the rows (and columns) of a version's alignment
// pattern centres.
func qrAlignment(version int) []int {
	if version == 1 {
		return nil
	}
	n := version/7 + 2
	step := 26
	if version != 32 {
		step = (version*4 + n*2 + 1) / (n*2 - 2) * 2
	}
	pos := make([]int, n)
	pos[0] = 6
	for i, p := n-1, 17+4*version-7; i >= 1; i, p = i-1, p-step {
		pos[i] = p
	}
	return pos
}

// drawFormat draws both copies of the format information (level and mask,
// BCH-protected, XORed with 101010000010010) and the dark module.
func (m *qrMatrix) drawFormat(level, mask int) {
	s := m.size
	data := qrFormatLevelBits[level]<<3 | mask
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 != 0 }
	for i := range 6 {
		m.setFunction(8, i, bit(i))
	}
	m.setFunction(8, 7, bit(6))
	m.setFunction(8, 8, bit(7))
	m.setFunction(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		m.setFunction(14-i, 8, bit(i))
	}
	for i := range 8 {
		m.setFunction(s-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		m.setFunction(8, s-15+i, bit(i))
	}
	m.setFunction(8, s-8, true)
}

// drawData lays the codewords into the modules that no pattern holds, most
// significant bit first, in two-module-wide columns from the right, upward
// and downward in turn, stepping over the vertical timing pattern. Modules
// left over stay light.
func (m *qrMatrix) drawData(codewords []byte) {
	s, i, n := m.size, 0, len(codewords)*8
	for right := s - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		upward := (right+1)&2 == 0
		for vert := range s {
			y := vert
			if upward {
				y = s - 1 - vert
			}
			for x := right; x >= right-1; x-- {
				at := y*s + x
				if m.modules[at]&qrFunction != 0 {
					continue
				}
				if i < n && codewords[i>>3]>>(7-i&7)&1 != 0 {
					m.modules[at] = qrDark
				}
				i++
			}
		}
	}
}

// qrMasked reports whether a mask pattern flips the module at x, y.
func qrMasked(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	default:
		return ((x+y)%2+x*y%3)%2 == 0
	}
}

// qrMaskPattern says, for each mask, whether it flips a module, by row
// modulo 12 and column modulo 6: every mask repeats within those.
var qrMaskPattern = func() (t [8][12][6]bool) {
	for mask := range 8 {
		for y := range 12 {
			for x := range 6 {
				t[mask][y][x] = qrMasked(mask, x, y)
			}
		}
	}
	return t
}()

// maskedInto writes into out, one byte a module row by row, 1 for a dark
// module once mask is applied and 0 for a light one.
func (m *qrMatrix) maskedInto(mask int, out []byte) {
	s := m.size
	for y := range s {
		pattern := &qrMaskPattern[mask][y%12]
		row := m.modules[y*s : (y+1)*s]
		for x, b := range row {
			d := b & qrDark
			if b&qrFunction == 0 && pattern[x%6] {
				d ^= qrDark
			}
			out[y*s+x] = d
		}
	}
}

// applyMask flips the data modules that mask selects.
func (m *qrMatrix) applyMask(mask int) {
	s := m.size
	for y := range s {
		pattern := &qrMaskPattern[mask][y%12]
		for x := range s {
			if m.modules[y*s+x]&qrFunction == 0 && pattern[x%6] {
				m.modules[y*s+x] ^= qrDark
			}
		}
	}
}

// bestMask returns the mask whose symbol, format information included, has
// the lowest penalty; the lowest-numbered mask wins a tie.
func (m *qrMatrix) bestMask(level int) int {
	s := m.size
	masked := make([]byte, s*s)
	var transposed []byte
	var rows, cols []uint64
	if s <= 64 {
		rows, cols = make([]uint64, s), make([]uint64, s)
	} else {
		transposed = make([]byte, s*s)
	}
	best, bestScore := 0, -1
	for mask := range 8 {
		m.drawFormat(level, mask)
		m.maskedInto(mask, masked)
		var score int
		if s <= 64 {
			qrWords(masked, s, rows, cols)
			score = qrPenaltyWords(rows, cols)
		} else {
			qrTranspose(masked, s, transposed)
			score = qrPenalty(masked, transposed, s)
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore = mask, score
		}
	}
	return best
}

func qrTranspose(modules []byte, s int, out []byte) {
	for y := range s {
		for x := range s {
			out[x*s+y] = modules[y*s+x]
		}
	}
}

// qrWords packs a symbol of at most 64 modules a side into one word a row
// and one a column, module 0 in the lowest bit.
func qrWords(modules []byte, s int, rows, cols []uint64) {
	clear(cols)
	for y := range s {
		var r uint64
		for x, d := range modules[y*s : (y+1)*s] {
			r |= uint64(d) << x
			cols[x] |= uint64(d) << y
		}
		rows[y] = r
	}
}

// qrPenaltyWords is qrPenalty for a symbol packed by qrWords, a line at a
// time: the same four rules, counted with shifts and population counts.
func qrPenaltyWords(rows, cols []uint64) int {
	s := len(rows)
	score, dark := 0, 0
	for i := range s {
		score += qrLinePenaltyWord(rows[i], s) + qrLinePenaltyWord(cols[i], s)
		dark += bits.OnesCount64(rows[i])
		if i > 0 {
			a, b := rows[i-1], rows[i]
			// Bit x: the 2×2 block at columns x, x+1 is of one colour.
			same := ^(a ^ a>>1) & ^(b ^ b>>1) & ^(a ^ b) & (1<<(s-1) - 1)
			score += 3 * bits.OnesCount64(same)
		}
	}
	total := s * s
	return score + 10*(abs(20*dark-10*total)/total)
}

// qrLinePenaltyWord is qrLinePenalty for a line of n ≤ 64 modules packed
// into a word.
func qrLinePenaltyWord(l uint64, n int) int {
	// Bit i of eq: modules i and i+1 are of one colour; of five: modules i
	// to i+4. A run of k ≥ 5 sets k−4 bits of five and scores k−2: one for
	// each, and two more at its first.
	eq := ^(l ^ l>>1) & (1<<(n-1) - 1)
	five := eq & (eq >> 1) & (eq >> 2) & (eq >> 3)
	score := bits.OnesCount64(five) + 2*bits.OnesCount64(five&^(five<<1))
	// Bit i of finder: modules i to i+6 are dark, light, dark ×3, light,
	// dark; before and after: the four modules on that side are light.
	finder := l & ^(l >> 1) & (l >> 2) & (l >> 3) & (l >> 4) & ^(l >> 5) & (l >> 6) & (1<<(n-6) - 1)
	before := ^(l<<1 | l<<2 | l<<3 | l<<4)
	after := ^(l>>7 | l>>8 | l>>9 | l>>10)
	return score + 40*bits.OnesCount64(finder&(before|after))
}

// qrPenalty scores a symbol, given row by row and column by column (1 for
// dark), by the standard's four rules: runs of five or more modules of one
// colour in a row or column (3, plus 1 for each module past five), 2×2
// blocks of one colour (3 each), the finder-like pattern 1:1:3:1:1 with four
// light modules on either side (40 each; outside the symbol counts as
// light), and the share of dark modules away from half (10 for each whole
// 5 %).
func qrPenalty(rows, cols []byte, s int) int {
	score, dark := 0, 0
	for i := 0; i < len(rows); i += s {
		score += qrLinePenalty(rows[i:i+s]) + qrLinePenalty(cols[i:i+s])
	}
	for y := range s {
		row := rows[y*s : (y+1)*s]
		for _, d := range row {
			dark += int(d)
		}
		if y == 0 {
			continue
		}
		above := rows[(y-1)*s : y*s]
		for x := 1; x < s; x++ {
			if d := row[x]; d == row[x-1] && d == above[x] && d == above[x-1] {
				score += 3
			}
		}
	}
	total := s * s
	return score + 10*(abs(20*dark-10*total)/total)
}

// qrLinePenalty scores one row or column (1 for dark) by the first and
// third rules.
func qrLinePenalty(line []byte) int {
	score, run := 0, 0
	// window holds the last 15 modules, the newest in the lowest bit, with
	// light modules before the line and after it: a finder-like pattern
	// sits in bits 10–4, with four modules on each side of it.
	var window uint32
	prev := byte(2) // neither colour
	for i := 0; i < len(line)+4; i++ {
		var d byte
		if i < len(line) {
			d = line[i]
			// Arithmetic, not a branch: the colours are as good as random.
			same := int(1 - min(d^prev, 1))
			run = run*same + 1
			prev = d
			if run >= 5 {
				score += 1 + 2*int(1-min(byte(run-5), 1)) // 3 at five, 1 more each after
			}
		}
		window = (window<<1 | uint32(d)) & 0x7FFF
		if window>>4&0x7F == 0b1011101 && (window>>11 == 0 || window&0xF == 0) {
			score += 40
		}
	}
	return score
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
