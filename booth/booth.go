// Package booth reads booth.toml, the settings file on the SD card's boot
// partition that the person setting up the booth edits on any laptop before
// the first start: the Wi-Fi network, the booth's name and language, the
// admin password and the box's address and host name.
//
// The file is written by people, not programs, so every problem is reported
// in plain words with the file, the line and the setting it concerns, and a
// bad file never stops the box: Load always returns a usable Config, using
// the default for each setting it could not accept.
package booth

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"unicode/utf16"
)

// Language is the language of the customer and barista apps.
type Language string

// The languages the apps are translated into.
const (
	English Language = "en"
	German  Language = "de"
)

// Example is the commented example settings file, booth.example.toml, for
// shipping on the SD card beside booth.toml.
//
//go:embed booth.example.toml
var Example []byte

// Config is the booth's settings as read from booth.toml.
type Config struct {
	// Name is shown on the display and the ordering page.
	Name string
	// Language is the apps' language.
	Language Language
	// AdminPassword protects the admin pages. Empty means the kiosk
	// generates one on first start and shows it to staff.
	AdminPassword string
	// WiFi is the access point the box runs for phones.
	WiFi WiFi
	// Network is how phones reach the box.
	Network Network
}

// WiFi is the booth's own Wi-Fi access point.
type WiFi struct {
	// SSID is the network name phones see (1 to 32 bytes).
	SSID string
	// Password is the WPA2 passphrase; empty means an open network.
	Password string
	// Country is the ISO 3166 two-letter code, upper case; it decides
	// which channels and transmit powers are legal.
	Country string
	// Channel is the radio channel: 1 to 13 (14 in Japan) on 2.4 GHz, or
	// 36, 40, 44 or 48 on 5 GHz.
	Channel int
}

// Open reports whether the Wi-Fi has no password.
func (w WiFi) Open() bool { return w.Password == "" }

// Network is how the box appears on the booth network.
type Network struct {
	// Address is the box's own IPv4 address with the network's size, for
	// example 10.42.0.1/24.
	Address netip.Prefix
	// Hostname is the name the box's DNS answers with Address, used in
	// the QR code. It is never a .local name: many phones do not resolve
	// those.
	Hostname string
	// ServeDHCPDNS says whether the box hands out addresses and answers
	// name lookups. It is false when the box sits on Ethernet behind
	// another access point that does this itself.
	ServeDHCPDNS bool
}

// The defaults, each chosen so a box with no booth.toml works at once.
const (
	// DefaultName is what the display shows until the booth is named.
	DefaultName = "Coffee Bar"
	// DefaultLanguage is English, the conference lingua franca.
	DefaultLanguage = English
	// DefaultSSID is the network name printed on the booth's signs.
	DefaultSSID = "CoffeeBar"
	// DefaultCountry is where the booth is first used; it must be right
	// for the place the box runs, so the example file asks for it.
	DefaultCountry = "DE"
	// DefaultChannel is legal in every country's 2.4 GHz band.
	DefaultChannel = 6
	// DefaultAddress is the box's address on its own Wi-Fi.
	DefaultAddress = "10.42.0.1/24"
	// DefaultHostname is a name no real website uses and no browser turns
	// into a search or forces to HTTPS.
	DefaultHostname = "coffee.lan"
)

// Default returns the settings used when booth.toml is missing or empty:
// an open Wi-Fi network called CoffeeBar on channel 6, the box at
// 10.42.0.1 answering coffee.lan, serving DHCP and DNS itself.
func Default() Config {
	return Config{
		Name:     DefaultName,
		Language: DefaultLanguage,
		WiFi: WiFi{
			SSID:    DefaultSSID,
			Country: DefaultCountry,
			Channel: DefaultChannel,
		},
		Network: Network{
			Address:      netip.MustParsePrefix(DefaultAddress),
			Hostname:     DefaultHostname,
			ServeDHCPDNS: true,
		},
	}
}

// LogValue shows the settings with both passwords masked, so the effective
// configuration can be logged.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("language", string(c.Language)),
		slog.String("admin_password", mask(c.AdminPassword)),
		slog.Group("wifi",
			slog.String("ssid", c.WiFi.SSID),
			slog.String("password", mask(c.WiFi.Password)),
			slog.String("country", c.WiFi.Country),
			slog.Int("channel", c.WiFi.Channel),
		),
		slog.Group("network",
			slog.String("address", c.Network.Address.String()),
			slog.String("hostname", c.Network.Hostname),
			slog.Bool("serve_dhcp_dns", c.Network.ServeDHCPDNS),
		),
	)
}

func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return "********"
}

// Error is one problem in booth.toml, worded for the person who edits it.
type Error struct {
	// File is the path of the settings file.
	File string
	// Line is the line the problem is on, counting from 1, or 0 when the
	// problem is not on one line (a missing file, for instance).
	Line int
	// Key is the setting concerned, such as "wifi.password", or empty.
	Key string
	// Problem says what is wrong and how to fix it, in full sentences.
	Problem string
	// Fallback says what the box uses instead until the file is fixed.
	Fallback string
	// Err is the underlying error, if any, such as fs.ErrNotExist.
	Err error
}

// Error formats the problem as one line for the display and the log, for
// example: booth.toml, line 7, wifi.password: The Wi-Fi password is too
// short. The box uses an open network until this is fixed.
func (e *Error) Error() string {
	var b bytes.Buffer
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ", %s", e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Fallback != "" {
		fmt.Fprintf(&b, " Until this is fixed the box uses %s.", e.Fallback)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errors is every problem found in one booth.toml, in the order of the
// file's lines.
type Errors []*Error

// Error lists the problems, one per line.
func (es Errors) Error() string {
	var b bytes.Buffer
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As look at each problem.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Load reads the settings file at path. It always returns a usable Config:
// settings that are missing take their defaults, and settings that are wrong
// take their defaults too, each reported in the returned error, which is nil
// or of type Errors. The caller shows the error on the display and in the
// log and carries on. A missing file is reported with an error that matches
// fs.ErrNotExist.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		problem := "The settings file could not be read."
		if errors.Is(err, fs.ErrNotExist) {
			problem = "The settings file is missing. Copy booth.example.toml to this name and edit it."
		}
		return Default(), Errors{{File: path, Problem: problem, Fallback: "the default settings", Err: err}}
	}
	return parse(path, data)
}

// normalize turns what editors save into plain UTF-8 with \n line ends: a
// UTF-8 byte order mark is dropped, UTF-16 (Notepad's "Unicode") is decoded,
// and Windows and old Mac line ends become \n, keeping the line count.
func normalize(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF):
		little := data[0] == 0xFF
		data = data[2:]
		units := make([]uint16, len(data)/2)
		for i := range units {
			if little {
				units[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		data = []byte(string(utf16.Decode(units)))
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
}
