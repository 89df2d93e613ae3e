package gpio

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"github.com/coffeebar/kiosk/clock"
)

// Defaults for Settings, matching the wiring in docs/hardware.md.
const (
	// DefaultLightPin is header pin 11, which has a ground (pin 9) beside
	// it for an LED and its resistor.
	DefaultLightPin = "GPIO17"
	// DefaultButtonPin is header pin 13, diagonally across from a ground
	// (pin 14). Left unwired, the pull-up keeps it reading "released".
	DefaultButtonPin = "GPIO27"
	// DefaultLongPress is long enough that nobody closes the booth by
	// leaning on the button, short enough that the barista who means it
	// is not left wondering.
	DefaultLongPress = 3 * time.Second
)

// Bounds on Settings.LongPress.
const (
	// MinLongPress keeps a long press well clear of an ordinary press.
	MinLongPress = time.Second
	// MaxLongPress is about as long as anyone will hold a button.
	MaxLongPress = 30 * time.Second
)

// Settings say which GPIO pins the light and the button are on.
type Settings struct {
	// LightPin names the GPIO output for the light, such as "GPIO17".
	// Empty means the booth has no light.
	LightPin string
	// LightActiveLow inverts the light's output, for relay boards that
	// switch on when their input is pulled low.
	LightActiveLow bool
	// ButtonPin names the GPIO input for the button, such as "GPIO27".
	// Empty means the booth has no button.
	ButtonPin string
	// LongPress is how long the button must be held to count as a long
	// press. Zero means DefaultLongPress.
	LongPress time.Duration
}

// DefaultSettings returns the settings for the wiring in docs/hardware.md.
func DefaultSettings() Settings {
	return Settings{
		LightPin:  DefaultLightPin,
		ButtonPin: DefaultButtonPin,
		LongPress: DefaultLongPress,
	}
}

// pinName is what a GPIO name looks like: "GPIO17", "P1_11". A bare number
// is refused, because periph would take it for a chip line number.
var pinName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)

// Validate reports every problem with the settings, or nil.
func (s Settings) Validate() error {
	var errs []error
	for _, p := range []struct{ field, value string }{
		{"light pin", s.LightPin},
		{"button pin", s.ButtonPin},
	} {
		if p.value != "" && !pinName.MatchString(p.value) {
			errs = append(errs, fmt.Errorf(
				"gpio: %s %q is not a GPIO name; use a name such as %q, not a number (line numbers differ between Pi models)",
				p.field, p.value, DefaultLightPin))
		}
	}
	if s.LightPin != "" && s.LightPin == s.ButtonPin {
		errs = append(errs, fmt.Errorf("gpio: the light and the button cannot share pin %s", s.LightPin))
	}
	if s.LongPress != 0 && (s.LongPress < MinLongPress || s.LongPress > MaxLongPress) {
		errs = append(errs, fmt.Errorf("gpio: long press %v is outside %v to %v", s.LongPress, MinLongPress, MaxLongPress))
	}
	return errors.Join(errs...)
}

// Options are what the devices borrow from the rest of the kiosk.
type Options struct {
	// Clock times blinks, debouncing and long presses. Nil means the
	// machine's clock.
	Clock clock.Clock
	// Logger receives the devices' logs. Nil means slog.Default().
	Logger *slog.Logger
}

// withDefaults fills in what o leaves out.
func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clock.NewReal()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Open loads periph's GPIO drivers and opens the light and the button named
// in s. Only invalid settings are an error. Missing hardware is not: when
// the drivers do not load, a named pin does not exist (a laptop, CI) or a
// pin cannot be set up, Open logs a warning and returns a simulated device
// in its place, which logs what it would do; Simulated reports which.
func Open(s Settings, o Options) (*Light, *Button, error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	o = o.withDefaults()
	d := drivers{ok: true}
	if s.LightPin != "" || s.ButtonPin != "" {
		d = loadDrivers(o.Logger)
	}
	return openLight(s, o, d), openButton(s, o, d), nil
}

// drivers is the outcome of loading periph's host drivers.
type drivers struct {
	ok bool
	// failed lists the drivers that tried and failed to load. On a Pi a
	// missing pin usually means one of these (often a permission denied
	// on /dev/gpiochip*), so warnings about missing pins repeat it.
	failed []string
}

// loadDrivers calls host.Init. A failure is a warning: the kiosk sells
// coffee without its light.
func loadDrivers(log *slog.Logger) drivers {
	state, err := host.Init()
	if err != nil {
		log.Warn("gpio: the GPIO drivers did not load; the drink-ready light and the button are SIMULATED", "err", err)
		return drivers{}
	}
	d := drivers{ok: true}
	for _, f := range state.Failed {
		d.failed = append(d.failed, f.String())
	}
	log.Debug("gpio: drivers loaded", "loaded", len(state.Loaded), "skipped", len(state.Skipped), "failed", d.failed)
	return d
}

// attrs are log attributes that may explain a missing pin.
func (d drivers) attrs() []any {
	if len(d.failed) == 0 {
		return nil
	}
	return []any{"failed_drivers", d.failed}
}

// openLight opens the light's pin, or returns a simulated light.
func openLight(s Settings, o Options, d drivers) *Light {
	if s.LightPin == "" {
		o.Logger.Info("gpio: no drink-ready light configured")
		return newLight(nil, "", false, o, slog.LevelDebug)
	}
	simulated := func(why string, args ...any) *Light {
		o.Logger.Warn("gpio: "+why+"; the drink-ready light is SIMULATED and only logs what it would do",
			append([]any{"pin", s.LightPin}, args...)...)
		return newLight(nil, s.LightPin, s.LightActiveLow, o, slog.LevelInfo)
	}
	if !d.ok {
		return simulated("no GPIO drivers")
	}
	p := gpioreg.ByName(s.LightPin)
	if p == nil {
		return simulated("no such GPIO pin on this machine", d.attrs()...)
	}
	l, err := NewLight(p, s.LightActiveLow, o)
	if err != nil {
		return simulated("cannot drive the pin", "err", err)
	}
	o.Logger.Info("gpio: drink-ready light on hardware", "pin", s.LightPin, "active_low", s.LightActiveLow)
	return l
}

// openButton opens the button's pin, or returns a simulated button.
func openButton(s Settings, o Options, d drivers) *Button {
	if s.ButtonPin == "" {
		o.Logger.Info("gpio: no button configured")
		return newButton(nil, "", s.LongPress, o)
	}
	simulated := func(why string, args ...any) *Button {
		o.Logger.Warn("gpio: "+why+"; the button is SIMULATED and never pressed",
			append([]any{"pin", s.ButtonPin}, args...)...)
		return newButton(nil, s.ButtonPin, s.LongPress, o)
	}
	if !d.ok {
		return simulated("no GPIO drivers")
	}
	p := gpioreg.ByName(s.ButtonPin)
	if p == nil {
		return simulated("no such GPIO pin on this machine", d.attrs()...)
	}
	b, err := NewButton(p, s.LongPress, o)
	if err != nil {
		return simulated("cannot read the pin", "err", err)
	}
	o.Logger.Info("gpio: button on hardware", "pin", s.ButtonPin, "long_press", b.longPress)
	return b
}
