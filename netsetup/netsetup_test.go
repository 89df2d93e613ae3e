package netsetup

import (
	"bytes"
	"encoding/hex"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coffeebar/kiosk/booth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// withWiFi returns the default settings with the Wi-Fi changed.
func withWiFi(ssid, password, country string, channel int) booth.Config {
	c := booth.Default()
	c.WiFi = booth.WiFi{SSID: ssid, Password: password, Country: country, Channel: channel}
	return c
}

// onCable returns settings for a box on Ethernet at 192.168.8.2/24.
func onCable(serve bool) booth.Config {
	c := booth.Default()
	c.Network = booth.Network{
		Address:      netip.MustParsePrefix("192.168.8.2/24"),
		Hostname:     "kaffee.lan",
		ServeDHCPDNS: serve,
	}
	return c
}

var goldenCases = []struct {
	name string
	cfg  booth.Config
	opt  Options
}{
	{"open-de-channel-6", booth.Default(), Options{WiFiAP, "wlan0"}},
	{"wpa2-de-channel-13", withWiFi("Kaffee Halle 3", "crema-2-go! #1", "DE", 13), Options{WiFiAP, "wlan0"}},
	{"wpa2-us-channel-11", withWiFi("Coffee Hall B", "espresso2go", "US", 11), Options{WiFiAP, "wlan1"}},
	{"open-de-5ghz-channel-36", withWiFi("Café Süd", "", "DE", 36), Options{WiFiAP, "wlan0"}},
	{"ethernet-serving-dhcp-dns", onCable(true), Options{Ethernet, "eth0"}},
	{"ethernet-behind-router", onCable(false), Options{Ethernet, "eth0"}},
}

// TestGolden compares every file of every case with testdata/<case>/. A
// file the plan removes must have no golden file. Run with -update after a
// deliberate change and read the diff.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Plan(tc.cfg, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", tc.name)
			if *update {
				os.RemoveAll(dir)
				os.MkdirAll(dir, 0o755)
			}
			for _, f := range files {
				golden := filepath.Join(dir, filepath.Base(f.Path))
				if *update && f.Data != nil {
					if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				switch {
				case f.Data == nil && err == nil:
					t.Errorf("%s: the plan removes it but %s exists", f.Path, golden)
				case f.Data == nil:
				case err != nil:
					t.Errorf("%s: %v (run go test -update)", f.Path, err)
				case !bytes.Equal(f.Data, want):
					t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", f.Path, golden, f.Data, want)
				}
			}
		})
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	for _, tc := range goldenCases {
		a, err := Plan(tc.cfg, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Plan(tc.cfg, tc.opt)
		for i := range a {
			if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
				t.Errorf("%s: %s differs between two runs", tc.name, a[i].Path)
			}
		}
	}
}

func TestPlanFilesPerMode(t *testing.T) {
	tests := []struct {
		name    string
		cfg     booth.Config
		opt     Options
		present []string
	}{
		{"wifi serves DHCP and DNS even when booth.toml says not", onCable(false), Options{WiFiAP, "wlan0"},
			[]string{HostapdPath, DnsmasqPath, NetworkdPath, NMPath}},
		{"ethernet serving", onCable(true), Options{Ethernet, "eth0"},
			[]string{DnsmasqPath, NetworkdPath, NMPath}},
		{"ethernet behind a router", onCable(false), Options{Ethernet, "eth0"},
			[]string{NetworkdPath, NMPath}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Plan(tc.cfg, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			var present []string
			for _, f := range files {
				if f.Data != nil {
					present = append(present, f.Path)
				}
			}
			if !slices.Equal(present, tc.present) {
				t.Errorf("files written: %v, want %v", present, tc.present)
			}
		})
	}
}

// directives returns the keys of a key=value file, skipping comments.
func directives(data []byte) []string {
	var keys []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, _, _ := strings.Cut(line, "=")
		keys = append(keys, k)
	}
	return keys
}

