// Package captive makes phones open the ordering page when they join the
// booth's Wi-Fi, and keep the Wi-Fi afterwards.
//
// Phones check whether a new network reaches the internet by fetching a
// known page over plain HTTP (a "probe"). The box's DNS answers every name
// with the box's own address, so those probes arrive here. Until a phone
// has been let through with Allow, its probes get a redirect to the
// ordering page, which the phone shows in its sign-in sheet. After Allow
// they get exactly the answer the phone's maker expects, so the phone
// decides it is online and stays on the booth's Wi-Fi. Requests for any
// other name (a browser trying some website) also go to the ordering page;
// requests for the box's own names pass through to the app.
//
// Phones are told apart by IP address, which the box's DHCP hands out for
// a short time, so being let through expires.
package captive

import (
	"container/list"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/clock"
)

// The families of devices that probe the same way, for the log.
const (
	android = "android"
	apple   = "apple"
	windows = "windows"
	firefox = "firefox"
)

// The exact bodies that mean "online" to each platform.
const (
	appleSuccess     = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
	windowsConnect   = "Microsoft Connect Test"
	windowsNCSI      = "Microsoft NCSI"
	firefoxSuccess   = "success\n"
	firefoxCanonical = `<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>`
)

// probe is one known probe: the platform and, once the phone is let
// through, the answer it expects.
type probe struct {
	platform    string
	status      int
	contentType string
	body        string
}

var (
	android204  = probe{android, fiber.StatusNoContent, "", ""}
	appleOnline = probe{apple, fiber.StatusOK, fiber.MIMETextHTMLCharsetUTF8, appleSuccess}
)

// probes are the known probe URLs, keyed by host and path.
var probes = map[string]probe{
	"connectivitycheck.gstatic.com/generate_204": android204,
	"www.gstatic.com/generate_204":               android204,
	"clients3.google.com/generate_204":           android204,
	"clients1.google.com/generate_204":           android204,
	"connectivitycheck.android.com/generate_204": android204,
	"play.googleapis.com/generate_204":           android204,
	"www.google.com/gen_204":                     android204,
	"www.google.com/generate_204":                android204,

	"captive.apple.com/hotspot-detect.html":       appleOnline,
	"www.apple.com/library/test/success.html":     appleOnline,
	"captive.apple.com/library/test/success.html": appleOnline,

	"www.msftconnecttest.com/connecttest.txt":  {windows, fiber.StatusOK, fiber.MIMETextPlain, windowsConnect},
	"ipv6.msftconnecttest.com/connecttest.txt": {windows, fiber.StatusOK, fiber.MIMETextPlain, windowsConnect},
	"www.msftncsi.com/ncsi.txt":                {windows, fiber.StatusOK, fiber.MIMETextPlain, windowsNCSI},

	"detectportal.firefox.com/success.txt":    {firefox, fiber.StatusOK, fiber.MIMETextPlain, firefoxSuccess},
	"detectportal.firefox.com/canonical.html": {firefox, fiber.StatusOK, fiber.MIMETextHTML, firefoxCanonical},
}

// appleHosts are names older iOS and macOS versions probe with made-up
// paths; any path on them is a probe.
var appleHosts = map[string]bool{
	"captive.apple.com":       true,
	"www.appleiphonecell.com": true,
	"www.itools.info":         true,
	"www.ibook.info":          true,
	"www.airport.us":          true,
	"www.thinkdifferent.us":   true,
}

// The defaults for Config.
const (
	// DefaultMaxClients bounds the memory the allowed set takes; far more
	// phones than one access point can hold.
	DefaultMaxClients = 4096
	// DefaultAllowFor matches a short DHCP lease: after that the address
	// may belong to another phone. Each probe answered "online" renews it,
	// so a phone that stays keeps its Wi-Fi.
	DefaultAllowFor = time.Hour
)

// Config sets up a Portal.
type Config struct {
	// PortalURL is where phones are sent: the ordering page, for example
	// http://coffee.lan/. Its host is one of the box's own names.
	PortalURL string
	// OwnHosts are the box's other names and addresses (without ports),
	// such as "10.42.0.1" and "coffee.lan". Requests for them, for
	// localhost, for any loopback address, and for the address the request
	// arrived on pass through to the app.
	OwnHosts []string
	// MaxClients bounds how many phones are remembered as let through; the
	// longest idle is forgotten first. Zero means DefaultMaxClients.
	MaxClients int
	// AllowFor is how long a phone stays let through after Allow or its
	// last probe. Zero means DefaultAllowFor.
	AllowFor time.Duration
	// Clock measures AllowFor on its monotonic time. Nil means the real
	// clock.
	Clock clock.Clock
	// Log receives one line per phone let through. Nil means slog.Default.
	Log *slog.Logger
}

// Portal answers captive-portal probes and remembers which phones have
// been let through. It is safe for concurrent use.
type Portal struct {
	portalURL string
	own       map[string]bool
	max       int
	allowFor  time.Duration
	clk       clock.Clock
	log       *slog.Logger

	mu     sync.Mutex
	byAddr map[netip.Addr]*list.Element
	byIdle *list.List // of *entry, least recently seen first
}

type entry struct {
	addr    netip.Addr
	expires time.Duration // on clk.Elapsed
}

