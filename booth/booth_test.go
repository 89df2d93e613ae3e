package booth

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// write puts content in a booth.toml in a fresh directory and returns its path.
func write(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "booth.toml")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problems returns the errors Load reported, failing if err is not Errors.
func problems(t *testing.T, err error) Errors {
	t.Helper()
	if err == nil {
		return nil
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, want booth.Errors: %v", err, err)
	}
	return es
}

const good = `name = "Kaffeebar Halle 3"
language = "de"
admin_password = "correct horse battery"

[wifi]
ssid = "Kaffee Halle 3"
password = "crema-2-go!"
country = "at"
channel = 11

[network]
address = "192.168.50.1/24"
hostname = "Kaffee.Lan."
serve_dhcp_dns = false
`

func TestLoadGoodFile(t *testing.T) {
	cfg, err := Load(write(t, []byte(good)))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Name:          "Kaffeebar Halle 3",
		Language:      German,
		AdminPassword: "correct horse battery",
		WiFi:          WiFi{SSID: "Kaffee Halle 3", Password: "crema-2-go!", Country: "AT", Channel: 11},
		Network: Network{
			Address:      netip.MustParsePrefix("192.168.50.1/24"),
			Hostname:     "kaffee.lan",
			ServeDHCPDNS: false,
		},
	}
	if cfg != want {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
	if cfg.WiFi.Open() {
		t.Error("a Wi-Fi with a password reports Open")
	}
}

func TestExampleFileGivesTheDefaults(t *testing.T) {
	cfg, err := Load("booth.example.toml")
	if err != nil {
		t.Fatalf("the example file has problems: %v", err)
	}
	if cfg != Default() {
		t.Errorf("the example file says %+v, the defaults are %+v", cfg, Default())
	}
	onDisk, err := os.ReadFile("booth.example.toml")
	if err != nil || !bytes.Equal(onDisk, Example) {
		t.Errorf("Example does not hold booth.example.toml (read error %v)", err)
	}
	if !Default().WiFi.Open() {
		t.Error("the default Wi-Fi is not open")
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "booth.toml")
	cfg, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want one matching fs.ErrNotExist", err)
	}
	if cfg != Default() {
		t.Errorf("config %+v, want the defaults", cfg)
	}
	msg := err.Error()
	for _, part := range []string{path, "missing", "booth.example.toml", "default settings"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q does not mention %q", msg, part)
		}
	}
}

func TestLoadEmptyFiles(t *testing.T) {
	for name, content := range map[string]string{
		"empty":         "",
		"only comments": "# nothing set yet\n\n   # still nothing\n",
		"only sections": "[wifi]\n[network]\n",
		"only a BOM":    "\xEF\xBB\xBF",
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Load(write(t, []byte(content)))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg != Default() {
				t.Errorf("config %+v, want the defaults", cfg)
			}
		})
	}
}

// windows turns a file into what Notepad saves: a UTF-8 byte order mark
// and CR LF line ends.
func windows(s string) []byte {
	return []byte("\xEF\xBB\xBF" + strings.ReplaceAll(s, "\n", "\r\n"))
}

func TestLoadNotepadFiles(t *testing.T) {
	utf16le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(strings.ReplaceAll(s, "\n", "\r\n"))) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	utf16be := func(s string) []byte {
		b := []byte{0xFE, 0xFF}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	files := map[string][]byte{
		"UTF-8 with BOM and CR LF": windows(good),
		"CR LF without BOM":        []byte(strings.ReplaceAll(good, "\n", "\r\n")),
		"old Mac CR":               []byte(strings.ReplaceAll(good, "\n", "\r")),
		"UTF-16 little endian":     utf16le(good),
		"UTF-16 big endian":        utf16be(good),
	}
	want, err := Load(write(t, []byte(good)))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			cfg, err := Load(write(t, content))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg != want {
				t.Errorf("got  %+v\nwant %+v", cfg, want)
			}
		})
	}

	t.Run("line numbers survive CR LF and the BOM", func(t *testing.T) {
		_, err := Load(write(t, windows("name = \"x\"\n\n[wifi]\npassword = \"short\"\n")))
		es := problems(t, err)
		if len(es) != 1 || es[0].Line != 4 || es[0].Key != "wifi.password" {
			t.Fatalf("got %v, want one problem with wifi.password on line 4", err)
		}
	})
}

