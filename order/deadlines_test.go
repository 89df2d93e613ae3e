package order

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
)

func TestCustomerTimeout(t *testing.T) {
	b := newBar(t)
	o := b.open(customer(1))
	b.env.Clock.Advance(15*time.Minute - time.Millisecond)
	if n := b.fire(); n != 0 {
		t.Fatalf("%d fired a millisecond early", n)
	}
	if got := b.state(o.ID).TimeLeftMs; got != 1 {
		t.Fatalf("time left %d ms, want 1", got)
	}
	from := b.env.Head(t)
	b.env.Clock.Advance(time.Millisecond)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d fired, want 1", n)
	}
	if got := b.env.Types(t, from); !slices.Equal(got, []string{evTimeOut, evFinished}) {
		t.Fatalf("events %v", got)
	}
	if to := details[*events.OrderTimeOut](t, b, from); to[0].Cause != "customer" {
		t.Fatalf("cause %q", to[0].Cause)
	}
	if f := details[*events.OrderFinished](t, b, from); f[0].Outcome != "timed_out" {
		t.Fatalf("outcome %q", f[0].Outcome)
	}
	got := b.state(o.ID)
	if got.State != Cancelled || got.EndReason != EndCustomerTimeout {
		t.Fatalf("order %+v", got)
	}
	b.env.Clock.Advance(time.Hour)
	if n := b.fire(); n != 0 {
		t.Fatalf("a deadline fired twice (%d)", n)
	}
}

func TestBaristaTimeoutCountsFromTheQueueNotFromMake(t *testing.T) {
	b := newBar(t)
	o := b.queued(customer(1))
	b.env.Clock.Advance(10 * time.Minute)
	if _, err := b.orders.Make(b.ctx, barista, o.ID); err != nil {
		t.Fatal(err)
	}
	b.env.Clock.Advance(5*time.Minute - time.Millisecond)
	if n := b.fire(); n != 0 {
		t.Fatalf("fired early")
	}
	from := b.env.Head(t)
	b.env.Clock.Advance(time.Millisecond)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d fired", n)
	}
	if to := details[*events.OrderTimeOut](t, b, from); len(to) != 1 || to[0].Cause != "barista" || to[0].OrderNumber != 1 {
		t.Fatalf("timeouts %+v", to)
	}
	if got := b.state(o.ID); got.State != Cancelled || got.EndReason != EndBaristaTimeout {
		t.Fatalf("order %+v", got)
	}
}

func TestReadyDrinkLeavesTheListOnceItsTimeIsUp(t *testing.T) {
	b := newBar(t)
	o := b.ready(customer(1), barista)
	collected := b.ready(customer(2), barista)
	b.orders.Collect(b.ctx, barista, collected.ID)
	from := b.env.Head(t)
	b.env.Clock.Advance(10 * time.Minute)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d fired, want 1 (the collected drink has no deadline)", n)
	}
	c := details[*events.OrderCollected](t, b, from)
	if len(c) != 1 || c[0].OrderID != o.ID || c[0].By != "expired" {
		t.Fatalf("collected %+v", c)
	}
	if b.state(o.ID).Ready {
		t.Fatal("still ready")
	}
}

func TestSettingsApplyToNewDeadlinesOnly(t *testing.T) {
	b := newBar(t)
	old := b.open(customer(1))
	b.settings(func(s *shop.Settings) { s.CustomerTimeoutSeconds = 60 })
	fresh := b.open(customer(2))
	b.env.Clock.Advance(time.Minute)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d fired, want only the new order's", n)
	}
	if b.state(fresh.ID).State != Cancelled || b.state(old.ID).State != Waiting {
		t.Fatal("the wrong order timed out")
	}
}

