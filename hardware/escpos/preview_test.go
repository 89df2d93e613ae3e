package escpos

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
)

func TestPreviewText(t *testing.T) {
	job := NewBuilder(PC858).Init().
		Line("left").
		Align(AlignCenter).Line("Zoë").
		Align(AlignRight).Size(2, 1).Line("42").
		Align(AlignLeft).Size(1, 1).Text("no newline at end").Bytes()
	p, err := Interpret(job, Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"left\n" +
		"              Zoë\n" +
		"                            4 2\n" +
		"no newline at end\n"
	if got := p.Text(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPreviewWrapsAtPaperEdge(t *testing.T) {
	job := append(Init(), strings.Repeat("x", 40)...)
	p, err := Interpret(job, Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("x", 32) + "\n" + strings.Repeat("x", 8) + "\n"; p.Text() != want {
		t.Errorf("got %q, want %q", p.Text(), want)
	}
}

func TestPreviewCodePages(t *testing.T) {
	// The same byte is a different letter in each table.
	for _, tt := range []struct {
		cp   CodePage
		want string
	}{{PC437, "ò"}, {PC858, "ò"}, {WPC1252, "•"}, {PC852, "Ľ"}} {
		job := append(append(Init(), SelectCodePage(tt.cp)...), 0x95, '\n')
		p, err := Interpret(job, Paper58mm)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(p.Text()); got != tt.want {
			t.Errorf("%s: 0x95 = %q, want %q", tt.cp.Name, got, tt.want)
		}
	}
}

func TestPreviewErrors(t *testing.T) {
	tests := []struct {
		name   string
		job    []byte
		offset int
		msg    string
	}{
		{"unknown ESC", []byte{esc, '@', 'a', 'b', esc, 'z', 1}, 4, "unknown command 1B 7A"},
		{"unknown GS", []byte{'a', gs, 'P', 0, 0}, 1, "unknown command 1D 50"},
		{"tab", []byte{'a', '\t'}, 1, "unknown control byte 0x09"},
		{"bare ESC at end", []byte{'a', esc}, 1, "cut short"},
		{"ESC t without argument", []byte{esc, 't'}, 0, "cut short"},
		{"unknown code page", []byte{esc, 't', 99}, 0, "code page not supported"},
		{"bad alignment", []byte{esc, 'a', 7}, 0, "bad justification"},
		{"raster cut short", []byte{'x', '\n', gs, 'v', '0', 0, 2, 0, 2, 0, 0xFF}, 2, "cut short"},
		{"QR print without data", []byte{gs, '(', 'k', 3, 0, 49, 81, 48}, 0, "no stored data"},
		{"PDF417", []byte{gs, '(', 'k', 3, 0, 48, 67, 3}, 0, "symbol 48 not supported"},
		{"GS ( k length past end", []byte{gs, '(', 'k', 9, 0, 49}, 0, "cut short"},
		{"unknown cut", []byte{gs, 'V', 7}, 0, "unknown cut"},
		{"bad status request", []byte{dle, eot, 9}, 0, "unknown status request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Interpret(tt.job, Paper58mm)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("err = %v, want offset %d and %q", err, tt.offset, tt.msg)
			}
		})
	}
	if _, err := Interpret(nil, Paper(72)); err == nil {
		t.Error("paper 72 accepted")
	}
}

func TestPreviewAcceptsStatusRequestsAndCutVariants(t *testing.T) {
	job := bytes.Join([][]byte{
		Init(), StatusRequest(StatusPrinter), StatusRequest(StatusPaper), []byte("a\r\n"),
		CutHere(), {gs, 'V', '0'}, {gs, 'V', 65, 3}, Cut(5),
	}, nil)
	p, err := Interpret(job, Paper80mm)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(p.Text(), " cut "); n != 4 {
		t.Errorf("%d cuts in preview, want 4", n)
	}
}

// A QR code the printer draws previews exactly as the raster the kiosk
// would send instead.
func TestPreviewNativeQRMatchesRaster(t *testing.T) {
	const url = statusURL
	native, err := QRNativeCommand(url, 6, QRLevelM)
	if err != nil {
		t.Fatal(err)
	}
	raster, err := QRRasterCommand(url, 6, 384, QRLevelM)
	if err != nil {
		t.Fatal(err)
	}
	pn, err := Interpret(native, Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Interpret(raster, Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	a, b := pn.Image(), pr.Image()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("native %v, raster %v", a.Bounds(), b.Bounds())
	}
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("native and raster QR previews differ")
	}
	if !strings.Contains(pn.Text(), "[QR "+url[:10]) {
		t.Errorf("native QR text preview %q lacks the data", pn.Text())
	}
}

func TestPreviewRasterModes(t *testing.T) {
	img := NewBitmap(8, 1)
	img.Set(0, 0)
	cmd := Raster(img)
	cmd[3] = 3 // double width and double height
	p, err := Interpret(cmd, Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.items[0].img; got.Width != 16 || got.Height != 2 || !got.Black(1, 1) || got.Black(2, 0) {
		t.Errorf("quadruple raster = %d×%d", got.Width, got.Height)
	}
}

func TestPreviewPNG(t *testing.T) {
	for _, tc := range ticketCases[:4] {
		t.Run(tc.name, func(t *testing.T) {
			job, err := tc.ticket.Render(tc.layout)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Interpret(job, tc.layout.Paper)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := p.PNG(&buf); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			bounds := img.Bounds()
			if bounds.Dx() != tc.layout.Paper.Dots() {
				t.Errorf("width %d dots, want %d", bounds.Dx(), tc.layout.Paper.Dots())
			}
			if bounds.Dy() < 400 {
				t.Errorf("height %d dots: too short for a ticket with a QR code", bounds.Dy())
			}
			pal, ok := img.(*image.Paletted)
			if !ok || len(pal.Palette) != 2 {
				t.Fatalf("decoded %T, want a 2-colour paletted image", img)
			}
			black := 0
			for _, px := range pal.Pix {
				if px == 1 {
					black++
				}
			}
			total := bounds.Dx() * bounds.Dy()
			// A QR code alone blackens a few percent of the paper; a ticket
			// that is mostly black is a rendering bug.
			if black < total/50 || black > total/2 {
				t.Errorf("%d of %d dots black", black, total)
			}
			// The big order number is drawn near the top, centred.
			if !anyBlack(pal, image.Rect(bounds.Dx()/4, 0, 3*bounds.Dx()/4, 200)) {
				t.Error("nothing drawn in the top centre")
			}
			if anyBlack(pal, image.Rect(0, 0, 8, bounds.Dy()-30)) {
				t.Error("ink in the left margin of a centred ticket")
			}
		})
	}
}

func anyBlack(img *image.Paletted, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.ColorIndexAt(x, y) == 1 {
				return true
			}
		}
	}
	return false
}

func TestPreviewGlyphsDiffer(t *testing.T) {
	render := func(s string, bold bool) []byte {
		b := NewBuilder(PC858).Init().Bold(bold).Line(s).Bytes()
		p, err := Interpret(b, Paper58mm)
		if err != nil {
			t.Fatal(err)
		}
		return p.Image().Pix
	}
	if bytes.Equal(render("e", false), render("é", false)) {
		t.Error("e and é render the same")
	}
	if bytes.Equal(render("e", false), render("e", true)) {
		t.Error("bold renders like regular")
	}
}

// FuzzPreview feeds arbitrary bytes to the interpreter: it may refuse them,
// but must never panic or run away.
func FuzzPreview(f *testing.F) {
	for _, tc := range ticketCases {
		job, err := tc.ticket.Render(tc.layout)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(job)
	}
	f.Add([]byte{gs, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, job []byte) {
		p, err := Interpret(job, Paper58mm)
		if err != nil {
			return
		}
		_ = p.Text()
		_ = p.Image()
	})
}
