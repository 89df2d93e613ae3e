// Package clock gives the kiosk its sense of time: the wall clock for people
// and wall-aligned periods, a monotonic measure of elapsed time for every
// duration and deadline, and timers. A Raspberry Pi has no battery clock, so
// its wall time may start in the past and jump when corrected; anything that
// waits must measure with Elapsed, never with the difference of two Now calls.
//
// Tests use Fake, which moves only when told to.
package clock

import (
	"sync"
	"time"
)

// Clock is the source of time for everything in the kiosk.
type Clock interface {
	// Now is the wall clock. It may jump forwards or backwards.
	Now() time.Time
	// Elapsed is monotonic time since an arbitrary origin fixed for the life
	// of the process. It never jumps and never goes backwards.
	Elapsed() time.Duration
	// After delivers once d of monotonic time has passed.
	After(d time.Duration) <-chan time.Time
}

// Real is the machine's clock.
type Real struct{ origin time.Time }

// NewReal returns the machine's clock, with its monotonic origin set to now.
func NewReal() *Real { return &Real{origin: time.Now()} }

// Now returns the wall clock with the monotonic reading stripped, so that a
// value stored and compared later means wall time only.
func (r *Real) Now() time.Time { return time.Now().Round(0) }

// Elapsed returns the monotonic time since the clock was made.
func (r *Real) Elapsed() time.Duration { return time.Since(r.origin) }

// After waits for d on the monotonic clock.
func (r *Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Fake is a clock for tests. Advance moves wall and monotonic time together,
// as time passing does; Jump moves only the wall clock, as a correction of a
// wrong clock does.
type Fake struct {
	mu      sync.Mutex
	wall    time.Time
	mono    time.Duration
	waiters []waiter
	changed chan struct{}
}

type waiter struct {
	at time.Duration
	ch chan time.Time
}

// NewFake returns a fake clock whose wall clock reads wall.
func NewFake(wall time.Time) *Fake {
	return &Fake{wall: wall, changed: make(chan struct{})}
}

// Now returns the fake wall clock.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wall
}

// Elapsed returns the fake monotonic time.
func (f *Fake) Elapsed() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mono
}

// After returns a channel that receives once the fake clock has been
// advanced by d. A d of zero or less fires at once.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.wall
		return ch
	}
	f.waiters = append(f.waiters, waiter{at: f.mono + d, ch: ch})
	f.signal()
	return ch
}

// Advance lets d pass: both clocks move and due timers fire.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mono += d
	f.wall = f.wall.Add(d)
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.at <= f.mono {
			w.ch <- f.wall
			continue
		}
		kept = append(kept, w)
	}
	f.waiters = kept
	f.signal()
}

// Jump moves the wall clock by d (either way) without any time passing, as
// when the Pi's clock is corrected. Timers are not affected.
func (f *Fake) Jump(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wall = f.wall.Add(d)
	f.signal()
}

// Waiters reports how many timers are waiting to fire.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// BlockUntil returns once at least n timers are waiting, so a test can be
// sure a goroutine has started waiting before it advances the clock.
func (f *Fake) BlockUntil(n int) {
	for {
		f.mu.Lock()
		if len(f.waiters) >= n {
			f.mu.Unlock()
			return
		}
		ch := f.changed
		f.mu.Unlock()
		<-ch
	}
}

// signal wakes BlockUntil callers; f.mu must be held.
func (f *Fake) signal() {
	close(f.changed)
	f.changed = make(chan struct{})
}
