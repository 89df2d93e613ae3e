package daemon

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlagsOverrideEnvironmentOverrideDefaults(t *testing.T) {
	cfg, err := Parse("kiosk", []string{"--http", ":9000"}, env(map[string]string{
		"KIOSK_HTTP": ":7000", "KIOSK_DATA": "/srv/booth", "KIOSK_OPEN": "true", "KIOSK_MAX_CLIENTS": "50",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":9000" || cfg.DataDir != "/srv/booth" || !cfg.OpenShop || cfg.MaxClients != 50 {
		t.Fatalf("config %+v", cfg)
	}
	if cfg.MQTTAddr != Defaults.MQTTAddr || cfg.Printer != "file" {
		t.Fatalf("defaults lost: %+v", cfg)
	}
}

func TestBadConfigurationIsRefusedClearly(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--public-url", "http://coffee.local/"}, nil, ".local"},
		{[]string{"--public-url", "ftp://x/"}, nil, "http://"},
		{[]string{"--log-level", "loud"}, nil, "log level"},
		{[]string{"--ticket-when", "never"}, nil, "ticket-when"},
		{[]string{"--data", ""}, nil, "data directory"},
		{nil, map[string]string{"KIOSK_MAX_CLIENTS": "lots"}, "not a number"},
		{[]string{"extra"}, nil, "unexpected argument"},
	} {
		_, err := Parse("kiosk", c.args, env(c.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: err = %v, want %q", c.args, c.env, err, c.want)
		}
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	cfg, _ := Parse("kiosk", []string{"--admin-password", "s3cret-pass"}, env(nil), io.Discard)
	var out bytes.Buffer
	cfg.Print(&out)
	if strings.Contains(out.String(), "s3cret-pass") || !strings.Contains(out.String(), "********") {
		t.Fatalf("printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "KIOSK_PUBLIC_URL") {
		t.Fatalf("no environment names:\n%s", out.String())
	}
}
