package escpos

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// h parses space-separated hex, so expected bytes read like the manual.
func h(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"init", Init(), "1B 40"},
		{"code page PC437", SelectCodePage(PC437), "1B 74 00"},
		{"code page PC850", SelectCodePage(PC850), "1B 74 02"},
		{"code page WPC1252", SelectCodePage(WPC1252), "1B 74 10"},
		{"code page PC852", SelectCodePage(PC852), "1B 74 12"},
		{"code page PC858", SelectCodePage(PC858), "1B 74 13"},
		{"align left", Align(AlignLeft), "1B 61 00"},
		{"align centre", Align(AlignCenter), "1B 61 01"},
		{"align right", Align(AlignRight), "1B 61 02"},
		{"bold on", Bold(true), "1B 45 01"},
		{"bold off", Bold(false), "1B 45 00"},
		{"size normal", Size(1, 1), "1D 21 00"},
		{"size double", Size(2, 2), "1D 21 11"},
		{"size tall", Size(1, 2), "1D 21 01"},
		{"size wide", Size(2, 1), "1D 21 10"},
		{"size 4x4", Size(4, 4), "1D 21 33"},
		{"size 8x8", Size(8, 8), "1D 21 77"},
		{"size clamps high", Size(9, 20), "1D 21 77"},
		{"size clamps low", Size(0, -1), "1D 21 00"},
		{"feed 0", Feed(0), "1B 64 00"},
		{"feed 4", Feed(4), "1B 64 04"},
		{"feed clamps", Feed(300), "1B 64 FF"},
		{"feed negative", Feed(-2), "1B 64 00"},
		{"line feed", LineFeed(), "0A"},
		{"cut with feed", Cut(0), "1D 56 42 00"},
		{"cut with feed 10", Cut(10), "1D 56 42 0A"},
		{"cut here", CutHere(), "1D 56 01"},
		{"status printer", StatusRequest(StatusPrinter), "10 04 01"},
		{"status offline", StatusRequest(StatusOffline), "10 04 02"},
		{"status error", StatusRequest(StatusError), "10 04 03"},
		{"status paper", StatusRequest(StatusPaper), "10 04 04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := h(t, tt.want); !bytes.Equal(tt.got, want) {
				t.Errorf("got % X, want % X", tt.got, want)
			}
		})
	}
}

func TestBuilder(t *testing.T) {
	got := NewBuilder(PC858).Init().Align(AlignCenter).Bold(true).Size(2, 2).
		Line("Zoë").Size(1, 1).Bold(false).Text("<b>").Feed(2).Cut(0).Bytes()
	want := h(t, "1B40 1B7413 1B6101 1B4501 1D2111 5A6F89 0A 1D2100 1B4500 3C623E 1B6402 1D564200")
	if !bytes.Equal(got, want) {
		t.Errorf("got  % X\nwant % X", got, want)
	}
}

func TestBuilderZeroCodePageIsDefault(t *testing.T) {
	got := NewBuilder(CodePage{}).Init().Text("é").Bytes()
	want := append(SelectCodePage(DefaultCodePage), 0x82)
	if !bytes.HasSuffix(got, want) {
		t.Errorf("got % X, want suffix % X", got, want)
	}
}

func TestQRNativeCommand(t *testing.T) {
	got, err := QRNativeCommand("ABC", 6, QRLevelM)
	if err != nil {
		t.Fatal(err)
	}
	want := h(t, ""+
		"1D 28 6B 04 00 31 41 32 00"+ // model 2
		"1D 28 6B 03 00 31 43 06"+ // module size 6
		"1D 28 6B 03 00 31 45 31"+ // error correction M
		"1D 28 6B 06 00 31 50 30 41 42 43"+ // store "ABC": pL = 3 + 3
		"1D 28 6B 03 00 31 51 30") // print
	if !bytes.Equal(got, want) {
		t.Errorf("got  % X\nwant % X", got, want)
	}
}

func TestQRNativeStoreLengthUsesHighByte(t *testing.T) {
	data := strings.Repeat("A", 300)
	got, err := QRNativeCommand(data, 20, QRLevelL)
	if err != nil {
		t.Fatal(err)
	}
	store := h(t, "1D 28 6B 2F 01 31 50 30") // 303 = 0x012F
	if !bytes.Contains(got, store) {
		t.Errorf("store header % X not found", store)
	}
	if size := h(t, "1D 28 6B 03 00 31 43 10"); !bytes.Contains(got, size) {
		t.Errorf("module size not clamped to 16: % X", got)
	}
}

