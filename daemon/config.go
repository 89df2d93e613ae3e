// Package daemon owns the kiosk's lifecycle: its configuration, the wiring
// of every part in one place, start-up, and the graceful shutdown.
package daemon

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/coffeebar/kiosk/booth"
)

// Config is the whole configuration of a kiosk process. Flags override
// KIOSK_* environment variables, which override the defaults.
type Config struct {
	DataDir       string
	HTTPAddr      string
	MQTTAddr      string
	MQTTWSAddr    string
	PublicURL     string
	AdminPassword string
	OpenShop      bool
	LogLevel      string
	LogFormat     string
	MaxClients    int
	TestClock     bool
	LightPin      string
	LightLowOn    bool
	Printer       string
	PrinterPaper  string
	PrinterQR     string
	PrinterBaud   int
	TicketWhen    string
	BoothName     string
	Language      string
	BoothStatus   string
	Captive       bool
	OwnHosts      string
	BackupDirs    string
	ButtonPin     string
	TimeHelper    string
	DebugAddr     string
}

// Defaults, with the reason for each.
var Defaults = Config{
	// The data directory holds the database and backups; relative, so that
	// `make run` keeps everything in the working tree. The box's service
	// sets /var/lib/kiosk.
	DataDir: "data",
	// 8080 needs no privilege on a laptop; the box serves port 80.
	HTTPAddr: ":8080",
	// MQTT's registered port, for tools on the booth LAN.
	MQTTAddr: ":1883",
	// Empty: browsers use MQTT over WebSocket at /mqtt on the HTTP port, one
	// origin with the API.
	MQTTWSAddr: "",
	// Empty: derived from this machine's first non-loopback address and the
	// HTTP port.
	PublicURL: "",
	// Empty: a new box generates the first admin's password and logs it once.
	AdminPassword: "",
	// A new box starts closed until a barista opens it; demos open it.
	OpenShop:  false,
	LogLevel:  "info",
	LogFormat: "text",
	// Every phone at a busy booth, the tablets and the displays.
	MaxClients: 500,
	// Only end-to-end tests move the clock.
	TestClock: false,
	// The ready light on header pin 11, as wired in docs/hardware.md; on a
	// machine without GPIO the light is simulated and says so in the log.
	LightPin: "GPIO17",
	// An LED is on when its pin is high; many relay boards are the reverse.
	LightLowOn: false,
	// Without a printer, tickets go to files in the data directory, where the
	// admin app previews them: the same bytes a printer would get.
	Printer: "file",
	// The common small roll.
	PrinterPaper: "58mm",
	// Raster QR codes print on every ESC/POS printer.
	PrinterQR: "raster",
	// Serial printers say their speed on their self-test page; none is safe
	// to guess, so a serial printer needs it set.
	PrinterBaud: 0,
	// The ticket comes out as the barista starts the drink.
	TicketWhen: "make",
	BoothName:  "Coffee Bar",
	// The display's language; phones and tablets follow their own
	// browser's, and fall back to English.
	Language: "en",
	// Empty: no setup report to show (a laptop); the box's setup writes
	// one from booth.toml at every start.
	BoothStatus: "",
	// Only the box, whose DNS sends every name to it, answers phones'
	// captive-portal probes; on a laptop they would be nonsense.
	Captive: false,
	// The box's other names and addresses besides the public URL's host.
	OwnHosts: "",
	// Closing the booth always backs up into the data directory; a USB
	// drive mounted here gets a copy too.
	BackupDirs: "/media/kiosk-backup",
	// The close-the-booth button on header pin 13, as wired in
	// docs/hardware.md; simulated where there is no GPIO.
	ButtonPin: "GPIO27",
	// The box's time helper (kiosk-settime.socket); where it does not exist
	// the admin's "set the time" says the helper does not answer.
	TimeHelper: "/run/kiosk-settime.sock",
	// The profiler is off unless asked for, and then on loopback only.
	DebugAddr: "",
}

