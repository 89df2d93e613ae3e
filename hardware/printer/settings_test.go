package printer

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		errs []string // each must appear; none means valid
	}{
		{"zero value is none", Settings{}, nil},
		{"usb default device", Settings{Kind: KindUSB}, nil},
		{"usb mixed case kind", Settings{Kind: "USB", Address: "/dev/usb/lp1"}, nil},
		{"serial", Settings{Kind: KindSerial, Address: "/dev/ttyUSB0", Baud: 19200}, nil},
		{"network host only", Settings{Kind: KindNetwork, Address: "192.168.4.20"}, nil},
		{"network ipv6", Settings{Kind: KindNetwork, Address: "[fd00::20]:9100"}, nil},
		{"network bare ipv6", Settings{Kind: KindNetwork, Address: "fd00::20"}, nil},
		{"file", Settings{Kind: KindFile, Address: "/var/lib/kiosk/tickets", Paper: escpos.Paper80mm, QR: escpos.QRNative}, nil},

		{"unknown kind", Settings{Kind: "bluetooth"}, []string{`kind "bluetooth"`, "none, usb, serial, network, file"}},
		{"serial without port or baud", Settings{Kind: KindSerial}, []string{"needs its port", "baud rate 0", "self-test page"}},
		{"serial odd baud", Settings{Kind: KindSerial, Address: "/dev/serial0", Baud: 9601}, []string{"baud rate 9601"}},
		{"baud on usb", Settings{Kind: KindUSB, Baud: 9600}, []string{"only for a serial printer"}},
		{"network without address", Settings{Kind: KindNetwork}, []string{"needs an address"}},
		{"network url", Settings{Kind: KindNetwork, Address: "http://192.168.4.20:9100"}, []string{"not a URL"}},
		{"network bad port", Settings{Kind: KindNetwork, Address: "192.168.4.20:99999"}, []string{"port \"99999\""}},
		{"network no host", Settings{Kind: KindNetwork, Address: ":9100"}, []string{"has no host"}},
		{"file without directory", Settings{Kind: KindFile}, []string{"needs a directory"}},
		{"bad paper", Settings{Kind: KindUSB, Paper: 72}, []string{"paper width 72 mm"}},
		{"bad qr", Settings{Kind: KindUSB, QR: 7}, []string{"QR mode 7"}},
		{"all at once", Settings{Kind: KindSerial, Paper: 72}, []string{"needs its port", "baud rate 0", "paper width 72"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if len(tt.errs) == 0 {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors %q", tt.errs)
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate() = %q, want it to say %q", err, want)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	clk := clock.NewFake(epoch)
	dir := filepath.Join(t.TempDir(), "tickets")
	tests := []struct {
		s    Settings
		name string
	}{
		{Settings{Kind: KindUSB}, "usb /dev/usb/lp0"},
		{Settings{Kind: KindSerial, Address: "/dev/ttyUSB0", Baud: 38400}, "serial /dev/ttyUSB0 at 38400 baud"},
		{Settings{Kind: KindNetwork, Address: "192.168.4.20"}, "network 192.168.4.20:9100"},
		{Settings{Kind: KindNetwork, Address: "printer.lan:9101"}, "network printer.lan:9101"},
		{Settings{Kind: KindNetwork, Address: "fd00::20"}, "network [fd00::20]:9100"},
		{Settings{Kind: KindFile, Address: dir}, "file " + dir},
	}
	for _, tt := range tests {
		p, err := New(tt.s, clk)
		if err != nil {
			t.Errorf("New(%+v): %v", tt.s, err)
			continue
		}
		if got := Name(p); got != tt.name {
			t.Errorf("New(%+v) = %q, want %q", tt.s, got, tt.name)
		}
	}
	for _, s := range []Settings{{}, {Kind: KindNone}} {
		if p, err := New(s, clk); !errors.Is(err, ErrDisabled) || p != nil {
			t.Errorf("New(%+v) = %v, %v; want ErrDisabled", s, p, err)
		}
	}
	if _, err := New(Settings{Kind: KindSerial}, clk); err == nil || errors.Is(err, ErrDisabled) {
		t.Errorf("invalid settings: err = %v", err)
	}
}

func TestSettingsLayoutDefaults(t *testing.T) {
	l := Settings{Kind: KindUSB}.Layout()
	if l.Paper != escpos.Paper58mm || l.QR != escpos.QRRaster || l.CodePage.Name != "PC858" {
		t.Errorf("default layout %+v", l)
	}
	l = Settings{Kind: KindUSB, Paper: escpos.Paper80mm, QR: escpos.QRNative, CodePage: escpos.PC850}.Layout()
	if l.Paper != escpos.Paper80mm || l.QR != escpos.QRNative || l.CodePage.Name != "PC850" {
		t.Errorf("layout %+v", l)
	}
}

func TestKindUnmarshalText(t *testing.T) {
	var k Kind
	if err := k.UnmarshalText([]byte(" Network ")); err != nil || k != KindNetwork {
		t.Errorf("Network = %q, %v", k, err)
	}
	if err := k.UnmarshalText([]byte("cups")); err == nil || !strings.Contains(err.Error(), "want one of") {
		t.Errorf("cups: err = %v", err)
	}
}
