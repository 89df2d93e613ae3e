package escpos

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		cp   CodePage
		in   string
		want []byte
	}{
		{"ascii", PC858, "Flat white", []byte("Flat white")},
		{"Zoë", PC858, "Zoë", []byte{'Z', 'o', 0x89}},
		{"Jürgen", PC858, "Jürgen", []byte{'J', 0x81, 'r', 'g', 'e', 'n'}},
		{"José", PC858, "José", []byte{'J', 'o', 's', 0x82}},
		{"José decomposed", PC858, "Jose\u0301", []byte{'J', 'o', 's', 0x82}},
		{"Łukasz folds", PC858, "Łukasz", []byte("Lukasz")},
		{"Łukasz in PC852", PC852, "Łukasz", []byte{0x9D, 'u', 'k', 'a', 's', 'z'}},
		{"João", PC858, "João", []byte{'J', 'o', 0xC6, 'o'}},
		{"João in PC437 drops tilde", PC437, "João", []byte("Joao")},
		{"Ørjan PC858", PC858, "Ørjan", []byte{0x9D, 'r', 'j', 'a', 'n'}},
		{"Ørjan PC437", PC437, "Ørjan", []byte("Orjan")},
		{"Zoë WPC1252", WPC1252, "Zoë", []byte{'Z', 'o', 0xEB}},
		{"euro PC858", PC858, "€2", []byte{0xD5, '2'}},
		{"euro PC437", PC437, "€2", []byte("EUR2")},
		{"double acute", PC858, "Erdős", []byte("Erdos")},
		{"cyrillic", PC858, "Анна", []byte("Anna")},
		{"greek", PC858, "Νίκος", []byte("Nikos")},
		{"emoji", PC858, "☕ Kaffee", []byte("? Kaffee")},
		{"cjk", PC858, "李", []byte("?")},
		{"symbol that is a control byte in PC437", PC437, "♥", []byte("?")},
		{"escape stripped", PC858, "Bob\x1b@\x1dV\x00", []byte("Bob@V")},
		{"del and C1 stripped", PC858, "a\x7fb\u0085c\u009bd", []byte("ab cd")},
		{"tabs and newlines become spaces", PC858, "a\tb\r\nc", []byte("a b  c")},
		{"bidi override stripped", PC858, "\u202Eevil\u200B", []byte("evil")},
		{"no-break space", PC858, "Anne\u00A0Marie", []byte("Anne Marie")},
		{"smart quotes", PC858, "“O’Brien”", []byte("\"O'Brien\"")},
		{"invalid utf-8", PC858, "a\xffb", []byte("a?b")},
		{"markup is text", PC858, "<script>", []byte("<script>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewEncoder(tt.cp).Encode(tt.in); !bytes.Equal(got, tt.want) {
				t.Errorf("Encode(%q) = % X (%q), want % X (%q)", tt.in, got, got, tt.want, tt.want)
			}
		})
	}
}

func TestFoldDecodesBack(t *testing.T) {
	for _, cp := range codePages {
		enc := NewEncoder(cp)
		for _, s := range []string{"Zoë", "Jürgen", "Łukasz", "José", "Ærøskøbing", "Straße", "€"} {
			folded := enc.Fold(s)
			var back strings.Builder
			for _, b := range enc.Encode(s) {
				back.WriteRune(cp.decode(b))
			}
			if back.String() != folded {
				t.Errorf("%s: %q encodes to %q, folded %q", cp.Name, s, back.String(), folded)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"   ", 10, nil},
		{"Flat white", 10, []string{"Flat white"}},
		{"Flat white", 9, []string{"Flat", "white"}},
		{"a  b   c", 10, []string{"a b c"}},
		{"Supercalifragilistic", 8, []string{"Supercal", "ifragili", "stic"}},
		{"to Supercalifragilistic", 8, []string{"to", "Supercal", "ifragili", "stic"}},
		{"Zoë Zoë", 3, []string{"Zoë", "Zoë"}},
		{"x", 0, []string{"x"}},
	}
	for _, tt := range tests {
		if got := Wrap(tt.in, tt.width); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	lines := []string{"one two", "three four", "five"}
	if got := Clip(lines, 3, 10); !reflect.DeepEqual(got, lines) {
		t.Errorf("no clip: %q", got)
	}
	if got, want := Clip(lines, 2, 10), []string{"one two", "three f..."}; !reflect.DeepEqual(got, want) {
		t.Errorf("clip to 2 = %q, want %q", got, want)
	}
	if got, want := Clip(lines, 1, 12), []string{"one two..."}; !reflect.DeepEqual(got, want) {
		t.Errorf("clip to 1 = %q, want %q", got, want)
	}
	if lines[1] != "three four" {
		t.Error("Clip changed its input")
	}
	for _, l := range Clip(lines, 2, 10) {
		if utf8.RuneCountInString(l) > 10 {
			t.Errorf("clipped line %q wider than 10", l)
		}
	}
}

// FuzzEncodeText checks the promise the ticket relies on: whatever a
// customer types, the bytes are printable characters of the code page, one
// per folded rune, and decode back to the folded text.
func FuzzEncodeText(f *testing.F) {
	for _, s := range []string{"Zoë", "Jürgen", "Łukasz", "José", "<script>alert(1)</script>", "\x1b@\x1dV\x00", "☕", "Анна"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cp := range codePages {
			enc := NewEncoder(cp)
			folded := enc.Fold(s)
			got := enc.Encode(s)
			if n := utf8.RuneCountInString(folded); n != len(got) {
				t.Fatalf("%s: %q folds to %d runes but encodes to %d bytes", cp.Name, s, n, len(got))
			}
			for i, b := range got {
				if b < 0x20 || b == 0x7F {
					t.Fatalf("%s: %q: control byte %#02x at %d", cp.Name, s, b, i)
				}
			}
			i := 0
			for _, r := range folded {
				if back := cp.decode(got[i]); back != r {
					t.Fatalf("%s: %q: byte %#02x decodes to %q, folded %q", cp.Name, s, got[i], back, r)
				}
				i++
			}
			if enc.Fold(folded) != folded {
				t.Fatalf("%s: folding %q is not idempotent", cp.Name, s)
			}
		}
	})
}
