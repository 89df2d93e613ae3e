package captive

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/clock"
)

const portal = "http://coffee.lan/order"

// server runs the portal in front of a stand-in app on a free port of
// 127.0.0.1 and returns the address to send requests to.
func server(t *testing.T, p *Portal) string {
	t.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(p.Handler())
	app.All("/*", func(c *fiber.Ctx) error { return c.SendString("kiosk app " + c.Path()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return ln.Addr().String()
}

type reply struct {
	status      int
	location    string
	contentType string
	cache       string
	body        string
}

// get sends GET path to addr with the given Host header, without following
// redirects, as a phone's probe does.
func get(t *testing.T, addr, host, path string) reply {
	t.Helper()
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Close = true // no idle connections left to hold up Shutdown
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), string(body)}
}

func newPortal(t *testing.T, cfg Config) *Portal {
	t.Helper()
	if cfg.PortalURL == "" {
		cfg.PortalURL = portal
	}
	if cfg.OwnHosts == nil {
		cfg.OwnHosts = []string{"10.42.0.1"}
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantPortal(t *testing.T, r reply, what string) {
	t.Helper()
	if r.status != http.StatusFound || r.location != portal {
		t.Errorf("%s: got %d Location %q, want 302 to %s", what, r.status, r.location, portal)
	}
	if r.cache != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, r.cache)
	}
}

func TestProbesBeforeAndAfterAllow(t *testing.T) {
	probes := []struct {
		platform    string
		host, path  string
		status      int
		contentType string // a prefix
		body        string
	}{
		{"Android", "connectivitycheck.gstatic.com", "/generate_204", 204, "", ""},
		{"Android", "clients3.google.com", "/generate_204", 204, "", ""},
		{"Android", "connectivitycheck.android.com", "/generate_204", 204, "", ""},
		{"Android", "www.google.com", "/gen_204", 204, "", ""},
		{"Android maker's own", "connect.rom.miui.com", "/generate_204", 204, "", ""},
		{"iOS", "captive.apple.com", "/hotspot-detect.html", 200, "text/html", appleSuccess},
		{"macOS", "www.apple.com", "/library/test/success.html", 200, "text/html", appleSuccess},
		{"old iOS", "www.appleiphonecell.com", "/Xa9Zb/K1w2/Qq0.html", 200, "text/html", appleSuccess},
		{"Windows", "www.msftconnecttest.com", "/connecttest.txt", 200, "text/plain", "Microsoft Connect Test"},
		{"old Windows", "www.msftncsi.com", "/ncsi.txt", 200, "text/plain", "Microsoft NCSI"},
		{"Firefox", "detectportal.firefox.com", "/success.txt?ipv4", 200, "text/plain", "success\n"},
		{"Firefox", "detectportal.firefox.com", "/canonical.html", 200, "text/html",
			`<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>`},
	}
	p := newPortal(t, Config{})
	addr := server(t, p)

	for _, pr := range probes {
		wantPortal(t, get(t, addr, pr.host, pr.path), pr.platform+" "+pr.host+" before Allow")
	}
	if !p.Allow("127.0.0.1") {
		t.Fatal("Allow refused 127.0.0.1")
	}
	for _, pr := range probes {
		r := get(t, addr, pr.host, pr.path)
		what := pr.platform + " " + pr.host + pr.path + " after Allow"
		if r.status != pr.status || r.body != pr.body || r.location != "" {
			t.Errorf("%s: got %d %q Location %q, want %d %q", what, r.status, r.body, r.location, pr.status, pr.body)
		}
		if !strings.HasPrefix(r.contentType, pr.contentType) {
			t.Errorf("%s: Content-Type %q, want %q", what, r.contentType, pr.contentType)
		}
		if r.cache != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", what, r.cache)
		}
	}
	p.Forget("127.0.0.1")
	wantPortal(t, get(t, addr, "captive.apple.com", "/hotspot-detect.html"), "Apple probe after Forget")
}

func TestOtherSitesGoToThePortal(t *testing.T) {
	p := newPortal(t, Config{})
	addr := server(t, p)
	p.Allow("127.0.0.1")
	for _, target := range []struct{ host, path string }{
		{"example.com", "/"},
		{"www.google.com", "/search?q=coffee"},
		{"www.msftconnecttest.com", "/redirect"},
		{"detectportal.firefox.com", "/"},
		{"8.8.8.8", "/"},
		{"news.example.org:8080", "/story"},
	} {
		wantPortal(t, get(t, addr, target.host, target.path), target.host+target.path)
	}
}