// New returns a Portal, or an error if PortalURL is not an absolute http
// or https URL.
func New(cfg Config) (*Portal, error) {
	u, err := url.Parse(cfg.PortalURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("captive: portal URL %q is not an absolute http URL", cfg.PortalURL)
	}
	p := &Portal{
		portalURL: cfg.PortalURL,
		own:       map[string]bool{"localhost": true},
		max:       cfg.MaxClients,
		allowFor:  cfg.AllowFor,
		clk:       cfg.Clock,
		log:       cfg.Log,
		byAddr:    map[netip.Addr]*list.Element{},
		byIdle:    list.New(),
	}
	if p.max <= 0 {
		p.max = DefaultMaxClients
	}
	if p.allowFor <= 0 {
		p.allowFor = DefaultAllowFor
	}
	if p.clk == nil {
		p.clk = clock.NewReal()
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	for _, h := range append(cfg.OwnHosts, u.Hostname()) {
		p.own[normalizeHost(h)] = true
	}
	return p, nil
}

// Handler returns the Fiber middleware. Mount it first, with app.Use, so
// it sees every request.
func (p *Portal) Handler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		host := normalizeHost(string(c.Request().Host()))
		if p.isOwn(host, c) {
			return c.Next()
		}
		pr, isProbe := lookup(host, c.Path())
		client, _ := netip.AddrFromSlice(c.Context().RemoteIP())
		c.Set(fiber.HeaderCacheControl, "no-store")
		if !isProbe {
			return c.Redirect(p.portalURL, fiber.StatusFound)
		}
		online := p.touch(client.Unmap())
		p.log.Debug("captive portal probe", "platform", pr.platform, "host", host, "ip", client.Unmap().String(), "online", online)
		if !online {
			return c.Redirect(p.portalURL, fiber.StatusFound)
		}
		if pr.contentType != "" {
			c.Set(fiber.HeaderContentType, pr.contentType)
		}
		return c.Status(pr.status).SendString(pr.body)
	}
}

// isOwn reports whether a request is for the box itself rather than for
// some other site.
func (p *Portal) isOwn(host string, c *fiber.Ctx) bool {
	if host == "" || p.own[host] {
		return true
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	if addr.IsLoopback() {
		return true
	}
	local, ok := c.Context().LocalAddr().(*net.TCPAddr)
	if !ok {
		return false
	}
	l, _ := netip.AddrFromSlice(local.IP)
	return l.Unmap() == addr.Unmap()
}

// lookup finds the probe for a host and path. Besides the table, any path
// on an Apple probe host, and /generate_204 on any host (phone makers run
// their own copies), count as probes.
func lookup(host, path string) (probe, bool) {
	if pr, ok := probes[host+path]; ok {
		return pr, true
	}
	if appleHosts[host] {
		return appleOnline, true
	}
	if path == "/generate_204" || path == "/gen_204" {
		return android204, true
	}
	return probe{}, false
}

// normalizeHost lowercases a Host header and drops its port, brackets and
// trailing dot.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	return strings.TrimSuffix(h, ".")
}

// Allow lets the phone at ip through: from now on its probes are answered
// "online", until it has sent none for AllowFor. Call it when the phone
// has opened an order or tapped continue. An unparsable ip is ignored and
// reported false.
func (p *Portal) Allow(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clk.Elapsed()
	p.expire(now)
	if el, ok := p.byAddr[addr]; ok {
		el.Value.(*entry).expires = now + p.allowFor
		p.byIdle.MoveToBack(el)
		return true
	}
	for p.byIdle.Len() >= p.max {
		p.remove(p.byIdle.Front())
	}
	p.byAddr[addr] = p.byIdle.PushBack(&entry{addr: addr, expires: now + p.allowFor})
	p.log.Info("phone let through the captive portal", "ip", addr.String(), "for", p.allowFor)
	return true
}

// Forget makes the phone at ip see the portal again.
func (p *Portal) Forget(ip string) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if el, ok := p.byAddr[addr.Unmap()]; ok {
		p.remove(el)
	}
}

// Allowed reports whether the phone at ip is let through now.
func (p *Portal) Allowed(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(p.clk.Elapsed())
	_, ok := p.byAddr[addr.Unmap()]
	return ok
}

// Len returns how many phones are let through now.
func (p *Portal) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(p.clk.Elapsed())
	return p.byIdle.Len()
}

// touch reports whether addr is let through and, if so, renews it.
func (p *Portal) touch(addr netip.Addr) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clk.Elapsed()
	p.expire(now)
	el, ok := p.byAddr[addr]
	if !ok {
		return false
	}
	el.Value.(*entry).expires = now + p.allowFor
	p.byIdle.MoveToBack(el)
	return true
}

// expire drops entries past their time. Every entry lasts the same
// AllowFor from its last use, so the list is in expiry order and only its
// front needs looking at. p.mu must be held.
func (p *Portal) expire(now time.Duration) {
	for el := p.byIdle.Front(); el != nil && el.Value.(*entry).expires <= now; el = p.byIdle.Front() {
		p.remove(el)
	}
}

// remove drops one entry; p.mu must be held.
func (p *Portal) remove(el *list.Element) {
	delete(p.byAddr, el.Value.(*entry).addr)
	p.byIdle.Remove(el)
}