func TestLoadMistakes(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		key     string
		line    int
		problem string              // a part of the message
		check   func(c Config) bool // the fallback was used and the rest kept
	}{
		{
			name: "Wi-Fi password too short", key: "wifi.password", line: 3, problem: "5 characters",
			file:  "[wifi]\nssid = \"Beans\"\npassword = \"12345\"\n",
			check: func(c Config) bool { return c.WiFi.Open() && c.WiFi.SSID == "Beans" },
		},
		{
			name: "Wi-Fi password too long", key: "wifi.password", line: 2, problem: "64 characters",
			file:  "[wifi]\npassword = \"" + strings.Repeat("a", 64) + "\"\n",
			check: func(c Config) bool { return c.WiFi.Open() },
		},
		{
			name: "Wi-Fi password with an umlaut", key: "wifi.password", line: 2, problem: `"ü"`,
			file:  "[wifi]\npassword = \"Kaffeemühle\"\n",
			check: func(c Config) bool { return c.WiFi.Open() },
		},
		{
			name: "Wi-Fi password with a tab", key: "wifi.password", line: 2, problem: "invisible",
			file:  "[wifi]\npassword = \"abc\tdefgh\"\n",
			check: func(c Config) bool { return c.WiFi.Open() },
		},
		{
			name: "empty SSID", key: "wifi.ssid", line: 2, problem: "empty",
			file:  "[wifi]\nssid = \"\"\n",
			check: func(c Config) bool { return c.WiFi.SSID == DefaultSSID },
		},
		{
			name: "SSID too long in bytes", key: "wifi.ssid", line: 2, problem: "34 bytes",
			file:  "[wifi]\nssid = \"" + strings.Repeat("ä", 17) + "\"\n",
			check: func(c Config) bool { return c.WiFi.SSID == DefaultSSID },
		},
		{
			name: "SSID with a trailing space", key: "wifi.ssid", line: 2, problem: "space",
			file:  "[wifi]\nssid = \"Coffee \"\n",
			check: func(c Config) bool { return c.WiFi.SSID == DefaultSSID },
		},
		{
			name: "country of three letters", key: "wifi.country", line: 2, problem: "two-letter code",
			file:  "[wifi]\ncountry = \"DEU\"\nchannel = 1\n",
			check: func(c Config) bool { return c.WiFi.Country == DefaultCountry && c.WiFi.Channel == 1 },
		},
		{
			name: "country that does not exist", key: "wifi.country", line: 2, problem: `"XY"`,
			file:  "[wifi]\ncountry = \"XY\"\n",
			check: func(c Config) bool { return c.WiFi.Country == DefaultCountry },
		},
		{
			name: "channel out of range", key: "wifi.channel", line: 2, problem: "no Wi-Fi channel 15",
			file:  "[wifi]\nchannel = 15\n",
			check: func(c Config) bool { return c.WiFi.Channel == DefaultChannel },
		},
		{
			name: "channel needing radar detection", key: "wifi.channel", line: 2, problem: "radar",
			file:  "[wifi]\nchannel = 100\n",
			check: func(c Config) bool { return c.WiFi.Channel == DefaultChannel },
		},
		{
			name: "channel 13 in the US", key: "wifi.channel", line: 3, problem: "not allowed in US",
			file:  "[wifi]\ncountry = \"US\"\nchannel = 13\n",
			check: func(c Config) bool { return c.WiFi.Channel == DefaultChannel && c.WiFi.Country == "US" },
		},
		{
			name: "channel 14 outside Japan", key: "wifi.channel", line: 2, problem: "only in Japan",
			file:  "[wifi]\nchannel = 14\n",
			check: func(c Config) bool { return c.WiFi.Channel == DefaultChannel },
		},
		{
			name: "channel in quotes", key: "wifi.channel", line: 2, problem: `without quotes, like channel = 6, but it is the text "6"`,
			file:  "[wifi]\nchannel = \"6\"\n",
			check: func(c Config) bool { return c.WiFi.Channel == DefaultChannel },
		},
		{
			name: "SSID as a number", key: "wifi.ssid", line: 2, problem: "needs text in double quotes",
			file:  "[wifi]\nssid = 12345\n",
			check: func(c Config) bool { return c.WiFi.SSID == DefaultSSID },
		},
		{
			name: "yes instead of true", key: "network.serve_dhcp_dns", line: 2, problem: "true or false",
			file:  "[network]\nserve_dhcp_dns = \"yes\"\n",
			check: func(c Config) bool { return c.Network.ServeDHCPDNS },
		},
		{
			name: "language not offered", key: "language", line: 1, problem: `"fr"`,
			file:  "language = \"fr\"\nname = \"Bar\"\n",
			check: func(c Config) bool { return c.Language == English && c.Name == "Bar" },
		},
		{
			name: "empty booth name", key: "name", line: 1, problem: "empty",
			file:  "name = \"  \"\n",
			check: func(c Config) bool { return c.Name == DefaultName },
		},
		{
			name: "booth name too long", key: "name", line: 1, problem: "41 characters",
			file:  "name = \"" + strings.Repeat("x", 41) + "\"\n",
			check: func(c Config) bool { return c.Name == DefaultName },
		},
		{
			name: "admin password too short", key: "admin_password", line: 1, problem: "at least 8",
			file:  "admin_password = \"1234\"\n",
			check: func(c Config) bool { return c.AdminPassword == "" },
		},
		{
			name: "address not an address", key: "network.address", line: 2, problem: "not an IPv4 address",
			file:  "[network]\naddress = \"10.42.0\"\n",
			check: func(c Config) bool { return c.Network.Address == netip.MustParsePrefix(DefaultAddress) },
		},
		{
			name: "public address", key: "network.address", line: 2, problem: "not a private",
			file:  "[network]\naddress = \"8.8.8.8\"\n",
			check: func(c Config) bool { return c.Network.Address == netip.MustParsePrefix(DefaultAddress) },
		},
		{
			name: "network's own number", key: "network.address", line: 2, problem: "10.42.0.1",
			file:  "[network]\naddress = \"10.42.0.0/24\"\n",
			check: func(c Config) bool { return c.Network.Address == netip.MustParsePrefix(DefaultAddress) },
		},
		{
			name: "broadcast address", key: "network.address", line: 2, problem: "broadcast",
			file:  "[network]\naddress = \"192.168.4.255/24\"\n",
			check: func(c Config) bool { return c.Network.Address == netip.MustParsePrefix(DefaultAddress) },
		},
		{
			name: ".local host name", key: "network.hostname", line: 2, problem: ".local",
			file:  "[network]\nhostname = \"coffee.local\"\n",
			check: func(c Config) bool { return c.Network.Hostname == DefaultHostname },
		},
		{
			name: "host name without a dot", key: "network.hostname", line: 2, problem: "needs a dot",
			file:  "[network]\nhostname = \"coffee\"\n",
			check: func(c Config) bool { return c.Network.Hostname == DefaultHostname },
		},
		{
			name: "host name as a URL", key: "network.hostname", line: 2, problem: "http://",
			file:  "[network]\nhostname = \"http://coffee.lan/\"\n",
			check: func(c Config) bool { return c.Network.Hostname == DefaultHostname },
		},
		{
			name: "host name on an HTTPS-only domain", key: "network.hostname", line: 2, problem: ".dev",
			file:  "[network]\nhostname = \"coffee.dev\"\n",
			check: func(c Config) bool { return c.Network.Hostname == DefaultHostname },
		},
		{
			name: "host name with an underscore", key: "network.hostname", line: 2, problem: "only letters",
			file:  "[network]\nhostname = \"coffee_bar.lan\"\n",
			check: func(c Config) bool { return c.Network.Hostname == DefaultHostname },
		},
		{
			name: "unknown key with a typo", key: "wifi.pasword", line: 3, problem: `Did you mean "password"?`,
			file:  "[wifi]\nssid = \"Beans\"\npasword = \"secret123\"\n",
			check: func(c Config) bool { return c.WiFi.Open() && c.WiFi.SSID == "Beans" },
		},
		{
			name: "key in the wrong section", key: "ssid", line: 1, problem: "belongs in the [wifi] section",
			file:  "ssid = \"Beans\"\n",
			check: func(c Config) bool { return c.WiFi.SSID == DefaultSSID },
		},
		{
			name: "top-level key inside a section", key: "network.language", line: 2, problem: "top of the file",
			file:  "[network]\nlanguage = \"de\"\n",
			check: func(c Config) bool { return c.Language == English },
		},
		{
			name: "unknown section", key: "wi-fi", line: 1, problem: "Did you mean [wifi]?",
			file:  "[wi-fi]\nssid = \"Beans\"\n",
			check: func(c Config) bool { return c.WiFi.SSID == DefaultSSID },
		},
		{
			name: "section written as a value", key: "wifi", line: 1, problem: "is a section",
			file:  "wifi = \"Beans\"\n",
			check: func(c Config) bool { return c == Default() },
		},
		{
			name: "unknown key nobody could mean", key: "network.gateway", line: 3, problem: "booth.example.toml",
			file:  "[network]\n\ngateway = \"10.42.0.254\"\n",
			check: func(c Config) bool { return c == Default() },
		},
		{
			name: "inline table", key: "wifi.password", line: 1, problem: "it needs 8 to 63",
			file:  "wifi = { ssid = \"Beans\", password = \"abc\" }\n",
			check: func(c Config) bool { return c.WiFi.SSID == "Beans" && c.WiFi.Open() },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, []byte(tt.file))
			cfg, err := Load(path)
			es := problems(t, err)
			if len(es) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(es), err)
			}
			e := es[0]
			if e.Key != tt.key || e.Line != tt.line || e.File != path {
				t.Errorf("problem at %s line %d key %q, want %s line %d key %q", e.File, e.Line, e.Key, path, tt.line, tt.key)
			}
			if !strings.Contains(e.Problem, tt.problem) {
				t.Errorf("problem %q does not say %q", e.Problem, tt.problem)
			}
			if !strings.HasPrefix(e.Error(), path+", line ") || !strings.Contains(e.Error(), tt.key+": ") {
				t.Errorf("message %q does not start with the file, line and key", e.Error())
			}
			if !tt.check(cfg) {
				t.Errorf("config after the mistake is %+v", cfg)
			}
		})
	}
}

func TestLoadSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, file string
		line       int
		problem    string
	}{
		{"text without quotes", "[wifi]\nssid = CoffeeBar\n", 2, "missing its double quotes"},
		{"curly quotes", "name = “Coffee”\n", 1, "curly quotes"},
		{"missing closing quote", "name = \"Coffee\nlanguage = \"en\"\n", 1, "closing double quote"},
		{"setting twice", "[wifi]\nchannel = 1\nchannel = 6\n", 3, "appears twice"},
		{"section twice", "[wifi]\n[network]\n[wifi]\n", 3, "appears twice"},
		{"backslash", "admin_password = \"a\\qbcdefgh\"\n", 1, "backslash"},
		{"broken section line", "[wifi\nssid = \"a\"\n", 2, "square brackets"},
		{"two values on a line", "[wifi]\nchannel = 6 11\n", 2, "something extra"},
		{"no name before =", "= 3\n", 1, "starts with"},
		{"huge number", "[wifi]\nchannel = 99999999999999999999\n", 2, "too large"},
		{"old Windows encoding", "name = \"Caf\xe9\"\n", 1, "UTF-8"},
		{"UTF-16 without a byte order mark", "n\x00a\x00", 1, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, []byte(tt.file))
			cfg, err := Load(path)
			es := problems(t, err)
			if len(es) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(es), err)
			}
			if es[0].Line != tt.line || !strings.Contains(es[0].Problem, tt.problem) {
				t.Errorf("got line %d %q, want line %d and %q", es[0].Line, es[0].Problem, tt.line, tt.problem)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "default settings") {
				t.Errorf("message %q does not name the file and the fallback", err)
			}
			if cfg != Default() {
				t.Errorf("a file that cannot be read gave %+v, want the defaults", cfg)
			}
		})
	}
}

