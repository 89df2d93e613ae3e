package auth

import (
	"sync"
	"time"

	"github.com/coffeebar/kiosk/clock"
)

// Login throttling: failures per account and per client within a window,
// measured on the monotonic clock so a wall-clock jump can neither lock
// staff out nor lift the limit.
const (
	failWindow        = 5 * time.Minute
	maxAccountFails   = 5
	maxClientFails    = 20
	maxLimiterEntries = 10000
)

type limiter struct {
	clk   clock.Clock
	mu    sync.Mutex
	fails map[string][]time.Duration
}

func newLimiter(clk clock.Clock) *limiter {
	return &limiter{clk: clk, fails: map[string][]time.Duration{}}
}

// recent drops failures older than the window and returns what is left;
// l.mu must be held.
func (l *limiter) recent(key string) []time.Duration {
	now := l.clk.Elapsed()
	kept := l.fails[key][:0]
	for _, at := range l.fails[key] {
		if now-at < failWindow {
			kept = append(kept, at)
		}
	}
	if len(kept) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = kept
	return kept
}

// blocked reports whether any key has reached its limit.
func (l *limiter) blocked(account, client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent("a:"+account)) >= maxAccountFails || len(l.recent("c:"+client)) >= maxClientFails
}

// fail records a failed attempt against both keys.
func (l *limiter) fail(account, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= maxLimiterEntries {
		for k := range l.fails {
			l.recent(k)
		}
		if len(l.fails) >= maxLimiterEntries {
			return // flooded with fresh keys; the per-key limits still hold for known keys
		}
	}
	now := l.clk.Elapsed()
	l.fails["a:"+account] = append(l.fails["a:"+account], now)
	l.fails["c:"+client] = append(l.fails["c:"+client], now)
}

// succeed clears an account's failures after a good sign-in.
func (l *limiter) succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "a:"+account)
}
