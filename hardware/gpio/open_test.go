package gpio

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/coffeebar/kiosk/clock"
)

// logBuffer collects log lines; the light logs from more than one goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func captureLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, nil)), b
}

func TestOpenUnknownPinsGivesSimulatedDevices(t *testing.T) {
	logger, logs := captureLogger()
	clk := clock.NewFake(time.Unix(0, 0))
	light, button, err := Open(Settings{
		LightPin:  "NOSUCHLIGHT",
		ButtonPin: "NOSUCHBUTTON",
	}, Options{Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if !light.Simulated() || !button.Simulated() {
		t.Fatalf("simulated: light %v, button %v; want both", light.Simulated(), button.Simulated())
	}
	out := logs.String()
	for _, want := range []string{
		"drink-ready light is SIMULATED", "pin=NOSUCHLIGHT",
		"button is SIMULATED", "pin=NOSUCHBUTTON",
		"level=WARN",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}

	// The simulated light says what it would do, at a level a person sees.
	ctx, cancel := context.WithCancel(context.Background())
	lightDone := make(chan error, 1)
	buttonDone := make(chan error, 1)
	go func() { lightDone <- light.Run(ctx) }()
	go func() { buttonDone <- button.Run(ctx) }()
	light.SetReady(1)
	light.SetShopOpen(false)
	cancel()
	for _, done := range []chan error{lightDone, buttonDone} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	out = logs.String()
	for _, want := range []string{
		`level=INFO msg="light blinks: a drink is ready" device=light pin=NOSUCHLIGHT simulated=true ready=1`,
		`level=INFO msg="light off" device=light pin=NOSUCHLIGHT simulated=true reason="shop closed"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestOpenWithoutPinsGivesQuietDevices(t *testing.T) {
	logger, logs := captureLogger()
	light, button, err := Open(Settings{}, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if !light.Simulated() || !button.Simulated() {
		t.Fatal("devices without pins must be simulated")
	}
	light.SetReady(3)
	if out := logs.String(); strings.Contains(out, "WARN") || strings.Contains(out, "light blinks") {
		t.Fatalf("an unconfigured light is not worth a warning or a note:\n%s", out)
	}
}

func TestOpenFindsRegisteredPins(t *testing.T) {
	lightPin := &gpiotest.Pin{N: "KIOSKTEST_LIGHT", Num: -1}
	buttonPin := &gpiotest.Pin{N: "KIOSKTEST_BUTTON", Num: -1}
	for _, p := range []*gpiotest.Pin{lightPin, buttonPin} {
		if err := gpioreg.Register(p); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = gpioreg.Unregister(p.Name()) })
	}

	logger, logs := captureLogger()
	light, button, err := Open(Settings{
		LightPin:       lightPin.N,
		LightActiveLow: true,
		ButtonPin:      buttonPin.N,
		LongPress:      2 * time.Second,
	}, Options{Clock: clock.NewFake(time.Unix(0, 0)), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if light.Simulated() || button.Simulated() {
		t.Fatalf("registered pins opened as simulated:\n%s", logs.String())
	}
	if lightPin.Read() != gpio.High {
		t.Fatal("an active-low light must start with its pin high (off)")
	}
	light.SetReady(1)
	if lightPin.Read() != gpio.Low {
		t.Fatal("an active-low light must pull its pin low when on")
	}
	if buttonPin.Pull() != gpio.PullUp {
		t.Fatal("the button's pull-up is not enabled")
	}
	if button.longPress != 2*time.Second {
		t.Fatalf("long press %v, want the setting's 2s", button.longPress)
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		s    Settings
		want string // empty: valid
	}{
		{"no hardware", Settings{}, ""},
		{"board pin name", Settings{LightPin: "P1_11"}, ""},
		{"zero long press means default", Settings{ButtonPin: "GPIO27"}, ""},
		{"light by number", Settings{LightPin: "17"}, `light pin "17" is not a GPIO name`},
		{"button by number", Settings{ButtonPin: "27"}, `button pin "27" is not a GPIO name`},
		{"spaces", Settings{LightPin: "GPIO 17"}, "not a GPIO name"},
		{"same pin", Settings{LightPin: "GPIO17", ButtonPin: "GPIO17"}, "cannot share pin GPIO17"},
		{"long press too short", Settings{ButtonPin: "GPIO27", LongPress: 200 * time.Millisecond}, "outside 1s to 30s"},
		{"long press too long", Settings{ButtonPin: "GPIO27", LongPress: time.Minute}, "outside 1s to 30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("no error, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q, want %q", err, tt.want)
			}
		})
	}
}

func TestOpenRefusesInvalidSettings(t *testing.T) {
	light, button, err := Open(Settings{LightPin: "17"}, Options{Logger: quietLogger()})
	if err == nil || light != nil || button != nil {
		t.Fatalf("Open with a pin number: %v, %v, %v", light, button, err)
	}
}
