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

// The blink that greets a newly ready drink: the light goes dark
// blinkFlashes times for blinkStep each, with blinkStep lit in between, then
// stays on. Three flashes in just over a second catch the eye from across
// the booth without looking like a fault.
const (
	blinkFlashes = 3
	blinkStep    = 200 * time.Millisecond
	// blinkSteps is the number of timed changes in one blink: off and on
	// again for each flash.
	blinkSteps = 2 * blinkFlashes
)

// Light is the "drink ready" light: an LED, or a lamp behind a relay, on one
// GPIO output.
//
// It is on while at least one drink is ready for collection and the shop is
// open. When the number of ready drinks rises it blinks a few times and then
// stays on; when the number drops to zero, or the shop closes, it goes off
// at once.
//
// SetReady and SetShopOpen switch the light themselves, so steady on and off
// work even before Run starts; the blink needs Run, which times it. All
// methods are safe for concurrent use.
type Light struct {
	pin       gpio.PinOut // nil when simulated
	activeLow bool
	clk       clock.Clock
	log       *slog.Logger
	// noteLevel is the level for "light on/off/blinks" notes: Info when
	// simulated, so the log shows what the light would do, Debug otherwise.
	noteLevel slog.Level

	// kick wakes Run when a blink starts, so that it waits on the new timer.
	kick chan struct{}

	mu      sync.Mutex
	ready   int
	open    bool
	lit     bool
	stopped bool
	// step counts the changes made so far in the current blink; timer is
	// the pending next one, nil when the light is not blinking.
	step  int
	timer <-chan time.Time
}

// NewLight returns a light driving pin and switches it off. Set activeLow for
// relay boards that switch on when their input is low. The shop starts open
// with no drinks ready.
func NewLight(pin gpio.PinOut, activeLow bool, o Options) (*Light, error) {
	l := newLight(pin, pin.Name(), activeLow, o, slog.LevelDebug)
	if err := l.drive(false); err != nil {
		return nil, fmt.Errorf("gpio: switching off the light on %s: %w", pin, err)
	}
	return l, nil
}

// newLight builds a light; a nil pin makes a simulated one.
func newLight(pin gpio.PinOut, name string, activeLow bool, o Options, noteLevel slog.Level) *Light {
	o = o.withDefaults()
	return &Light{
		pin:       pin,
		activeLow: activeLow,
		clk:       o.Clock,
		log:       o.Logger.With("device", "light", "pin", name, "simulated", pin == nil),
		noteLevel: noteLevel,
		kick:      make(chan struct{}, 1),
		open:      true,
	}
}

// Simulated reports whether no real pin drives the light, because none was
// configured or the configured one could not be opened. A simulated light
// logs what it would do.
func (l *Light) Simulated() bool { return l.pin == nil }

// SetReady records that n drinks are ready for collection. A rise in n
// blinks the light (if the shop is open); zero switches it off.
func (l *Light) SetReady(n int) {
	n = max(n, 0)
	l.mu.Lock()
	defer l.mu.Unlock()
	rose := n > l.ready
	l.ready = n
	if rose && l.open && !l.stopped {
		l.startBlinkLocked()
		return
	}
	l.settleLocked()
}

// SetShopOpen records whether the shop is open. A closed shop keeps the light
// off whatever the number of ready drinks; reopening with drinks still ready
// switches it back on, steady.
func (l *Light) SetShopOpen(open bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open = open
	l.settleLocked()
}

// Run times the blinks until ctx is done, then switches the light off for
// good. Call it once, on its own goroutine. It returns nil.
func (l *Light) Run(ctx context.Context) error {
	for {
		l.mu.Lock()
		timer := l.timer
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			l.mu.Lock()
			l.timer = nil
			l.writeLocked(false)
			l.stopped = true
			l.mu.Unlock()
			return nil
		case <-l.kick:
			// A new blink started: wait on its timer instead.
		case <-timer:
			l.stepBlink(timer)
		}
	}
}

// wantedLocked reports whether the light should be lit, blinks aside.
func (l *Light) wantedLocked() bool { return l.open && l.ready > 0 }

// startBlinkLocked lights the light and starts a blink, from its first step
// if one was already running.
func (l *Light) startBlinkLocked() {
	l.note("light blinks: a drink is ready", "ready", l.ready)
	l.step = 0
	// The timer is set before the light changes, so whoever sees the change
	// can be sure the next step is already scheduled.
	l.timer = l.clk.After(blinkStep)
	l.writeLocked(true)
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// stepBlink makes the next change of the blink whose timer fired.
func (l *Light) stepBlink(fired <-chan time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != fired {
		return // the blink was cancelled or restarted meanwhile
	}
	l.step++
	l.timer = nil
	if l.step < blinkSteps {
		l.timer = l.clk.After(blinkStep)
	}
	// Odd steps are the dark flashes; the last step is even and leaves the
	// light on.
	l.writeLocked(l.step%2 == 0)
}

// settleLocked puts the light in its steady state for the current count and
// shop state. A running blink is left to finish if the light stays wanted.
func (l *Light) settleLocked() {
	if !l.wantedLocked() {
		if l.lit || l.timer != nil {
			reason := "no drinks ready"
			if !l.open {
				reason = "shop closed"
			}
			l.note("light off", "reason", reason)
		}
		l.timer = nil
		l.writeLocked(false)
		return
	}
	if l.timer == nil && !l.lit {
		l.note("light on", "ready", l.ready)
		l.writeLocked(true)
	}
}

// writeLocked switches the light if it is not already in that state.
func (l *Light) writeLocked(on bool) {
	if l.stopped || on == l.lit {
		return
	}
	if err := l.drive(on); err != nil {
		l.log.Error("gpio: cannot switch the light", "on", on, "err", err)
		return
	}
	l.lit = on
}

// drive sets the pin for on or off, minding an active-low relay board.
func (l *Light) drive(on bool) error {
	level := gpio.Level(on != l.activeLow)
	if l.pin == nil {
		l.log.Debug("simulated light pin set", "on", on, "level", level)
		return nil
	}
	return l.pin.Out(level)
}

// note logs a change a person would notice.
func (l *Light) note(msg string, args ...any) {
	l.log.Log(context.Background(), l.noteLevel, msg, args...)
}