func TestOwnHostsPassThrough(t *testing.T) {
	p := newPortal(t, Config{OwnHosts: []string{"10.42.0.1", "Kiosk.Lan"}})
	addr := server(t, p)
	for _, host := range []string{
		"coffee.lan",     // from the portal URL
		"COFFEE.LAN.",    // as some clients write it
		"coffee.lan:80",  // with a port
		"10.42.0.1",      // listed
		"kiosk.lan",      // listed, in another case
		"localhost:8080", // the display browser
		"127.0.0.1",
		"[::1]:80",
		addr, // the address the request arrived on
	} {
		r := get(t, addr, host, "/display")
		if r.status != http.StatusOK || r.body != "kiosk app /display" {
			t.Errorf("Host %q: got %d %q Location %q, want the app", host, r.status, r.body, r.location)
		}
	}
}

func TestRequestWithoutHostPassesThrough(t *testing.T) {
	addr := server(t, newPortal(t, Config{}))
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET /display HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(resp), "HTTP/1.1 200") || !strings.HasSuffix(string(resp), "kiosk app /display") {
		t.Errorf("an HTTP/1.0 request without Host got %q, want the app", resp)
	}
}

func TestAllowExpiresOnElapsedTime(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	const allowFor = 10 * time.Minute
	p := newPortal(t, Config{AllowFor: allowFor, Clock: clk})
	addr := server(t, p)
	probe := func() reply { return get(t, addr, "connectivitycheck.gstatic.com", "/generate_204") }

	p.Allow("127.0.0.1")
	clk.Advance(allowFor - time.Second)
	if r := probe(); r.status != http.StatusNoContent {
		t.Fatalf("just before expiry: %d, want 204", r.status)
	}
	// The probe renewed it: another almost-full period is fine.
	clk.Advance(allowFor - time.Second)
	if r := probe(); r.status != http.StatusNoContent {
		t.Fatalf("after a renewing probe: %d, want 204", r.status)
	}
	// Wall clock corrections change nothing.
	clk.Jump(72 * time.Hour)
	if r := probe(); r.status != http.StatusNoContent {
		t.Fatalf("after a wall clock jump: %d, want 204", r.status)
	}
	clk.Advance(allowFor)
	wantPortal(t, probe(), "after AllowFor without probes")
	if p.Allowed("127.0.0.1") || p.Len() != 0 {
		t.Errorf("expired phone still listed: Allowed %v, Len %d", p.Allowed("127.0.0.1"), p.Len())
	}
}

func TestAllowedSetIsBounded(t *testing.T) {
	clk := clock.NewFake(time.Now())
	p := newPortal(t, Config{MaxClients: 3, Clock: clk})
	for _, ip := range []string{"10.42.0.10", "10.42.0.11", "10.42.0.12"} {
		p.Allow(ip)
		clk.Advance(time.Second)
	}
	p.Allow("10.42.0.10") // used again: now the most recent
	p.Allow("10.42.0.13") // full: the longest idle, .11, goes
	if p.Len() != 3 {
		t.Errorf("Len %d, want 3", p.Len())
	}
	for ip, want := range map[string]bool{"10.42.0.10": true, "10.42.0.11": false, "10.42.0.12": true, "10.42.0.13": true} {
		if got := p.Allowed(ip); got != want {
			t.Errorf("Allowed(%s) = %v, want %v", ip, got, want)
		}
	}
	for i := range 100 {
		p.Allow(fmt.Sprintf("10.42.1.%d", i))
	}
	if p.Len() != 3 {
		t.Errorf("after 100 more phones Len %d, want 3", p.Len())
	}
}

func TestAllowAddressForms(t *testing.T) {
	p := newPortal(t, Config{})
	if p.Allow("not an ip") || p.Allowed("not an ip") {
		t.Error("a malformed address was let through")
	}
	p.Allow("::ffff:10.42.0.7")
	if !p.Allowed("10.42.0.7") {
		t.Error("an IPv4-mapped address did not match its IPv4 form")
	}
	p.Allow("fe80::1")
	if !p.Allowed("fe80::1") || p.Allowed("fe80::2") {
		t.Error("IPv6 addresses are not told apart")
	}
}

func TestNewRefusesBadPortalURL(t *testing.T) {
	for _, u := range []string{"", "coffee.lan/order", "/order", "ftp://coffee.lan/", "http://"} {
		if _, err := New(Config{PortalURL: u}); err == nil {
			t.Errorf("portal URL %q accepted", u)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	p := newPortal(t, Config{MaxClients: 16})
	addr := server(t, p)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				p.Allow(fmt.Sprintf("10.42.%d.%d", i, j))
				p.Allowed("10.42.0.1")
				if j%5 == 0 {
					get(t, addr, "captive.apple.com", "/hotspot-detect.html")
				}
			}
		}()
	}
	wg.Wait()
	if p.Len() != 16 {
		t.Errorf("Len %d, want the bound 16", p.Len())
	}
}