func TestWallClockJumpForwardFiresNothingEarly(t *testing.T) {
	b := newBar(t)
	waiting, queued, making := b.open(customer(1)), b.queued(customer(2)), b.making(customer(3), barista)
	b.env.Clock.Advance(time.Minute)
	b.env.Clock.Jump(90 * 24 * time.Hour) // the Pi learns the real date
	if n := b.fire(); n != 0 {
		t.Fatalf("a forward jump fired %d deadlines", n)
	}
	for _, id := range []string{waiting.ID, queued.ID, making.ID} {
		if o := b.state(id); !o.State.Open() || o.TimeLeftMs != 14*60_000 {
			t.Fatalf("order after jump: %+v", o)
		}
	}
	b.env.Clock.Advance(14 * time.Minute)
	if n := b.fire(); n != 3 {
		t.Fatalf("%d fired at the real deadline, want 3", n)
	}
}

func TestWallClockJumpBackwardDelaysNothing(t *testing.T) {
	b := newBar(t)
	o := b.open(customer(1))
	b.env.Clock.Jump(-365 * 24 * time.Hour)
	b.env.Clock.Advance(15 * time.Minute)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d fired after a backward jump, want 1", n)
	}
	if b.state(o.ID).State != Cancelled {
		t.Fatal("the order waits forever")
	}
}

func TestOffTimeDoesNotCountAfterRestart(t *testing.T) {
	b := newBar(t)
	o := b.open(customer(1))
	b.env.Clock.Advance(10 * time.Minute)
	b.queued(customer(2)) // writes an event: the running time is kept up to here
	b.restart()
	b.env.Clock.Jump(3 * time.Hour) // the box was off for three hours
	if n := b.fire(); n != 0 {
		t.Fatalf("%d fired on restart", n)
	}
	if got := b.state(o.ID).TimeLeftMs; got != 5*60_000 {
		t.Fatalf("time left after restart %d ms, want 5 minutes", got)
	}
	b.env.Clock.Advance(5 * time.Minute)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d fired, want 1", n)
	}
}

func TestRunLoopFiresDeadlines(t *testing.T) {
	b := newBar(t)
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan struct{})
	go func() { b.orders.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	o := b.open(customer(1))
	for b.state(o.ID).State == Waiting {
		if b.env.Clock.Elapsed() > time.Hour {
			t.Fatal("the loop never fired the deadline")
		}
		b.env.Clock.BlockUntil(1)
		b.env.Clock.Advance(10 * time.Second)
		waitFor(t, func() bool { return b.env.Clock.Waiters() > 0 || b.state(o.ID).State != Waiting })
	}
	if got := b.state(o.ID); got.EndReason != EndCustomerTimeout {
		t.Fatalf("order %+v", got)
	}
	if b.env.Clock.Elapsed() < 15*time.Minute {
		t.Fatalf("fired after %v, before the deadline", b.env.Clock.Elapsed())
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// guard; it waits for another goroutine, never for a deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	guard := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(guard) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDeadlineSoonerThanTheLoopsSleepWakesIt(t *testing.T) {
	b := newBar(t)
	b.settings(func(s *shop.Settings) { s.ReadySeconds = 10 })
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan struct{})
	go func() { b.orders.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// A waiting order's deadline is minutes away: the loop sleeps its
	// longest and a deadline set after it needs no wake-up.
	b.open(customer(1))
	longest := ms(b.env.Store.RunTime() + maxWait)
	waitFor(t, func() bool { return b.orders.sleepsUntil.Load() == longest && b.env.Clock.Waiters() > 0 })
	b.orders.wakeDeadlines(longest + 1)
	if len(b.orders.wake) != 0 {
		t.Fatal("a deadline after the loop's wake-up woke it")
	}

	// A drink ready for ten seconds must leave the list after ten, not
	// when the loop would have looked again.
	o := b.ready(customer(2), barista)
	due := ms(b.env.Store.RunTime() + 10*time.Second)
	waitFor(t, func() bool { return b.orders.sleepsUntil.Load() == due })
	b.env.Clock.Advance(10 * time.Second)
	waitFor(t, func() bool { return !b.state(o.ID).Ready })
}