type option struct {
	flag, env, help string
	str             *string
	boolean         *bool
	num             *int
	secret          bool
}

func (c *Config) options() []option {
	return []option{
		{flag: "data", env: "KIOSK_DATA", help: "data directory (database, backups)", str: &c.DataDir},
		{flag: "http", env: "KIOSK_HTTP", help: "HTTP listen address (API, apps, MQTT over WebSocket at /mqtt)", str: &c.HTTPAddr},
		{flag: "mqtt", env: "KIOSK_MQTT", help: "MQTT over TCP listen address; empty turns it off", str: &c.MQTTAddr},
		{flag: "mqtt-ws", env: "KIOSK_MQTT_WS", help: "separate MQTT-over-WebSocket listen address; empty serves it at /mqtt on the HTTP port", str: &c.MQTTWSAddr},
		{flag: "public-url", env: "KIOSK_PUBLIC_URL", help: "the ordering page's address as phones reach it; goes into the QR code", str: &c.PublicURL},
		{flag: "admin-password", env: "KIOSK_ADMIN_PASSWORD", help: "password of the first admin account, on a new database only", str: &c.AdminPassword, secret: true},
		{flag: "open", env: "KIOSK_OPEN", help: "open the shop at start (demos)", boolean: &c.OpenShop},
		{flag: "log-level", env: "KIOSK_LOG_LEVEL", help: "debug, info, warn or error", str: &c.LogLevel},
		{flag: "log-format", env: "KIOSK_LOG_FORMAT", help: "text or json", str: &c.LogFormat},
		{flag: "max-clients", env: "KIOSK_MAX_CLIENTS", help: "most MQTT clients connected at once", num: &c.MaxClients},
		{flag: "light-pin", env: "KIOSK_LIGHT_PIN", help: "GPIO name of the ready light (e.g. GPIO17); empty for none", str: &c.LightPin},
		{flag: "light-active-low", env: "KIOSK_LIGHT_ACTIVE_LOW", help: "the light's relay switches on when its pin is low", boolean: &c.LightLowOn},
		{flag: "printer", env: "KIOSK_PRINTER", help: "ticket printer: none, file[:dir], usb[:/dev/usb/lp0], serial:/dev/ttyUSB0, network:host[:9100]", str: &c.Printer},
		{flag: "printer-paper", env: "KIOSK_PRINTER_PAPER", help: "paper width: 58mm or 80mm", str: &c.PrinterPaper},
		{flag: "printer-qr", env: "KIOSK_PRINTER_QR", help: "QR code on tickets: raster (any printer) or native", str: &c.PrinterQR},
		{flag: "printer-baud", env: "KIOSK_PRINTER_BAUD", help: "serial printer speed", num: &c.PrinterBaud},
		{flag: "ticket-when", env: "KIOSK_TICKET_WHEN", help: "print a ticket when an order is made (make) or queued (queued)", str: &c.TicketWhen},
		{flag: "booth-name", env: "KIOSK_BOOTH_NAME", help: "the booth's name, on tickets", str: &c.BoothName},
		{flag: "language", env: "KIOSK_LANGUAGE", help: "the display's language: en or de (phones and tablets follow their own)", str: &c.Language},
		{flag: "booth-status", env: "KIOSK_BOOTH_STATUS", help: "the status file the box's setup wrote from booth.toml; its problems are shown on the display", str: &c.BoothStatus},
		{flag: "captive", env: "KIOSK_CAPTIVE", help: "answer phones' captive-portal probes with the ordering page (the box, whose DNS answers every name)", boolean: &c.Captive},
		{flag: "own-hosts", env: "KIOSK_OWN_HOSTS", help: "comma-separated other names and addresses of the box, for the captive portal (e.g. 10.42.0.1,coffee.lan)", str: &c.OwnHosts},
		{flag: "backup-dirs", env: "KIOSK_BACKUP_DIRS", help: "comma-separated folders (e.g. a mounted USB drive) that also get the close-the-booth backup", str: &c.BackupDirs},
		{flag: "button-pin", env: "KIOSK_BUTTON_PIN", help: "GPIO name of the close-the-booth button (long press); empty for none", str: &c.ButtonPin},
		{flag: "time-helper", env: "KIOSK_TIME_HELPER", help: "socket of the box's time helper, for setting the clock from a tablet; empty turns it off", str: &c.TimeHelper},
		{flag: "debug-addr", env: "KIOSK_DEBUG_ADDR", help: "serve Go's profiler (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060; empty turns it off", str: &c.DebugAddr},
		{flag: "test-clock", env: "KIOSK_TEST_CLOCK", help: "FOR TESTS ONLY: let an admin move the clock forward (POST /api/test/clock)", boolean: &c.TestClock},
	}
}

