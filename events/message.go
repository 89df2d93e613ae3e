package events

import (
	"bytes"
	"encoding/json"
	"slices"
)

// withCatalogueMessage is withDefaultMessage for a detail just written by
// json.Marshal, and gives the same bytes: an empty or missing "message" gets
// the catalogue's, and the fields are then in key order, as a re-encoded
// object has them. It moves the fields as they are rather than decoding and
// encoding the whole detail again, which cost more than the marshalling
// itself on every event. Anything it does not expect goes the long way.
func withCatalogueMessage(raw []byte, msg string) []byte {
	fields, ok := splitObject(raw)
	if !ok {
		return withDefaultMessage(raw, msg)
	}
	i := slices.IndexFunc(fields, func(f field) bool { return string(f.key) == "message" })
	if i >= 0 && string(fields[i].value) != `""` {
		return raw
	}
	quoted, err := json.Marshal(msg)
	if err != nil {
		return withDefaultMessage(raw, msg)
	}
	if i >= 0 {
		fields[i].value = quoted
	} else {
		fields = append(fields, field{key: []byte("message"), name: []byte(`"message"`), value: quoted})
	}
	slices.SortFunc(fields, func(a, b field) int { return bytes.Compare(a.key, b.key) })
	out := make([]byte, 0, len(raw)+len(quoted)+len(`,"message":`))
	out = append(out, '{')
	for n, f := range fields {
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, f.name...)
		out = append(out, ':')
		out = append(out, f.value...)
	}
	return append(out, '}')
}

// field is one member of a JSON object: its key (without escapes, so its
// bytes order as the string does), the key as written, and its value as
// written.
type field struct {
	key, name, value []byte
}

// splitObject splits a JSON object as json.Marshal writes it (no spaces,
// keys without escapes) into its members; ok is false for anything else.
func splitObject(raw []byte) (fields []field, ok bool) {
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, false
	}
	rest := raw[1 : len(raw)-1]
	fields = make([]field, 0, 16)
	for len(rest) > 0 {
		n := stringEnd(rest)
		if n < 0 || bytes.IndexByte(rest[:n], '\\') >= 0 || n >= len(rest) || rest[n] != ':' {
			return nil, false
		}
		f := field{key: rest[1 : n-1], name: rest[:n]}
		rest = rest[n+1:]
		m := valueEnd(rest)
		if m <= 0 {
			return nil, false
		}
		f.value, rest = rest[:m], rest[m:]
		fields = append(fields, f)
		if len(rest) > 0 {
			if rest[0] != ',' || len(rest) == 1 {
				return nil, false
			}
			rest = rest[1:]
		}
	}
	return fields, true
}

// stringEnd is the length of the JSON string at the start of b, quotes
// included, or -1.
func stringEnd(b []byte) int {
	if len(b) == 0 || b[0] != '"' {
		return -1
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// valueEnd is the length of the JSON value at the start of b: up to the
// comma or end that follows it outside any string, object or array; -1 if
// brackets do not match.
func valueEnd(b []byte) int {
	var awaited [16]byte
	open := awaited[:0] // the closing brackets awaited, innermost last
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			n := stringEnd(b[i:])
			if n < 0 {
				return -1
			}
			i += n - 1
		case '{':
			open = append(open, '}')
		case '[':
			open = append(open, ']')
		case '}', ']':
			if len(open) == 0 || open[len(open)-1] != c {
				return -1
			}
			open = open[:len(open)-1]
		case ',':
			if len(open) == 0 {
				return i
			}
		}
	}
	if len(open) != 0 {
		return -1
	}
	return len(b)
}