var openKeys = []string{"interface", "driver", "ctrl_interface", "ctrl_interface_group", "ssid", "utf8_ssid",
	"ignore_broadcast_ssid", "country_code", "ieee80211d", "hw_mode", "channel", "ieee80211n", "wmm_enabled",
	"ap_isolate", "ap_max_inactivity", "auth_algs", "macaddr_acl", "wpa"}

// TestNothingBreaksOutOfALine feeds names and passwords built to add a
// directive (turning off isolation or the password) and checks each is
// either refused or written so that the file's directives stay exactly the
// expected ones.
func TestNothingBreaksOutOfALine(t *testing.T) {
	evil := []string{
		"Coffee\nap_isolate=0",
		"Coffee\rwpa=0",
		"Coffee\r\nwpa=0",
		"\nwpa=0",
		"Coffee\x00wpa=0",
		"Coffee\x85wpa=0",
		"Coffee\u0085wpa=0",
		"Coffee\u2028wpa=0",
		"Coffee\tx",
		"Coffee\x7f",
		"\xff\xfe\nwpa=0",
	}
	for _, ssid := range evil {
		out, err := Hostapd(booth.WiFi{SSID: ssid, Country: "DE", Channel: 6}, "wlan0")
		if err != nil {
			continue
		}
		got := directives(out)
		if i := slices.Index(got, "ssid2"); i >= 0 {
			got[i] = "ssid"
		}
		if !slices.Equal(got, openKeys) {
			t.Errorf("SSID %q gave directives %v", ssid, got)
		}
		if !bytes.Contains(out, []byte("ssid2="+hex.EncodeToString([]byte(ssid))+"\n")) {
			t.Errorf("SSID %q was not hex-encoded:\n%s", ssid, out)
		}
	}
	for _, ssid := range []string{"Coffee\nap_isolate=0", "Coffee\rwpa=0", "x\x00", "x\u0085"} {
		if _, err := Hostapd(booth.WiFi{SSID: ssid, Country: "DE", Channel: 6}, "wlan0"); err == nil {
			t.Errorf("SSID %q with a control character was accepted", ssid)
		}
	}
	for _, pw := range []string{"espresso\nwpa=0", "espresso\rwpa=0", "espresso\x00xx", "espressö-long"} {
		if _, err := Hostapd(booth.WiFi{SSID: "Coffee", Password: pw, Country: "DE", Channel: 6}, "wlan0"); err == nil {
			t.Errorf("password %q was accepted", pw)
		}
	}
	for _, iface := range []string{"wlan0\nap_isolate=0", "wlan 0", "", "verylonginterface0", ".."} {
		if _, err := Plan(booth.Default(), Options{WiFiAP, iface}); err == nil {
			t.Errorf("interface %q was accepted", iface)
		}
	}
	for _, host := range []string{"coffee.lan\naddress=/#/1.1.1.1", "coffee.lan,1.1.1.1", "Coffee.lan", "coffee..lan", "-coffee.lan", "coffee.lan/x", ""} {
		c := booth.Default()
		c.Network.Hostname = host
		if _, err := Plan(c, Options{WiFiAP, "wlan0"}); err == nil {
			t.Errorf("host name %q was accepted", host)
		}
	}
}

func TestSSIDEncoding(t *testing.T) {
	tests := []struct{ ssid, line string }{
		{"CoffeeBar", "ssid=CoffeeBar\n"},
		{"Coffee # Bar = yes", "ssid=Coffee # Bar = yes\n"},
		{`"quoted"`, "ssid=\"quoted\"\n"},
		{" Coffee", "ssid2=20436f66666565\n"},
		{"Café", "ssid2=436166c3a9\n"},
		{"☕", "ssid2=e29895\n"},
	}
	for _, tc := range tests {
		got, err := ssidLine(tc.ssid)
		if err != nil || got != tc.line {
			t.Errorf("ssidLine(%q) = %q, %v; want %q", tc.ssid, got, err, tc.line)
		}
	}
	if _, err := ssidLine(strings.Repeat("x", 33)); err == nil {
		t.Error("a 33-byte SSID was accepted")
	}
	if _, err := ssidLine(""); err == nil {
		t.Error("an empty SSID was accepted")
	}
}

