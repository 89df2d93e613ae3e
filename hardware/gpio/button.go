package gpio

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/coffeebar/kiosk/clock"
)

// How the button is read.
const (
	// samplePeriod is how often the button's level is read. 10 ms is well
	// under any human press and costs next to nothing on a Pi.
	samplePeriod = 10 * time.Millisecond
	// settleTime is how long a new level must hold before it counts. A
	// push button's contacts bounce for a few milliseconds, cheap ones for
	// up to about 20; 50 ms rides that out and still feels instant.
	settleTime = 50 * time.Millisecond
)

// Button is a push button between a GPIO input and ground, read with the
// pin's internal pull-up: released reads high, pressed reads low.
//
// Holding it down for the long-press time calls the long-press function once
// for that press, however long it stays down. A shorter press calls the
// short-press function, if there is one, when it is released. Contact bounce
// and glitches shorter than the settle time do nothing.
//
// A button that is already down when Run starts must be released once
// before it counts, so a stuck or shorted button cannot close the booth on
// every start.
type Button struct {
	pin       gpio.PinIn // nil when simulated or not configured
	longPress time.Duration
	clk       clock.Clock
	log       *slog.Logger

	mu      sync.Mutex
	onLong  func()
	onShort func()
}

// NewButton configures pin as an input with its pull-up and returns the
// button on it. A longPress of zero or less means DefaultLongPress.
func NewButton(pin gpio.PinIn, longPress time.Duration, o Options) (*Button, error) {
	if err := pin.In(gpio.PullUp, gpio.NoEdge); err != nil {
		return nil, fmt.Errorf("gpio: setting up the button on %s: %w", pin, err)
	}
	return newButton(pin, pin.Name(), longPress, o), nil
}

// newButton builds a button; a nil pin makes one that never fires.
func newButton(pin gpio.PinIn, name string, longPress time.Duration, o Options) *Button {
	o = o.withDefaults()
	if longPress <= 0 {
		longPress = DefaultLongPress
	}
	return &Button{
		pin:       pin,
		longPress: longPress,
		clk:       o.Clock,
		log:       o.Logger.With("device", "button", "pin", name, "simulated", pin == nil),
	}
}

// Simulated reports whether no real pin is behind the button, because none
// was configured or the configured one could not be opened. A simulated
// button is never pressed.
func (b *Button) Simulated() bool { return b.pin == nil }

// OnLongPress sets the function called once per long press. It runs on
// Run's goroutine, which reads the button again only when it returns; hand
// slow work to another goroutine.
func (b *Button) OnLongPress(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onLong = f
}

// OnShortPress sets the function called when a press shorter than the
// long-press time is released. It runs on Run's goroutine, like the
// long-press function. Nil, the default, ignores short presses.
func (b *Button) OnShortPress(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onShort = f
}

// Run reads the button until ctx is done and calls the press functions. Call
// it once, on its own goroutine. It returns nil.
func (b *Button) Run(ctx context.Context) error {
	if b.pin == nil {
		<-ctx.Done()
		return nil
	}
	d := debouncer{settle: settleTime, long: b.longPress}
	d.start(b.pressed(), b.clk.Elapsed())
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.clk.After(samplePeriod):
		}
		switch d.sample(b.pressed(), b.clk.Elapsed()) {
		case longPress:
			b.log.Info("button held: long press", "held", b.longPress)
			b.call(longPress)
		case shortPress:
			b.log.Debug("button pressed briefly")
			b.call(shortPress)
		}
	}
}

// pressed reads the pin: the button pulls it to ground.
func (b *Button) pressed() bool { return b.pin.Read() == gpio.Low }

// call runs the function set for p, if there is one.
func (b *Button) call(p press) {
	b.mu.Lock()
	f := b.onShort
	if p == longPress {
		f = b.onLong
	}
	b.mu.Unlock()
	if f != nil {
		f()
	}
}

// press is what a sample of the button amounts to.
type press int

const (
	noPress press = iota
	shortPress
	longPress
)

// debouncer turns samples of the button's level into presses. Times are
// monotonic readings of the kiosk's clock.
type debouncer struct {
	settle, long time.Duration

	reading bool          // the last sample: pressed or not
	since   time.Duration // when reading last changed
	stable  bool          // the debounced state
	// armed is false until the button has been seen released, so a button
	// held at start is not taken for a press.
	armed bool
	// downAt is when the current press began; reported is set once it has
	// been reported as a long press.
	downAt   time.Duration
	reported bool
}

// start takes the first sample, which becomes the stable state at once.
func (d *debouncer) start(pressed bool, now time.Duration) {
	d.reading, d.since, d.stable = pressed, now, pressed
	d.armed = !pressed
}

// sample takes a reading of the button at now and reports a press if one
// completed or reached the long-press time.
func (d *debouncer) sample(pressed bool, now time.Duration) press {
	if pressed != d.reading {
		d.reading, d.since = pressed, now
	}
	if d.reading != d.stable && now-d.since >= d.settle {
		d.stable = d.reading
		if d.stable {
			// The press is timed from its first sample, not from when the
			// bouncing stopped.
			d.downAt, d.reported = d.since, false
		} else {
			wasArmed := d.armed
			d.armed = true
			if wasArmed && !d.reported {
				return shortPress
			}
		}
	}
	if d.stable && d.armed && !d.reported && now-d.downAt >= d.long {
		d.reported = true
		return longPress
	}
	return noPress
}
