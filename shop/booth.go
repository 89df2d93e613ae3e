package shop

import (
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/text"
)

// Booth is what an admin says about the booth itself: its name, the address
// phones reach it at, and the Wi-Fi the display offers as a join code.
// Empty fields mean "as the kiosk was started".
type Booth struct {
	Name         string `json:"name"`
	PublicURL    string `json:"publicUrl"`
	WifiSSID     string `json:"wifiSsid"`
	WifiPassword string `json:"wifiPassword"`
}

// BoothChange is an admin's edit of the booth settings; nil fields stay as
// they are.
type BoothChange struct {
	Name         *string `json:"name"`
	PublicURL    *string `json:"publicUrl"`
	WifiSSID     *string `json:"wifiSsid"`
	WifiPassword *string `json:"wifiPassword"`
}

// Validate checks the booth settings and returns them cleaned.
func (b Booth) Validate() (Booth, error) {
	bad := func(format string, args ...any) (Booth, error) {
		return Booth{}, apperr.BoothInvalid.With(format, args...)
	}
	if b.Name != "" {
		name, ok := text.Clean(b.Name, MaxNameRunes)
		if !ok {
			return bad("The booth's name is 1 to %d characters.", MaxNameRunes)
		}
		b.Name = name
	}
	if b.PublicURL = strings.TrimSpace(b.PublicURL); b.PublicURL != "" {
		u, err := url.Parse(b.PublicURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return bad("The public address must be an http:// address, e.g. http://10.42.0.1/.")
		case strings.HasSuffix(strings.ToLower(u.Hostname()), ".local"):
			return bad("The public address must not use .local: many phones cannot find such names. Use the box's IP address or the short name its DNS serves.")
		case u.RawQuery != "" || u.Fragment != "":
			return bad("The public address must not have a ? or # part.")
		}
	}
	if b.WifiSSID != "" {
		if len(b.WifiSSID) > 32 || !utf8.ValidString(b.WifiSSID) {
			return bad("The Wi-Fi name is at most 32 bytes.")
		}
		// No control character at all, not even a line break: the name
		// ends up in network configuration files and in a QR code.
		if strings.ContainsFunc(b.WifiSSID, unicode.IsControl) || strings.TrimSpace(b.WifiSSID) == "" {
			return bad("The Wi-Fi name has characters a Wi-Fi name cannot have.")
		}
	}
	if b.WifiPassword != "" {
		if b.WifiSSID == "" {
			return bad("A Wi-Fi password needs a Wi-Fi name.")
		}
		if len(b.WifiPassword) < 8 || len(b.WifiPassword) > 63 {
			return bad("A Wi-Fi password is 8 to 63 characters, or empty for an open network.")
		}
		for _, r := range b.WifiPassword {
			if r < 0x20 || r > 0x7e {
				return bad("A Wi-Fi password uses letters A to Z, digits, spaces and the symbols of an English keyboard only.")
			}
		}
	}
	return b, nil
}

// SetBooth changes the booth settings named in c. Admins only.
func (s *Service) SetBooth(ctx context.Context, actor access.Actor, c BoothChange) (Config, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return Config{}, err
	}
	return s.change(ctx, actor, "booth", func(cfg *Config) error {
		b := cfg.Booth
		for _, f := range []struct {
			from *string
			to   *string
		}{{c.Name, &b.Name}, {c.PublicURL, &b.PublicURL}, {c.WifiSSID, &b.WifiSSID}, {c.WifiPassword, &b.WifiPassword}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		clean, err := b.Validate()
		if err != nil {
			return err
		}
		cfg.Booth = clean
		return nil
	})
}