func TestLoadReportsEveryProblemInLineOrder(t *testing.T) {
	file := `language = "fr"
name = "Good Name"

[network]
hostname = "coffee.local"

[wifi]
password = "short"
channel = 6
`
	cfg, err := Load(write(t, []byte(file)))
	es := problems(t, err)
	var keys []string
	for _, e := range es {
		keys = append(keys, e.Key)
	}
	if got := strings.Join(keys, " "); got != "language network.hostname wifi.password" {
		t.Errorf("problems for %q, want language, network.hostname, wifi.password in that order", got)
	}
	if cfg.Name != "Good Name" || cfg.WiFi.Channel != 6 {
		t.Errorf("good settings were lost: %+v", cfg)
	}
	if n := strings.Count(err.Error(), "\n"); n != 2 {
		t.Errorf("the message has %d line breaks, want one line per problem:\n%v", n, err)
	}
}

func TestAddressWithoutSizeIsSlash24(t *testing.T) {
	cfg, err := Load(write(t, []byte("[network]\naddress = \"192.168.4.1\"\n")))
	if err != nil {
		t.Fatal(err)
	}
	if want := netip.MustParsePrefix("192.168.4.1/24"); cfg.Network.Address != want {
		t.Errorf("address %v, want %v", cfg.Network.Address, want)
	}
}

