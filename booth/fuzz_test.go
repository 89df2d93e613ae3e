package booth

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzLoad feeds Load arbitrary files. Whatever the file, Load must not
// panic, must report problems only as Errors naming the file, and must
// return settings that Load itself accepts when they are written out again.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(good))
	f.Add(Example)
	f.Add(windows(good))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "booth.toml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T %v is not a non-empty booth.Errors", err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
			for _, e := range es {
				if e.File != path || e.Problem == "" || e.Line < 0 || e.Line > lines {
					t.Fatalf("malformed problem %+v for a file of %d lines", e, lines)
				}
			}
		}
		again := filepath.Join(dir, "again.toml")
		if err := os.WriteFile(again, render(t, cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg2, err := Load(again)
		if err != nil {
			t.Fatalf("the settings Load returned are refused when read back: %v\n%s", err, render(t, cfg))
		}
		if cfg2 != cfg {
			t.Fatalf("read back %+v, want %+v", cfg2, cfg)
		}
	})
}

// render writes cfg out as a booth.toml.
func render(t *testing.T, cfg Config) []byte {
	t.Helper()
	type file struct {
		Name          string `toml:"name"`
		Language      string `toml:"language"`
		AdminPassword string `toml:"admin_password"`
		WiFi          struct {
			SSID     string `toml:"ssid"`
			Password string `toml:"password"`
			Country  string `toml:"country"`
			Channel  int    `toml:"channel"`
		} `toml:"wifi"`
		Network struct {
			Address      string `toml:"address"`
			Hostname     string `toml:"hostname"`
			ServeDHCPDNS bool   `toml:"serve_dhcp_dns"`
		} `toml:"network"`
	}
	var f file
	f.Name, f.Language, f.AdminPassword = cfg.Name, string(cfg.Language), cfg.AdminPassword
	f.WiFi.SSID, f.WiFi.Password, f.WiFi.Country, f.WiFi.Channel = cfg.WiFi.SSID, cfg.WiFi.Password, cfg.WiFi.Country, cfg.WiFi.Channel
	f.Network.Address, f.Network.Hostname, f.Network.ServeDHCPDNS = cfg.Network.Address.String(), cfg.Network.Hostname, cfg.Network.ServeDHCPDNS
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
