package text

import "testing"

func TestClean(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"  Zoë  ", "Zoë", true},
		{"Anne   Marie", "Anne Marie", true},
		{"<b>Bo</b>", "<b>Bo</b>", true},
		{"Łukasz ☕", "Łukasz ☕", true},
		{"", "", false},
		{"   ", "", false},
		{"Bob\x00", "", false},
		{"Bob\x1b[2J", "", false},
		{"evil\u202Egnp.exe", "", false},
		{"\xff\xfe", "", false},
		{"Tab\there", "Tab here", true},
		{"ABCDEFGHIJ", "ABCDEFGHIJ", true},
		{"ABCDEFGHIJK", "ABCDEFGHIJK", false},
	} {
		got, ok := Clean(c.in, 10)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Clean(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := Shorten("Maximilian", 12); got != "Maximilian" {
		t.Errorf("short name changed: %q", got)
	}
	if got := Shorten("Maximiliane-Sophie", 8); got != "Maximil…" {
		t.Errorf("got %q", got)
	}
}