func TestChannelInJapanAndUK(t *testing.T) {
	cfg, err := Load(write(t, []byte("[wifi]\ncountry = \"JP\"\nchannel = 14\n")))
	if err != nil || cfg.WiFi.Channel != 14 {
		t.Errorf("channel 14 in Japan: %v, %+v", err, cfg.WiFi)
	}
	cfg, err = Load(write(t, []byte("[wifi]\ncountry = \"uk\"\nchannel = 13\n")))
	if err != nil || cfg.WiFi.Country != "GB" || cfg.WiFi.Channel != 13 {
		t.Errorf("UK: %v, %+v; want country GB, channel 13", err, cfg.WiFi)
	}
}

func TestLogValueMasksPasswords(t *testing.T) {
	cfg, err := Load(write(t, []byte(good)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "booth", cfg)
	out := buf.String()
	for _, secret := range []string{cfg.AdminPassword, cfg.WiFi.Password} {
		if strings.Contains(out, secret) {
			t.Errorf("log line shows a password: %s", out)
		}
	}
	for _, shown := range []string{"booth.wifi.ssid=\"Kaffee Halle 3\"", "booth.network.hostname=kaffee.lan", "booth.wifi.password=********"} {
		if !strings.Contains(out, shown) {
			t.Errorf("log line %q lacks %q", out, shown)
		}
	}
}

func TestCountryCodesMatchTheSystemList(t *testing.T) {
	data, err := os.ReadFile("/usr/share/zoneinfo/iso3166.tab")
	if err != nil {
		t.Skip("no iso3166.tab on this machine")
	}
	var codes []string
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			codes = append(codes, line[:2])
		}
	}
	if got := strings.Join(codes, " "); got != countryCodes {
		t.Errorf("countryCodes differs from the system's ISO 3166 list:\n%s\n%s", countryCodes, got)
	}
}