// Parse reads the configuration from args (flags) and env (a lookup of
// environment variables), over the defaults.
func Parse(name string, args []string, env func(string) string, stderr io.Writer) (Config, error) {
	c := Defaults
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, o := range c.options() {
		v := env(o.env)
		switch {
		case o.str != nil:
			if v != "" {
				*o.str = v
			}
			fs.StringVar(o.str, o.flag, *o.str, o.help+" ($"+o.env+")")
		case o.boolean != nil:
			if v != "" {
				*o.boolean = v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
			}
			fs.BoolVar(o.boolean, o.flag, *o.boolean, o.help+" ($"+o.env+")")
		case o.num != nil:
			if v != "" {
				if _, err := fmt.Sscan(v, o.num); err != nil {
					return Config{}, fmt.Errorf("$%s: %q is not a number", o.env, v)
				}
			}
			fs.IntVar(o.num, o.flag, *o.num, o.help+" ($"+o.env+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.validate()
}

func (c Config) validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("the data directory must be set")
	}
	if c.HTTPAddr == "" {
		return fmt.Errorf("the HTTP address must be set")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("the public URL %q must be an http:// or https:// address", c.PublicURL)
		}
		if strings.HasSuffix(u.Hostname(), ".local") {
			return fmt.Errorf("the public URL %q uses .local, which many phones cannot resolve; use the box's IP or a name its DNS serves", c.PublicURL)
		}
	}
	if _, err := level(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("the log format must be text or json, not %q", c.LogFormat)
	}
	if c.TicketWhen != "make" && c.TicketWhen != "queued" {
		return fmt.Errorf("--ticket-when must be make or queued, not %q", c.TicketWhen)
	}
	if c.MaxClients < 1 {
		return fmt.Errorf("max clients must be at least 1")
	}
	if c.DebugAddr != "" {
		if err := checkDebugAddr(c.DebugAddr); err != nil {
			return err
		}
	}
	if l := booth.Language(c.Language); l != booth.English && l != booth.German {
		return fmt.Errorf("the language must be en or de, not %q", c.Language)
	}
	return nil
}

func level(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("the log level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// Logger builds the process's logger from the configuration.
func (c Config) Logger(w io.Writer) *slog.Logger {
	l, _ := level(c.LogLevel)
	opts := &slog.HandlerOptions{Level: l}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Print writes the effective configuration, secrets masked, one setting a
// line with where its value came from.
func (c Config) Print(w io.Writer) {
	var lines []string
	for _, o := range c.options() {
		var v string
		switch {
		case o.str != nil:
			v = *o.str
		case o.boolean != nil:
			v = fmt.Sprint(*o.boolean)
		case o.num != nil:
			v = fmt.Sprint(*o.num)
		}
		if o.secret && v != "" {
			v = "********"
		}
		if v == "" {
			v = `""`
		}
		lines = append(lines, fmt.Sprintf("%-15s %-22s %s", o.flag, o.env, v))
	}
	sort.Strings(lines)
	fmt.Fprintln(w, "# effective configuration (flag, environment variable, value)")
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// Env is the process environment, for Parse.
func Env(k string) string { return os.Getenv(k) }