func TestChannels(t *testing.T) {
	tests := []struct {
		country string
		channel int
		band    string // "" for refused
	}{
		{"DE", 1, "g"}, {"DE", 13, "g"}, {"DE", 14, ""}, {"JP", 14, "g"},
		{"US", 11, "g"}, {"US", 12, ""}, {"US", 13, ""}, {"CA", 13, ""},
		{"DE", 36, "a"}, {"US", 48, "a"}, {"DE", 52, ""}, {"DE", 0, ""}, {"DE", 15, ""},
		{"de", 6, ""}, {"D", 6, ""}, {"DE\n", 6, ""},
	}
	for _, tc := range tests {
		band, err := checkChannel(tc.country, tc.channel)
		if band != tc.band || (tc.band == "") != (err != nil) {
			t.Errorf("checkChannel(%q, %d) = %q, %v; want %q", tc.country, tc.channel, band, err, tc.band)
		}
	}
}

func TestDHCPRange(t *testing.T) {
	tests := []struct{ prefix, lo, hi string }{
		{"10.42.0.1/24", "10.42.0.11", "10.42.0.254"},
		{"192.168.8.2/24", "192.168.8.12", "192.168.8.254"},
		{"192.168.4.254/24", "192.168.4.10", "192.168.4.253"},
		{"192.168.4.100/24", "192.168.4.110", "192.168.4.254"},
		{"10.0.0.1/29", "10.0.0.2", "10.0.0.6"},
		{"10.0.0.6/30", "10.0.0.5", "10.0.0.5"},
		{"172.16.0.1/16", "172.16.0.11", "172.16.255.254"},
	}
	for _, tc := range tests {
		lo, hi := dhcpRange(netip.MustParsePrefix(tc.prefix))
		if lo.String() != tc.lo || hi.String() != tc.hi {
			t.Errorf("dhcpRange(%s) = %s-%s, want %s-%s", tc.prefix, lo, hi, tc.lo, tc.hi)
		}
	}
	if m := netmask(netip.MustParsePrefix("10.42.0.1/22")); m.String() != "255.255.252.0" {
		t.Errorf("netmask /22 = %s", m)
	}
}

func TestPlanRefusesBadModeAndAddress(t *testing.T) {
	if _, err := Plan(booth.Default(), Options{"bridge", "wlan0"}); err == nil {
		t.Error("an unknown mode was accepted")
	}
	for _, p := range []string{"10.42.0.0/24", "10.42.0.255/24", "10.42.0.1/31"} {
		c := booth.Default()
		c.Network.Address = netip.MustParsePrefix(p)
		if _, err := Plan(c, Options{WiFiAP, "wlan0"}); err == nil {
			t.Errorf("address %s was accepted", p)
		}
	}
	c := booth.Default()
	c.Network.Address = netip.Prefix{}
	if _, err := Plan(c, Options{WiFiAP, "wlan0"}); err == nil {
		t.Error("a missing address was accepted")
	}
}

// FuzzHostapd checks that no SSID or password, whatever its bytes, changes
// the set of directives in hostapd.conf.
func FuzzHostapd(f *testing.F) {
	f.Add("CoffeeBar", "")
	f.Add("Café\nwpa=0", "espresso2go")
	f.Add("x", "espresso\nwpa=0")
	f.Fuzz(func(t *testing.T, ssid, password string) {
		out, err := Hostapd(booth.WiFi{SSID: ssid, Password: password, Country: "DE", Channel: 6}, "wlan0")
		if err != nil {
			return
		}
		want := openKeys
		if password != "" {
			want = append(slices.Clone(openKeys[:len(openKeys)-1]), "wpa", "wpa_key_mgmt", "rsn_pairwise", "wpa_passphrase")
		}
		got := directives(out)
		if i := slices.Index(got, "ssid2"); i >= 0 {
			got[i] = "ssid"
		}
		if !slices.Equal(got, want) {
			t.Fatalf("SSID %q, password %q gave directives %v", ssid, password, got)
		}
	})
}
