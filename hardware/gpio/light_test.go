package gpio

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/coffeebar/kiosk/clock"
)

// recordingPin is a gpiotest pin that also reports every level written to
// it, in order, so a test can wait for the light to change instead of
// sleeping.
type recordingPin struct {
	*gpiotest.Pin
	writes chan gpio.Level
}

func (p *recordingPin) Out(l gpio.Level) error {
	err := p.Pin.Out(l)
	p.writes <- l
	return err
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// lightRig is a light on a fake pin with a fake clock and its Run loop going.
type lightRig struct {
	t     *testing.T
	clk   *clock.Fake
	pin   *recordingPin
	light *Light
}

func newLightRig(t *testing.T, activeLow bool) *lightRig {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	pin := &recordingPin{Pin: &gpiotest.Pin{N: "GPIO17", Num: 17}, writes: make(chan gpio.Level, 64)}
	l, err := NewLight(pin, activeLow, Options{Clock: clk, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	r := &lightRig{t: t, clk: clk, pin: pin, light: l}
	off := gpio.Low
	if activeLow {
		off = gpio.High
	}
	r.expect(off) // NewLight switches the light off

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

// expect waits for the next write to the pin and checks its level. The
// timeout only turns a hang into a failure; no test waits on it.
func (r *lightRig) expect(want gpio.Level) {
	r.t.Helper()
	select {
	case got := <-r.pin.writes:
		if got != want {
			r.t.Fatalf("pin written %v, want %v", got, want)
		}
	case <-time.After(5 * time.Second):
		r.t.Fatalf("pin not written; want %v", want)
	}
}

// expectNone checks that nothing was written since the last expect.
func (r *lightRig) expectNone() {
	r.t.Helper()
	select {
	case got := <-r.pin.writes:
		r.t.Fatalf("unexpected write %v", got)
	default:
	}
}

// expectBlink lets the blink run and checks each of its changes, ending on.
func (r *lightRig) expectBlink() {
	r.t.Helper()
	for step := 1; step <= blinkSteps; step++ {
		r.clk.Advance(blinkStep)
		r.expect(step%2 == 0)
	}
}

func TestLightOnAndBlinkWhenADrinkIsReady(t *testing.T) {
	r := newLightRig(t, false)

	r.light.SetReady(1)
	r.expect(gpio.High) // on at once: nobody waits for the blink to see it

	// Three dark flashes of blinkStep, then steady on.
	want := []gpio.Level{gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low, gpio.High}
	for i, level := range want {
		r.clk.Advance(blinkStep)
		r.expect(level)
		if got := r.pin.Read(); got != level {
			t.Fatalf("step %d: pin reads %v, want %v", i+1, got, level)
		}
	}
	if n := r.clk.Waiters(); n != 0 {
		t.Fatalf("%d timers pending after the blink; the light should be steady", n)
	}
	r.clk.Advance(time.Hour)
	r.expectNone()
	if r.pin.Read() != gpio.High {
		t.Fatal("light not steady on after the blink")
	}
}

func TestLightBlinksAgainForEachNewDrink(t *testing.T) {
	r := newLightRig(t, false)
	r.light.SetReady(1)
	r.expect(gpio.High)
	r.expectBlink()

	// A second drink: the light is already on, so the blink starts with
	// the first dark flash.
	r.light.SetReady(2)
	r.expectNone()
	r.expectBlink()

	// One collected, one still waiting: the light stays on, no blink.
	r.light.SetReady(1)
	r.clk.Advance(time.Hour)
	r.expectNone()
	if r.clk.Waiters() != 0 {
		t.Fatal("a drop in the count started a timer")
	}
}

func TestLightOffWhenTheLastDrinkIsCollected(t *testing.T) {
	r := newLightRig(t, false)
	r.light.SetReady(1)
	r.expect(gpio.High)
	r.expectBlink()

	r.light.SetReady(0)
	r.expect(gpio.Low)
	r.clk.Advance(time.Hour)
	r.expectNone()
}

func TestLightOffMidBlinkWhenCollected(t *testing.T) {
	r := newLightRig(t, false)
	r.light.SetReady(1)
	r.expect(gpio.High)
	r.clk.Advance(blinkStep)
	r.expect(gpio.Low)
	r.clk.Advance(blinkStep)
	r.expect(gpio.High)

	r.light.SetReady(0)
	r.expect(gpio.Low)
	// The rest of the cancelled blink must not light it again: the next
	// writes are exactly those of the next drink's blink.
	for range blinkSteps {
		r.clk.Advance(blinkStep)
	}
	r.light.SetReady(1)
	r.expect(gpio.High)
	r.expectBlink()
	r.clk.Advance(time.Hour)
	r.expectNone()
}

func TestLightOffWhileShopClosed(t *testing.T) {
	r := newLightRig(t, false)
	r.light.SetReady(2)
	r.expect(gpio.High)
	r.expectBlink()

	r.light.SetShopOpen(false)
	r.expect(gpio.Low)

	// Drinks still become ready while closing up: no light, no blink.
	r.light.SetReady(3)
	r.clk.Advance(time.Hour)
	r.expectNone()
	if r.clk.Waiters() != 0 {
		t.Fatal("a closed shop started a blink")
	}

	// Reopening with drinks still waiting: steady on, no blink.
	r.light.SetShopOpen(true)
	r.expect(gpio.High)
	if r.clk.Waiters() != 0 {
		t.Fatal("reopening started a blink")
	}
	r.clk.Advance(time.Hour)
	r.expectNone()
}

func TestLightReopeningWithNothingReadyStaysOff(t *testing.T) {
	r := newLightRig(t, false)
	r.light.SetShopOpen(false)
	r.light.SetShopOpen(true)
	r.light.SetReady(0)
	r.expectNone()
	if r.pin.Read() != gpio.Low {
		t.Fatal("light on with nothing ready")
	}
}

func TestLightClosingMidBlinkStopsIt(t *testing.T) {
	r := newLightRig(t, false)
	r.light.SetReady(1)
	r.expect(gpio.High)
	r.clk.Advance(blinkStep)
	r.expect(gpio.Low)

	r.light.SetShopOpen(false)
	r.expectNone() // already dark
	for range blinkSteps {
		r.clk.Advance(blinkStep)
	}
	r.light.SetShopOpen(true) // now lit again, steady
	r.expect(gpio.High)
	r.clk.Advance(time.Hour)
	r.expectNone()
}

func TestLightActiveLowInvertsThePin(t *testing.T) {
	r := newLightRig(t, true)
	if r.pin.Read() != gpio.High {
		t.Fatal("an active-low light starts with its pin low, which is on")
	}
	r.light.SetReady(1)
	r.expect(gpio.Low)
	r.clk.Advance(blinkStep)
	r.expect(gpio.High) // the first dark flash
	r.clk.Advance(blinkStep)
	r.expect(gpio.Low)
	r.light.SetReady(0)
	r.expect(gpio.High)
}

func TestLightOffWhenRunStops(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	pin := &gpiotest.Pin{N: "GPIO17", Num: 17}
	l, err := NewLight(pin, false, Options{Clock: clk, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	l.SetReady(1)
	if pin.Read() != gpio.High {
		t.Fatal("light not on")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if pin.Read() != gpio.Low {
		t.Fatal("light left on after Run stopped")
	}
	l.SetReady(2)
	if pin.Read() != gpio.Low {
		t.Fatal("light switched on after Run stopped")
	}
}

// TestLightIgnoresTheTimerOfACancelledBlink drives the blink's step by hand,
// without Run, because a timer that fires for nothing leaves no trace a test
// could wait for.
func TestLightIgnoresTheTimerOfACancelledBlink(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cancel func(*Light)
	}{
		{"collected", func(l *Light) { l.SetReady(0) }},
		{"shop closed", func(l *Light) { l.SetShopOpen(false) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(0, 0))
			pin := &gpiotest.Pin{N: "GPIO17", Num: 17}
			l, err := NewLight(pin, false, Options{Clock: clk, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			l.SetReady(1)
			l.mu.Lock()
			fired := l.timer
			l.mu.Unlock()

			tt.cancel(l)
			clk.Advance(blinkStep)
			l.stepBlink(fired)
			if pin.Read() != gpio.Low {
				t.Fatal("a cancelled blink switched the light on")
			}
			if n := clk.Waiters(); n != 0 {
				t.Fatalf("a cancelled blink went on: %d timers pending", n)
			}
		})
	}
}
