package escpos

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); run go test -update and review the diff", path, len(got), len(want))
	}
}

var (
	berlin = time.FixedZone("CET", 3600)
	placed = time.Date(2026, 11, 21, 9, 41, 0, 0, berlin)
)

const statusURL = "http://10.42.0.1/o/8f3a2c?t=0b1c2d3e4f"

var ticketCases = []struct {
	name   string
	ticket Ticket
	layout Layout
}{
	{"zoe_58_native", Ticket{
		Number: 7, Name: "Zoë", Drink: "Flat white", Options: []string{"Oat milk", "Extra shot"},
		Time: placed, StatusURL: statusURL, Booth: "Coffee Bar",
	}, Layout{Paper: Paper58mm, QR: QRNative}},
	{"jurgen_58_raster", Ticket{
		Number: 42, Name: "Jürgen", Drink: "Cappuccino", Options: []string{"Whole milk"},
		Time: placed, StatusURL: statusURL, Booth: "Coffee Bar",
	}, Layout{Paper: Paper58mm, QR: QRRaster}},
	{"lukasz_80_native", Ticket{
		Number: 128, Name: "Łukasz", Drink: "Latte", Options: []string{"Soy milk", "Vanilla syrup"},
		Time: placed, StatusURL: statusURL, Booth: "Coffee Bar — Hall B",
	}, Layout{Paper: Paper80mm, QR: QRNative}},
	{"jose_80_raster", Ticket{
		Number: 999, Name: "José", Drink: "Café con leche", Options: nil,
		Time: placed, StatusURL: statusURL, Booth: "Coffee Bar",
	}, Layout{Paper: Paper80mm, QR: QRRaster}},
	{"long_58_native", Ticket{
		Number: 1234, Name: "Maximiliane Alexandra Konstantinopoulou-Papadimitriou",
		Drink:   "Extra large iced caramel macchiato with hazelnut and a cinnamon dusting on top, please",
		Options: []string{"Almond milk", "Decaf", "Two pumps of sugar-free vanilla syrup and one of caramel", "No ice", "Extra hot", "Light foam", "Whipped cream", "Chocolate drizzle", "Takeaway lid", "Sleeve"},
		Time:    placed, StatusURL: statusURL, Booth: "The Very Long Conference Coffee Bar Name at the Main Entrance Hall",
	}, Layout{Paper: Paper58mm, QR: QRNative}},
	{"hostile_80_native", Ticket{
		Number: 3, Name: "<script>alert(1)</script>\x1b@\x1dV\x00Eve", Drink: "Espresso\n\x1b!\x30",
		Options: []string{"\u202eklim", "\x00"}, StatusURL: statusURL,
	}, Layout{Paper: Paper80mm, QR: QRNative}},
	{"minimal_58_raster", Ticket{Number: 5}, Layout{Paper: Paper58mm, QR: QRRaster}},
}

func TestTicketGolden(t *testing.T) {
	for _, tc := range ticketCases {
		t.Run(tc.name, func(t *testing.T) {
			job, err := tc.ticket.Render(tc.layout)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("tickets", tc.name+".bin"), job)
			p, err := Interpret(job, tc.layout.Paper)
			if err != nil {
				t.Fatalf("the preview cannot read the ticket: %v", err)
			}
			golden(t, filepath.Join("tickets", tc.name+".txt"), []byte(p.Text()))
		})
	}
}

func TestTicketShape(t *testing.T) {
	tk := ticketCases[0].ticket
	for _, l := range []Layout{
		{Paper: Paper58mm, QR: QRNative}, {Paper: Paper58mm, QR: QRRaster},
		{Paper: Paper80mm, QR: QRNative}, {Paper: Paper80mm, QR: QRRaster},
	} {
		job, err := tk.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		prefix := append(append(Init(), SelectCodePage(PC858)...), Align(AlignCenter)...)
		if !bytes.HasPrefix(job, prefix) {
			t.Errorf("%v %v: job starts % X, want % X", l.Paper, l.QR, job[:len(prefix)], prefix)
		}
		if end := append(Feed(3), Cut(0)...); !bytes.HasSuffix(job, end) {
			t.Errorf("%v %v: job does not end with feed and cut", l.Paper, l.QR)
		}
		if !bytes.Contains(job, append(Size(4, 4), "#7"...)) {
			t.Errorf("%v %v: no 4×4 order number", l.Paper, l.QR)
		}
		if !bytes.Contains(job, append(Size(2, 2), 'Z', 'o', 0x89)) {
			t.Errorf("%v %v: no double-size encoded name", l.Paper, l.QR)
		}
		native := bytes.Contains(job, []byte{gs, '(', 'k'})
		raster := bytes.Contains(job, []byte{gs, 'v', '0'})
		if native != (l.QR == QRNative) || raster != (l.QR == QRRaster) {
			t.Errorf("%v %v: native QR %v, raster QR %v", l.Paper, l.QR, native, raster)
		}
		p, err := Interpret(job, l.Paper)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(p.Text(), "\n") {
			if n := len([]rune(line)); n > l.Paper.Columns() {
				t.Errorf("%v %v: line %q is %d columns, paper has %d", l.Paper, l.QR, line, n, l.Paper.Columns())
			}
		}
	}
}

func TestTicketHostileTextStaysText(t *testing.T) {
	tc := ticketCases[5]
	job, err := tc.ticket.Render(tc.layout)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Interpret(job, tc.layout.Paper)
	if err != nil {
		t.Fatal(err)
	}
	cuts, inits := 0, 0
	for _, it := range p.items {
		if it.kind == itemCut {
			cuts++
		}
	}
	inits = bytes.Count(job, Init())
	if cuts != 1 || inits != 1 {
		t.Errorf("%d cuts and %d resets, want 1 each: a name became a command", cuts, inits)
	}
	text := p.Text()
	for _, want := range []string{"< s c r i p t >", "Espresso !0"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
}

func TestTicketOptionsOverflow(t *testing.T) {
	tc := ticketCases[4]
	job, err := tc.ticket.Render(tc.layout)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(job, []byte("+2 more\n")) {
		t.Error("ten options: no \"+2 more\" line")
	}
	if !bytes.Contains(job, []byte("Two pumps of sugar-free vanilla\nsyrup and one of caramel\n")) {
		t.Error("long option not wrapped at 32 columns")
	}
}

func TestTicketErrors(t *testing.T) {
	ok := Ticket{Number: 1, Name: "Ann", StatusURL: statusURL}
	if _, err := ok.Render(Layout{Paper: 0}); err == nil {
		t.Error("paper 0 accepted")
	}
	if _, err := (Ticket{Number: 0}).Render(Layout{Paper: Paper58mm}); err == nil {
		t.Error("order number 0 accepted")
	}
	big := ok
	big.StatusURL = strings.Repeat("\xff", 3000)
	for _, mode := range []QRMode{QRNative, QRRaster} {
		if _, err := big.Render(Layout{Paper: Paper58mm, QR: mode}); !errors.Is(err, ErrQRTooLarge) {
			t.Errorf("%v: huge URL: err = %v, want ErrQRTooLarge", mode, err)
		}
	}
}

func TestTicketNumberShrinks(t *testing.T) {
	job, err := (Ticket{Number: 123456789}).Render(Layout{Paper: Paper58mm})
	if err != nil {
		t.Fatal(err)
	}
	// "#123456789" is 10 characters: 3× would need 30 columns of 32.
	if !bytes.Contains(job, append(Size(3, 3), "#123456789"...)) {
		t.Error("long order number not printed at 3×")
	}
}
