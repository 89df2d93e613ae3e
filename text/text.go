// Package text checks the short texts people type: a customer's first name,
// a drink's name on the menu. It keeps what a person meant (any script,
// emoji, markup characters shown as text) and refuses what only causes
// trouble on a screen or a ticket printer.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean trims s, folds runs of white space into one space, and reports
// whether the result is a usable label of 1 to maxRunes characters: valid
// UTF-8 with no control characters and no bidirectional overrides (which
// would let a name reorder the text around it).
func Clean(s string, maxRunes int) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	for _, r := range s {
		if isBidiControl(r) || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			return "", false
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	return s, n >= 1 && n <= maxRunes
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// Shorten returns s cut to at most maxRunes characters, ending in "…" when
// it was cut.
func Shorten(s string, maxRunes int) string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxRunes-1])) + "…"
}
