package escpos

import (
	"encoding"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// CodePage is one of the printer's character tables: its name, its number
// for ESC t, and the byte mapping.
type CodePage struct {
	// Name is how settings spell the table, such as "PC858".
	Name string
	// Table is the table's number in the ESC t command.
	Table byte

	cm *charmap.Charmap
}

// The code pages the kiosk can print with. Table numbers are Epson's; table
// 0 (PC437) is every printer's power-on table.
var (
	PC437   = CodePage{Name: "PC437", Table: 0, cm: charmap.CodePage437}
	PC850   = CodePage{Name: "PC850", Table: 2, cm: charmap.CodePage850}
	WPC1252 = CodePage{Name: "WPC1252", Table: 16, cm: charmap.Windows1252}
	PC852   = CodePage{Name: "PC852", Table: 18, cm: charmap.CodePage852}
	PC858   = CodePage{Name: "PC858", Table: 19, cm: charmap.CodePage858}
)

// DefaultCodePage is PC858. It holds every letter of the Western European
// languages (German, French, Spanish, Portuguese, Italian, Dutch and the
// Nordic languages) plus the euro sign, which PC437 lacks (no Ã, Õ, Ê, À…).
// It is Epson's table 19 and is present on the common clone printers, whose
// numbering of Windows tables such as WPC1252 is less consistent. A printer
// without it can use PC850, which has the same letters and no euro sign.
// Letters outside it (Ł, ő, Cyrillic…) are folded to readable ASCII.
var DefaultCodePage = PC858

var codePages = []CodePage{PC437, PC850, WPC1252, PC852, PC858}

var (
	_ encoding.TextUnmarshaler = (*CodePage)(nil)
	_ encoding.TextMarshaler   = CodePage{}
)

// CodePageByName finds a code page by its name, ignoring case.
func CodePageByName(name string) (CodePage, error) {
	for _, cp := range codePages {
		if strings.EqualFold(cp.Name, strings.TrimSpace(name)) {
			return cp, nil
		}
	}
	names := make([]string, len(codePages))
	for i, cp := range codePages {
		names[i] = cp.Name
	}
	return CodePage{}, fmt.Errorf("escpos: unknown code page %q: want one of %s", name, strings.Join(names, ", "))
}

func codePageByTable(n byte) (CodePage, bool) {
	for _, cp := range codePages {
		if cp.Table == n {
			return cp, true
		}
	}
	return CodePage{}, false
}

// String returns the code page's name.
func (cp CodePage) String() string { return cp.Name }

// MarshalText returns the code page's name.
func (cp CodePage) MarshalText() ([]byte, error) { return []byte(cp.Name), nil }

// UnmarshalText sets cp to the code page with that name.
func (cp *CodePage) UnmarshalText(text []byte) error {
	found, err := CodePageByName(string(text))
	if err != nil {
		return err
	}
	*cp = found
	return nil
}

// decode maps a printed byte back to its character.
func (cp CodePage) decode(b byte) rune {
	if cp.cm == nil {
		return rune(b)
	}
	return cp.cm.DecodeByte(b)
}

// encode maps r to a byte the printer prints as r. It refuses every byte
// below 0x20 and 0x7F: the charmaps map control characters to themselves,
// and those bytes are commands to a printer.
func (cp CodePage) encode(r rune) (byte, bool) {
	if r >= 0x20 && r < 0x7F {
		return byte(r), true
	}
	if cp.cm == nil {
		return 0, false
	}
	b, ok := cp.cm.EncodeRune(r)
	if !ok || b < 0x20 || b == 0x7F {
		return 0, false
	}
	return b, true
}

// Encoder turns text typed by people into bytes the printer prints as
// characters. Control and formatting characters are removed (tabs and line
// breaks become spaces), and characters the code page lacks become a
// readable ASCII spelling, or "?" when there is none.
type Encoder struct {
	cp CodePage
}

// NewEncoder returns an Encoder for cp. A zero CodePage means the default.
func NewEncoder(cp CodePage) Encoder {
	if cp.cm == nil {
		cp = DefaultCodePage
	}
	return Encoder{cp: cp}
}

// CodePage returns the code page the Encoder writes.
func (e Encoder) CodePage() CodePage { return e.cp }

// Fold returns s as it will be printed: every rune of the result is a
// printable character of the code page and takes one column.
func (e Encoder) Fold(s string) string {
	var out strings.Builder
	for _, r := range norm.NFC.String(strings.ToValidUTF8(s, "?")) {
		e.foldRune(&out, r)
	}
	return out.String()
}

func (e Encoder) foldRune(out *strings.Builder, r rune) {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
		out.WriteByte(' ')
		return
	case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) ||
		unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		// Controls would be commands; format characters (bidi overrides,
		// zero-width joiners), private-use characters and stray combining
		// marks have nothing to print.
		return
	case unicode.IsSpace(r):
		out.WriteByte(' ')
		return
	}
	if _, ok := e.cp.encode(r); ok {
		out.WriteRune(r)
		return
	}
	if alt, ok := fallback[r]; ok {
		for _, a := range alt {
			e.foldRune(out, a)
		}
		return
	}
	// Drop the accents of a letter the code page lacks (ő → o, ș → s, ά → a)
	// and fold what is left.
	if base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r))); base != r {
		e.foldRune(out, base)
		return
	}
	out.WriteByte('?')
}

