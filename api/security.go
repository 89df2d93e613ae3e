package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/apperr"
)

// Cookie names.
const (
	cookieSession  = "kiosk_session"  // staff or display session token (HttpOnly)
	cookieCustomer = "kiosk_customer" // signed customer id (HttpOnly)
	cookieCSRF     = "kiosk_csrf"     // double-submit token, readable by the page
	headerCSRF     = "X-Kiosk-CSRF"
)

// Cookie lifetimes, as Max-Age: the phone counts them on its own clock, so
// the Pi's wrong clock cannot make a cookie arrive already expired.
const (
	customerCookieAge = 7 * 24 * 3600
	staffCookieAge    = 24 * 3600
	displayCookieAge  = 365 * 24 * 3600
)

func setCookie(c *fiber.Ctx, name, value string, maxAge int, httpOnly bool, sameSite string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HTTPOnly: httpOnly,
		SameSite: sameSite, Secure: c.Protocol() == "https"})
}

func clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// headers sets the security headers on every response. The Content
// Security Policy allows only this origin, including the broker's WebSocket
// on this origin (named explicitly for browsers that do not count ws: as
// 'self').
func headers(c *fiber.Ctx) error {
	host := c.Hostname()
	ws := "ws://" + host
	if c.Protocol() == "https" {
		ws = "wss://" + host
	}
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self' "+ws+"; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	return c.Next()
}

// csrf guards every cookie-authenticated write with a double-submit token:
// a cookie the page can read, echoed in a header that another site's page
// cannot set. Safe methods hand out the cookie.
func csrf(c *fiber.Ctx) error {
	tok := c.Cookies(cookieCSRF)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		if tok == "" {
			setCookie(c, cookieCSRF, randomToken(), 0, false, fiber.CookieSameSiteStrictMode)
		}
		return c.Next()
	}
	if c.Cookies(cookieSession) == "" && c.Cookies(cookieCustomer) == "" {
		return c.Next() // no ambient credentials to abuse; sign-in itself is checked by Origin
	}
	sent := c.Get(headerCSRF)
	if tok == "" || sent == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(sent)) != 1 {
		return apperr.CSRFFailed
	}
	return c.Next()
}

// sameOrigin refuses writes whose Origin header names another site: a
// second guard for the writes that carry no cookie yet (sign-in, the first
// scan).
func sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return c.Next()
	}
	u, err := url.Parse(origin)
	if err != nil || !strings.EqualFold(u.Host, string(c.Request().Host())) {
		return apperr.CSRFFailed.With("Requests from other sites are not accepted.")
	}
	return c.Next()
}
