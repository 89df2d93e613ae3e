package clock

import (
	"sync"
	"time"
)

// Adjustable is the machine's clock plus an offset that can be moved
// forward. A kiosk started for end-to-end tests runs on it, so a test can let
// fifteen minutes pass in an instant and watch every deadline fire as it
// would; timers waiting on it fire as soon as an advance makes them due.
// Never used on a real booth.
type Adjustable struct {
	base *Real

	mu      sync.Mutex
	offset  time.Duration
	changed chan struct{}
}

// NewAdjustable returns the machine's clock with no offset yet.
func NewAdjustable() *Adjustable {
	return &Adjustable{base: NewReal(), changed: make(chan struct{})}
}

func (a *Adjustable) state() (time.Duration, chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.offset, a.changed
}

// Now is the wall clock plus the offset.
func (a *Adjustable) Now() time.Time {
	off, _ := a.state()
	return a.base.Now().Add(off)
}

// Elapsed is monotonic time plus the offset.
func (a *Adjustable) Elapsed() time.Duration {
	off, _ := a.state()
	return a.base.Elapsed() + off
}

// After fires once d has passed, counting advances.
func (a *Adjustable) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	due := a.Elapsed() + d
	go func() {
		for {
			off, changed := a.state()
			left := due - (a.base.Elapsed() + off)
			if left <= 0 {
				ch <- a.Now()
				return
			}
			t := time.NewTimer(left)
			select {
			case <-t.C:
			case <-changed:
				t.Stop()
			}
		}
	}()
	return ch
}

// Advance moves both clocks forward by d (a negative d is ignored: time
// never runs backwards here) and wakes every timer to look again.
func (a *Adjustable) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.offset += d
	close(a.changed)
	a.changed = make(chan struct{})
}
