package escpos

import "testing"

func TestStatusUpdate(t *testing.T) {
	tests := []struct {
		name  string
		kind  StatusKind
		b     byte
		want  Status
		ready bool
	}{
		{"online", StatusPrinter, 0x12, Status{}, true},
		{"offline", StatusPrinter, 0x1A, Status{Offline: true}, false},
		{"drawer and feed button bits ignored", StatusPrinter, 0x56, Status{}, true},
		{"no offline cause", StatusOffline, 0x12, Status{}, true},
		{"cover open", StatusOffline, 0x16, Status{CoverOpen: true}, false},
		{"stopped at paper end", StatusOffline, 0x32, Status{PaperOut: true}, false},
		{"error occurred", StatusOffline, 0x52, Status{Error: true}, false},
		{"autocutter error", StatusError, 0x1A, Status{Error: true}, false},
		{"unrecoverable error", StatusError, 0x32, Status{Error: true}, false},
		{"no error", StatusError, 0x12, Status{}, true},
		{"paper adequate", StatusPaper, 0x12, Status{}, true},
		{"paper near end", StatusPaper, 0x1E, Status{PaperNearEnd: true}, true},
		{"paper out", StatusPaper, 0x72, Status{PaperOut: true}, false},
		{"paper out and near end", StatusPaper, 0x7E, Status{PaperOut: true, PaperNearEnd: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Status
			if err := s.Update(tt.kind, tt.b); err != nil {
				t.Fatal(err)
			}
			if s != tt.want || s.Ready() != tt.ready {
				t.Errorf("Update(%d, %#02x) = %+v ready %v, want %+v ready %v", tt.kind, tt.b, s, s.Ready(), tt.want, tt.ready)
			}
		})
	}
}

func TestStatusMerge(t *testing.T) {
	var s Status
	for _, a := range []struct {
		kind StatusKind
		b    byte
	}{{StatusPrinter, 0x1A}, {StatusOffline, 0x36}, {StatusPaper, 0x12}} {
		if err := s.Update(a.kind, a.b); err != nil {
			t.Fatal(err)
		}
	}
	// The paper sensor reading adequate does not undo the offline cause.
	want := Status{Offline: true, CoverOpen: true, PaperOut: true}
	if s != want {
		t.Errorf("merged %+v, want %+v", s, want)
	}
	if got := s.String(); got != "offline, cover open, paper out" {
		t.Errorf("String() = %q", got)
	}
	if got := (Status{}).String(); got != "ready" {
		t.Errorf("zero String() = %q", got)
	}
}

func TestStatusRejectsNoise(t *testing.T) {
	for _, b := range []byte{0x00, 0xFF, 0x13, 0x92, 0x10, 0x02} {
		s := Status{PaperNearEnd: true}
		if err := s.Update(StatusPrinter, b); err == nil {
			t.Errorf("byte %#02x accepted as a status", b)
		}
		if s != (Status{PaperNearEnd: true}) {
			t.Errorf("byte %#02x changed the status", b)
		}
	}
	var s Status
	if err := s.Update(StatusKind(9), 0x12); err == nil {
		t.Error("unknown kind accepted")
	}
}
