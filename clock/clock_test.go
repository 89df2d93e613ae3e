package clock

import (
	"strings"
	"testing"
	"time"
)

func TestFakeAdvanceFiresDueTimersOnly(t *testing.T) {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	f := NewFake(start)
	early := f.After(time.Second)
	late := f.After(time.Minute)

	f.Advance(2 * time.Second)
	select {
	case got := <-early:
		if !got.Equal(start.Add(2 * time.Second)) {
			t.Fatalf("early timer delivered %v", got)
		}
	default:
		t.Fatal("timer due after 1s did not fire after 2s")
	}
	select {
	case <-late:
		t.Fatal("timer due after 1m fired after 2s")
	default:
	}
	if f.Waiters() != 1 {
		t.Fatalf("waiters = %d, want 1", f.Waiters())
	}
	if f.Elapsed() != 2*time.Second {
		t.Fatalf("elapsed = %v", f.Elapsed())
	}
}

func TestFakeJumpMovesWallOnly(t *testing.T) {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	f := NewFake(start)
	timer := f.After(time.Minute)
	f.Jump(30 * 24 * time.Hour)
	f.Jump(-60 * 24 * time.Hour)
	if got := f.Now(); !got.Equal(start.Add(-30 * 24 * time.Hour)) {
		t.Fatalf("wall = %v", got)
	}
	if f.Elapsed() != 0 {
		t.Fatalf("a jump moved monotonic time to %v", f.Elapsed())
	}
	select {
	case <-timer:
		t.Fatal("a wall-clock jump fired a timer")
	default:
	}
}

func TestFakeBlockUntilSeesWaiter(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	done := make(chan struct{})
	go func() {
		<-f.After(time.Second)
		close(done)
	}()
	f.BlockUntil(1)
	f.Advance(time.Second)
	<-done
}

func TestRealElapsedIsMonotonic(t *testing.T) {
	r := NewReal()
	a := r.Elapsed()
	b := r.Elapsed()
	if b < a {
		t.Fatalf("elapsed went backwards: %v then %v", a, b)
	}
	if s := r.Now().String(); strings.Contains(s, "m=") {
		t.Fatalf("Now kept a monotonic reading: %s", s)
	}
}

func TestAdjustableAdvanceFiresTimersEarly(t *testing.T) {
	a := NewAdjustable()
	before := a.Elapsed()
	long := a.After(time.Hour)
	short := a.After(time.Millisecond)
	<-short // a short timer fires on its own
	a.Advance(59 * time.Minute)
	select {
	case <-long:
		t.Fatal("fired before it was due")
	case <-time.After(20 * time.Millisecond):
	}
	a.Advance(2 * time.Minute)
	select {
	case <-long:
	case <-time.After(5 * time.Second):
		t.Fatal("an advance past the deadline did not fire the timer")
	}
	if a.Elapsed()-before < 61*time.Minute {
		t.Fatalf("elapsed moved %v", a.Elapsed()-before)
	}
	a.Advance(-time.Hour)
	if a.Elapsed()-before < 61*time.Minute {
		t.Fatal("a negative advance moved time back")
	}
}