// Append appends the printer bytes of s to dst.
func (e Encoder) Append(dst []byte, s string) []byte {
	for _, r := range e.Fold(s) {
		b, ok := e.cp.encode(r)
		if !ok {
			// Fold only returns encodable runes; keep the promise anyway.
			b = '?'
		}
		dst = append(dst, b)
	}
	return dst
}

// Encode returns the printer bytes of s.
func (e Encoder) Encode(s string) []byte { return e.Append(nil, s) }

// Wrap breaks s into lines of at most width columns, at spaces where it can
// and inside a word only when the word alone is too long. Runs of spaces
// collapse to one. s must already be folded.
func Wrap(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	var lines []string
	var line []rune
	for _, word := range strings.Fields(s) {
		w := []rune(word)
		if len(line) > 0 && len(line)+1+len(w) <= width {
			line = append(append(line, ' '), w...)
			continue
		}
		if len(line) > 0 {
			lines = append(lines, string(line))
			line = nil
		}
		for len(w) > width {
			lines = append(lines, string(w[:width]))
			w = w[width:]
		}
		line = w
	}
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return lines
}

// Clip keeps at most n lines of a wrapped text. When lines are dropped, the
// last kept line ends in "..." so the reader sees that something is missing.
func Clip(lines []string, n, width int) []string {
	if len(lines) <= n {
		return lines
	}
	lines = append([]string(nil), lines[:n]...)
	last := []rune(lines[n-1])
	if len(last)+3 > width {
		last = last[:max(0, width-3)]
	}
	lines[n-1] = strings.TrimRight(string(last), " ") + "..."
	return lines
}

// fallback spells characters that have no accent-free decomposition.
// Letters with a plain decomposition (ő, ș, ą…) need no entry. Cyrillic and
// Greek get a simple transliteration so a name stays readable.
var fallback = map[rune]string{
	'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d", 'Ħ': "H", 'ħ': "h", 'ı': "i",
	'Ŀ': "L", 'ŀ': "l", 'Ŧ': "T", 'ŧ': "t", 'Ŋ': "N", 'ŋ': "n", 'ĸ': "k",
	'Œ': "OE", 'œ': "oe", 'Æ': "AE", 'æ': "ae", 'Ø': "O", 'ø': "o",
	'ß': "ss", 'ẞ': "SS", 'Þ': "Th", 'þ': "th", 'Ð': "D", 'ð': "d",
	'ƒ': "f", 'ſ': "s", 'Ə': "E", 'ə': "e",
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", 'ʼ': "'",
	'“': "\"", '”': "\"", '„': "\"", '‟': "\"", '″': "\"", '«': "\"", '»': "\"",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'…': "...", '•': "*", '·': ".", '×': "x", '÷': "/",
	'€': "EUR", '£': "GBP", '¥': "JPY", '¢': "c",
	'©': "(c)", '®': "(R)", '™': "TM", '°': "o",
	'¼': "1/4", '½': "1/2", '¾': "3/4", '¹': "1", '²': "2", '³': "3",
	'¡': "!", '¿': "?", 'µ': "u", '§': "S", '¶': "P", 'ª': "a", 'º': "o",

	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "Yo",
	'Ж': "Zh", 'З': "Z", 'И': "I", 'Й': "Y", 'К': "K", 'Л': "L", 'М': "M",
	'Н': "N", 'О': "O", 'П': "P", 'Р': "R", 'С': "S", 'Т': "T", 'У': "U",
	'Ф': "F", 'Х': "Kh", 'Ц': "Ts", 'Ч': "Ch", 'Ш': "Sh", 'Щ': "Shch",
	'Ъ': "", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "Yu", 'Я': "Ya",
	'Є': "Ye", 'І': "I", 'Ї': "Yi", 'Ґ': "G",
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g",

	'Α': "A", 'Β': "V", 'Γ': "G", 'Δ': "D", 'Ε': "E", 'Ζ': "Z", 'Η': "I",
	'Θ': "Th", 'Ι': "I", 'Κ': "K", 'Λ': "L", 'Μ': "M", 'Ν': "N", 'Ξ': "X",
	'Ο': "O", 'Π': "P", 'Ρ': "R", 'Σ': "S", 'Τ': "T", 'Υ': "Y", 'Φ': "F",
	'Χ': "Ch", 'Ψ': "Ps", 'Ω': "O",
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i",
	'θ': "th", 'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x",
	'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y",
	'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}