func TestQRErrors(t *testing.T) {
	huge := strings.Repeat("\xff", 3000) // more than a version 40 code holds
	if _, err := QRNativeCommand(huge, 6, QRLevelM); !errors.Is(err, ErrQRTooLarge) {
		t.Errorf("native huge: err = %v, want ErrQRTooLarge", err)
	}
	if _, err := QRRasterCommand(huge, 6, 384, QRLevelM); !errors.Is(err, ErrQRTooLarge) {
		t.Errorf("raster huge: err = %v, want ErrQRTooLarge", err)
	}
	if _, err := QRRasterCommand("http://10.42.0.1/o/1", 6, 20, QRLevelM); !errors.Is(err, ErrQRTooLarge) {
		t.Errorf("raster in 20 dots: err = %v, want ErrQRTooLarge", err)
	}
	if _, err := QRNativeCommand("", 6, QRLevelM); err == nil {
		t.Error("native empty: no error")
	}
	if _, err := QRNativeCommand("x", 6, QRLevel(9)); err == nil {
		t.Error("native bad level: no error")
	}
}

func TestRaster(t *testing.T) {
	img := NewBitmap(10, 2)
	img.Set(0, 0)
	img.Set(9, 0)
	img.Set(8, 1)
	img.Set(10, 1) // outside: ignored
	img.Set(-1, 0) // outside: ignored
	want := h(t, "1D 76 30 00 02 00 02 00 80 40 00 80")
	if got := Raster(img); !bytes.Equal(got, want) {
		t.Errorf("got % X, want % X", got, want)
	}
	if !img.Black(9, 0) || img.Black(1, 0) || img.Black(20, 20) {
		t.Error("Black disagrees with Set")
	}
}

func TestQRRasterShrinksToFit(t *testing.T) {
	const url = "http://10.42.0.1/o/8f3a2c?t=0b1c2d3e4f"
	one, err := QRBitmap(url, 1, QRLevelM)
	if err != nil {
		t.Fatal(err)
	}
	modules := one.Width
	cmd, err := QRRasterCommand(url, 8, 3*modules+2, QRLevelM)
	if err != nil {
		t.Fatal(err)
	}
	if x := int(cmd[4]) | int(cmd[5])<<8; x != (3*modules+7)/8 {
		t.Errorf("width %d bytes, want %d (3 dots per module)", x, (3*modules+7)/8)
	}
	if y := int(cmd[6]) | int(cmd[7])<<8; y != 3*modules {
		t.Errorf("height %d, want %d", y, 3*modules)
	}
	// Each module is scale×scale dots.
	big, _ := QRBitmap(url, 3, QRLevelM)
	for my := range modules {
		for mx := range modules {
			if big.Black(3*mx+2, 3*my+2) != one.Black(mx, my) {
				t.Fatalf("module %d,%d differs after scaling", mx, my)
			}
		}
	}
}

func TestTextSettings(t *testing.T) {
	var p Paper
	for _, s := range []string{"58", "58mm", " 58 MM "} {
		if err := p.UnmarshalText([]byte(s)); err != nil || p != Paper58mm {
			t.Errorf("paper %q = %v, %v", s, p, err)
		}
	}
	if err := p.UnmarshalText([]byte("72mm")); err == nil {
		t.Error("paper 72mm accepted")
	}
	if Paper58mm.Dots() != 384 || Paper58mm.Columns() != 32 || Paper80mm.Dots() != 576 || Paper80mm.Columns() != 48 {
		t.Error("paper geometry wrong")
	}
	if b, _ := Paper80mm.MarshalText(); string(b) != "80mm" {
		t.Errorf("paper text %q", b)
	}

	var m QRMode
	if err := m.UnmarshalText([]byte("Native")); err != nil || m != QRNative {
		t.Errorf("qr native = %v, %v", m, err)
	}
	if err := m.UnmarshalText([]byte("raster")); err != nil || m != QRRaster {
		t.Errorf("qr raster = %v, %v", m, err)
	}
	if err := m.UnmarshalText([]byte("bitmap")); err == nil {
		t.Error("qr bitmap accepted")
	}

	var cp CodePage
	if err := cp.UnmarshalText([]byte("pc850")); err != nil || cp.Table != 2 {
		t.Errorf("code page pc850 = %v, %v", cp, err)
	}
	if err := cp.UnmarshalText([]byte("UTF-8")); err == nil || !strings.Contains(err.Error(), "PC858") {
		t.Errorf("code page UTF-8: err = %v, want a list of choices", err)
	}
}
