package gpio

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/coffeebar/kiosk/clock"
)

// Button levels: the button pulls its pin to ground.
const (
	down = gpio.Low
	up   = gpio.High
)

// buttonRig is a button on a fake pin with a fake clock, its Run loop going,
// and counters for the presses it reports.
//
// Between steps the rig keeps one invariant: Run has handled every sample so
// far and waits for the next one. The pin is only changed then, and time
// moves one sample at a time, so every run of a test sees the same samples.
type buttonRig struct {
	t           *testing.T
	clk         *clock.Fake
	pin         *gpiotest.Pin
	long, short atomic.Int32
}

// newButtonRig starts a button whose pin reads level when Run starts.
func newButtonRig(t *testing.T, level gpio.Level) *buttonRig {
	t.Helper()
	r := &buttonRig{
		t:   t,
		clk: clock.NewFake(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)),
		pin: &gpiotest.Pin{N: "GPIO27", Num: 27},
	}
	b, err := NewButton(r.pin, 0, Options{Clock: r.clk, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if r.pin.Read() != up {
		t.Fatal("the pull-up does not hold the released button high")
	}
	_ = r.pin.Out(level)
	b.OnLongPress(func() { r.long.Add(1) })
	b.OnShortPress(func() { r.short.Add(1) })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	r.clk.BlockUntil(1) // Run has taken its first reading
	return r
}

// hold sets the button to level and lets d pass, one sample at a time.
func (r *buttonRig) hold(level gpio.Level, d time.Duration) {
	r.t.Helper()
	_ = r.pin.Out(level)
	for passed := time.Duration(0); passed < d; passed += samplePeriod {
		r.clk.Advance(samplePeriod)
		r.clk.BlockUntil(1) // Run has read the pin, acted, and waits again
	}
}

// bounce flips the button between down and up every sample, n times,
// ending on level.
func (r *buttonRig) bounce(n int, level gpio.Level) {
	r.t.Helper()
	for i := range n {
		if (n-i)%2 == 1 {
			r.hold(level, samplePeriod)
		} else {
			r.hold(!level, samplePeriod)
		}
	}
}

// want checks the presses reported so far.
func (r *buttonRig) want(long, short int32) {
	r.t.Helper()
	if got := r.long.Load(); got != long {
		r.t.Fatalf("long presses = %d, want %d", got, long)
	}
	if got := r.short.Load(); got != short {
		r.t.Fatalf("short presses = %d, want %d", got, short)
	}
}

func TestButtonLongPressFiresOnce(t *testing.T) {
	r := newButtonRig(t, up)
	// The press is first seen one sample after it starts, and is timed
	// from there.
	r.hold(down, DefaultLongPress)
	r.want(0, 0)
	r.hold(down, samplePeriod)
	r.want(1, 0)

	// Held on and on: still the one long press.
	r.hold(down, time.Minute)
	r.want(1, 0)
	// Letting go after a long press is not also a short press.
	r.hold(up, time.Second)
	r.want(1, 0)
}

func TestButtonEachLongPressFires(t *testing.T) {
	r := newButtonRig(t, up)
	r.hold(down, DefaultLongPress+time.Second)
	r.hold(up, time.Second)
	r.hold(down, DefaultLongPress+time.Second)
	r.hold(up, time.Second)
	r.want(2, 0)
}

func TestButtonShortPress(t *testing.T) {
	r := newButtonRig(t, up)
	r.hold(down, 300*time.Millisecond)
	r.want(0, 0) // reported on release, when it is known to be short
	r.hold(up, 200*time.Millisecond)
	r.want(0, 1)
	r.hold(up, time.Minute)
	r.want(0, 1)
}

func TestButtonBounceIsNotAPress(t *testing.T) {
	r := newButtonRig(t, up)
	r.bounce(9, up)
	r.hold(up, time.Second)
	r.want(0, 0)

	// Slower chatter, each level shorter than the settle time.
	for range 5 {
		r.hold(down, settleTime-samplePeriod)
		r.hold(up, settleTime-samplePeriod)
	}
	r.hold(up, time.Second)
	r.want(0, 0)
}

func TestButtonBouncyLongPressCountsOnce(t *testing.T) {
	r := newButtonRig(t, up)
	// Contacts bounce on the way down and on the way up, and a glitch
	// in the middle of the hold reads "up" for one sample.
	r.bounce(7, down)
	r.hold(down, time.Second)
	r.hold(up, samplePeriod)
	r.hold(down, DefaultLongPress)
	r.want(1, 0)
	r.bounce(7, up)
	r.hold(up, time.Second)
	r.want(1, 0)
}

func TestButtonBouncyShortPressCountsOnce(t *testing.T) {
	r := newButtonRig(t, up)
	r.bounce(5, down)
	r.hold(down, 200*time.Millisecond)
	r.bounce(5, up)
	r.hold(up, time.Second)
	r.want(0, 1)
}

func TestButtonHeldAtStartIsIgnoredUntilReleased(t *testing.T) {
	r := newButtonRig(t, down)
	r.hold(down, time.Minute)
	r.hold(up, time.Second)
	r.want(0, 0)

	r.hold(down, DefaultLongPress+samplePeriod)
	r.want(1, 0)
}

func TestButtonLongPressDurationIsConfigurable(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	pin := &gpiotest.Pin{N: "GPIO27", Num: 27}
	b, err := NewButton(pin, 5*time.Second, Options{Clock: clk, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	var long atomic.Int32
	b.OnLongPress(func() { long.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = b.Run(ctx) }()

	clk.BlockUntil(1)
	_ = pin.Out(down)
	// Seen down from the first sample, it must fire on the sample 5 s later.
	for passed := time.Duration(0); passed < 5*time.Second+samplePeriod; passed += samplePeriod {
		if long.Load() != 0 {
			t.Fatalf("long press after %v, want 5s", passed)
		}
		clk.Advance(samplePeriod)
		clk.BlockUntil(1)
	}
	if long.Load() != 1 {
		t.Fatalf("long presses = %d after 5s, want 1", long.Load())
	}
}

func TestButtonWithoutShortPressFunction(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	pin := &gpiotest.Pin{N: "GPIO27", Num: 27}
	b, err := NewButton(pin, 0, Options{Clock: clk, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = b.Run(ctx) }()
	clk.BlockUntil(1)
	for _, level := range []gpio.Level{down, up, down, up} {
		_ = pin.Out(level)
		for range 20 {
			clk.Advance(samplePeriod)
			clk.BlockUntil(1)
		}
	}
}

// TestDebouncerTimesThePressFromItsFirstSample checks the arithmetic the
// button tests rely on, without goroutines.
func TestDebouncerTimesThePressFromItsFirstSample(t *testing.T) {
	d := debouncer{settle: settleTime, long: time.Second}
	d.start(false, 0)
	now := time.Duration(0)
	step := func(pressed bool) press {
		now += samplePeriod
		return d.sample(pressed, now)
	}
	first := now + samplePeriod
	for {
		if p := step(true); p == longPress {
			break
		} else if p != noPress {
			t.Fatalf("got %v before the long press", p)
		}
	}
	if held := now - first; held != time.Second {
		t.Fatalf("long press reported after %v held, want 1s", held)
	}
}
