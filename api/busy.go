package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/apperr"
)

// How many API requests the kiosk works on at once, unless Deps say
// otherwise. A Pi answers a request in a few milliseconds, so these are
// reached only when more arrive than it can serve; a booth's busiest
// minute stays far below them.
const (
	DefaultMaxRequests      = 256
	DefaultMaxStaffRequests = 128
)

// admission bounds the API requests under way at once. Past the bound a
// request is answered at once with busy (503, Retry-After: 1) instead of
// waiting behind the others: a kiosk that takes every request when more
// arrive than it can serve answers all of them ever more slowly, and
// falls behind on the screens and tickets too. Requests that carry a
// session cookie (staff and the display) have a bound of their own, so a
// crowd of phones cannot keep the baristas from working the queue. A
// refused request has changed nothing.
type admission struct {
	others, sessions chan struct{}
}

func newAdmission(others, sessions int) *admission {
	if others <= 0 {
		others = DefaultMaxRequests
	}
	if sessions <= 0 {
		sessions = DefaultMaxStaffRequests
	}
	return &admission{others: make(chan struct{}, others), sessions: make(chan struct{}, sessions)}
}

func (a *admission) handle(c *fiber.Ctx) error {
	slots := a.others
	if c.Cookies(cookieSession) != "" {
		slots = a.sessions
	}
	select {
	case slots <- struct{}{}:
	default:
		c.Set(fiber.HeaderRetryAfter, "1")
		return apperr.Busy
	}
	defer func() { <-slots }()
	return c.Next()
}
