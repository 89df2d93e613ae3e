package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// AdminPassword is the first admin's password on every kiosk the harness
// starts (a fresh data directory each time).
const AdminPassword = "bench-admin-password"

// Kiosk is one running kiosk process on loopback ports.
type Kiosk struct {
	*Proc
	Dir     string // data directory
	HTTP    string // 127.0.0.1:port
	MQTT    string // 127.0.0.1:port (TCP)
	Base    string // http://127.0.0.1:port
	Debug   string // 127.0.0.1:port of its profiler (--debug-addr)
	Healthy time.Duration
	argv    []string
	log     string
}

// KioskOptions say which binary to run and how.
type KioskOptions struct {
	// Argv is the command before the kiosk's flags: the binary, or an
	// emulator and the binary.
	Argv []string
	// Dir is the data directory; LogPath receives the kiosk's output.
	Dir     string
	LogPath string
	// Extra flags, e.g. --test-clock or --max-clients.
	Extra []string
	// Poll is how often /healthz is asked during start; 2 ms when zero.
	Poll time.Duration
}

// benchPrinter is where the bench kiosks print their tickets: a character
// device, as a booth's USB printer is (/dev/usb/lp0). Every ticket is still
// laid out and encoded, QR code included; what is left out is the file
// printer's work for a person reading along (a file per ticket and a text
// preview of it), which a booth's printer does not do.
const benchPrinter = "usb:/dev/null"

// StartKiosk starts a kiosk on free loopback ports with the shop open and
// the bench admin password, and returns once /healthz answers 200. The
// time from exec to that answer is Kiosk.Healthy.
func StartKiosk(ctx context.Context, o KioskOptions) (*Kiosk, error) {
	httpAddr, err := FreePort()
	if err != nil {
		return nil, err
	}
	mqttAddr, err := FreePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	debugAddr, err := FreePort()
	if err != nil {
		return nil, err
	}
	k := &Kiosk{Dir: o.Dir, HTTP: httpAddr, MQTT: mqttAddr, Base: "http://" + httpAddr, Debug: debugAddr, log: o.LogPath}
	k.argv = append(append([]string(nil), o.Argv...), "serve", "--data", o.Dir, "--http", httpAddr, "--mqtt", mqttAddr,
		"--open", "--admin-password", AdminPassword, "--public-url", "http://"+httpAddr+"/",
		"--printer", benchPrinter, "--debug-addr", debugAddr)
	k.argv = append(k.argv, o.Extra...)
	if err := k.start(ctx, o.Poll); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Kiosk) start(ctx context.Context, poll time.Duration) error {
	if poll == 0 {
		poll = 2 * time.Millisecond
	}
	p, err := Spawn("kiosk", k.log, k.argv, kioskEnv(os.Environ()))
	if err != nil {
		return err
	}
	k.Proc = p
	at, err := WaitHealthy(ctx, p, k.Base+"/healthz", poll, 60*time.Second)
	if err != nil {
		p.Stop()
		return err
	}
	k.Healthy = at.Sub(p.Started)
	return nil
}

// Restart stops the kiosk with SIGTERM and starts it again on the same
// data directory and ports.
func (k *Kiosk) Restart(ctx context.Context, poll time.Duration) error {
	if err := k.Stop(); err != nil {
		return err
	}
	return k.start(ctx, poll)
}

// Memory reads the kiosk's resident memory.
func (k *Kiosk) Memory() (Memory, error) { return ReadMemory(k.Pid()) }

// WS is the kiosk's MQTT-over-WebSocket address.
func (k *Kiosk) WS() string { return "ws://" + k.HTTP + "/mqtt" }

// APIError is an error answer of the kiosk's API.
type APIError struct {
	Status int
	Code   string
	Body   string
}

// Error describes the answer.
func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Body) }

// Code is the API's error code of err, or "" for an error that is not an
// answer of the API.
func Code(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// clients carries every browser's requests, one pooled client per kiosk
// address, dialling only loopback. It is fasthttp's client, which answers
// a request in the caller's goroutine: net/http's hands each request to a
// reader and a writer goroutine, and at hundreds of lifecycles a second
// the harness's share of the two cores went to switching between them.
var clients sync.Map // host → *fasthttp.HostClient

func clientFor(host string) *fasthttp.HostClient {
	if c, ok := clients.Load(host); ok {
		return c.(*fasthttp.HostClient)
	}
	d := dialer(0)
	c, _ := clients.LoadOrStore(host, &fasthttp.HostClient{
		Addr:                host,
		Dial:                func(addr string) (net.Conn, error) { return d.Dial("tcp", addr) },
		MaxConns:            2048,
		MaxIdleConnDuration: 20 * time.Second, // below the kiosk's 30 s read timeout
		MaxResponseBodySize: 4 << 20,
	})
	return c.(*fasthttp.HostClient)
}

// Browser is one phone or tablet: its own cookies, echoing the CSRF cookie
// on every write as the apps do.
type Browser struct {
	base    string // http://host:port
	c       *fasthttp.HostClient
	mu      sync.Mutex
	cookies map[string]string
}

// NewBrowser returns a browser with no cookies yet.
func NewBrowser(base string) *Browser {
	u, _ := url.Parse(base)
	return &Browser{base: strings.TrimSuffix(base, "/"), c: clientFor(u.Host), cookies: map[string]string{}}
}

// requestTimeout bounds one request, as a phone's browser would.
const requestTimeout = 60 * time.Second

// busyTries is how many times a request answered busy is sent in all.
const busyTries = 5

// BusyRetries counts the requests sent again after a busy answer, for the
// steps' figures.
var BusyRetries atomic.Int64

// Do sends one request with in as JSON (nil for none) and decodes a
// successful answer into out (nil to drop it). A busy answer (503, which
// changed nothing) is tried again after its Retry-After, as a barista taps
// again, up to busyTries times in all: a lifecycle given up half way would
// leave its order in the queue for every later step to carry.
func (b *Browser) Do(ctx context.Context, method, path string, in, out any) error {
	for try := 1; ; try++ {
		wait, err := b.do(ctx, method, path, in, out)
		if wait == 0 || try == busyTries {
			return err
		}
		BusyRetries.Add(1)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// do sends the request once. wait is how long a busy answer asks the
// caller to wait before trying again, 0 for any other answer.
func (b *Browser) do(ctx context.Context, method, path string, in, out any) (wait time.Duration, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(b.base + path)
	req.Header.SetMethod(method)
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		req.SetBodyRaw(raw)
		req.Header.SetContentType("application/json")
	}
	b.mu.Lock()
	for k, v := range b.cookies {
		req.Header.SetCookie(k, v)
	}
	if tok := b.cookies["kiosk_csrf"]; tok != "" && method != http.MethodGet {
		req.Header.Set("X-Kiosk-CSRF", tok)
	}
	b.mu.Unlock()
	deadline := time.Now().Add(requestTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := b.c.DoDeadline(req, res, deadline); err != nil {
		return 0, err
	}
	b.keepCookies(res)
	raw := res.Body()
	if res.StatusCode() >= 300 {
		var eb struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &eb)
		err := &APIError{Status: res.StatusCode(), Code: eb.Error.Code, Body: strings.TrimSpace(string(raw))}
		if res.StatusCode() == http.StatusServiceUnavailable && eb.Error.Code == "busy" {
			wait = time.Second
			if n, perr := strconv.Atoi(string(res.Header.Peek("Retry-After"))); perr == nil && n > 0 {
				wait = time.Duration(n) * time.Second
			}
		}
		return wait, err
	}
	if out != nil && len(raw) > 0 {
		return 0, json.Unmarshal(raw, out)
	}
	return 0, nil
}

// keepCookies stores the cookies res sets and forgets the ones it clears.
func (b *Browser) keepCookies(res *fasthttp.Response) {
	b.mu.Lock()
	defer b.mu.Unlock()
	res.Header.VisitAllCookie(func(_, v []byte) {
		var c fasthttp.Cookie
		if c.ParseBytes(v) != nil {
			return
		}
		gone := c.MaxAge() < 0 || len(c.Value()) == 0 ||
			(!c.Expire().Equal(fasthttp.CookieExpireUnlimited) && c.Expire().Before(time.Now()))
		if gone {
			delete(b.cookies, string(c.Key()))
		} else {
			b.cookies[string(c.Key())] = string(c.Value())
		}
	})
}

// Credentials are what GET /api/realtime hands out.
type Credentials struct {
	URL           string `json:"url"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	CustomerTopic string `json:"customerTopic"`
}

// Order is the part of an order the harness reads.
type Order struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	State  string `json:"state"`
}

// Staff signs in the admin with a fresh browser.
func (k *Kiosk) Staff(ctx context.Context) (*Browser, error) {
	b := NewBrowser(k.Base)
	if err := b.Do(ctx, http.MethodGet, "/api/shop", nil, nil); err != nil {
		return nil, err
	}
	err := b.Do(ctx, http.MethodPost, "/api/session", map[string]string{"username": "admin", "password": AdminPassword}, nil)
	return b, err
}

// BenchSettings are the limits raised for a run. The QR period is the
// shortest the kiosk allows, so that (with --test-clock) a used-up code is
// replaced by moving the clock half a minute; the timeouts are the longest,
// so that no clock move ever times an order out mid-run; no daily limit.
var BenchSettings = map[string]int{
	"drinksPerCode":           1000,
	"maxInFlight":             1000,
	"drinksPerCustomerPerDay": 0,
	"qrPeriodSeconds":         30,
	"customerTimeoutSeconds":  7200,
	"baristaTimeoutSeconds":   14400,
	"readySeconds":            7200,
}

// RaiseLimits applies BenchSettings through PUT /api/settings.
func RaiseLimits(ctx context.Context, staff *Browser) error {
	return staff.Do(ctx, http.MethodPut, "/api/settings", BenchSettings, nil)
}

// FirstDrink returns the id of the first available drink on the menu.
func FirstDrink(ctx context.Context, b *Browser) (string, error) {
	var shop struct {
		Menu []struct {
			ID        string `json:"id"`
			Available bool   `json:"available"`
		} `json:"menu"`
	}
	if err := b.Do(ctx, http.MethodGet, "/api/shop", nil, &shop); err != nil {
		return "", err
	}
	for _, d := range shop.Menu {
		if d.Available {
			return d.ID, nil
		}
	}
	return "", errors.New("no drink is available on the menu")
}

// QRSource hands out the code the display shows, shared by every robot
// customer, and replaces it when the kiosk refuses it: a used-up code by
// moving the kiosk's test clock to the next period, an expired one by
// reading the display again.
type QRSource struct {
	staff *Browser
	mu    sync.Mutex
	code  string
	// Advances counts the clock moves.
	Advances int
}

// NewQRSource reads codes with the staff browser.
func NewQRSource(staff *Browser) *QRSource { return &QRSource{staff: staff} }

// Code returns the current code.
func (q *QRSource) Code(ctx context.Context) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.code == "" {
		if err := q.read(ctx); err != nil {
			return "", err
		}
	}
	return q.code, nil
}

func (q *QRSource) read(ctx context.Context) error {
	var v struct {
		Code string `json:"code"`
	}
	if err := q.staff.Do(ctx, http.MethodGet, "/api/display/qr", nil, &v); err != nil {
		return fmt.Errorf("read the QR code: %w", err)
	}
	q.code = v.Code
	return nil
}

// Refused replaces code after the kiosk refused it for reason. Only the
// first of many customers refused with the same code acts.
func (q *QRSource) Refused(ctx context.Context, code, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if code != q.code {
		return nil
	}
	if reason == "qr_used_up" {
		if err := q.staff.Do(ctx, http.MethodPost, "/api/test/clock", map[string]int{"advanceSeconds": 30}, nil); err != nil {
			return fmt.Errorf("move the test clock to the next QR period: %w", err)
		}
		q.Advances++
	}
	return q.read(ctx)
}

// Scan opens an order for the customer browser b, replacing the code as
// often as the kiosk refuses it.
func Scan(ctx context.Context, b *Browser, qr *QRSource, name string) (Order, error) {
	var o Order
	for try := 0; ; try++ {
		code, err := qr.Code(ctx)
		if err != nil {
			return o, err
		}
		err = b.Do(ctx, http.MethodPost, "/api/orders", map[string]string{"name": name, "code": code}, &o)
		switch c := Code(err); {
		case err == nil:
			return o, nil
		case (c == "qr_used_up" || c == "qr_expired") && try < 20:
			if err := qr.Refused(ctx, code, c); err != nil {
				return o, err
			}
		default:
			return o, fmt.Errorf("scan: %w", err)
		}
	}
}

// Submit chooses the drink (every option group left to its default).
func Submit(ctx context.Context, b *Browser, orderID, drinkID string) error {
	return b.Do(ctx, http.MethodPut, "/api/orders/"+orderID+"/drink", map[string]any{"drinkId": drinkID}, nil)
}

// Act is a staff action on an order: make, unmake, complete, collect or
// cancel.
func Act(ctx context.Context, staff *Browser, orderID, action string) error {
	return staff.Do(ctx, http.MethodPost, "/api/orders/"+orderID+"/"+action, nil, nil)
}

// boxMemoryLimit is the Go runtime's memory limit kiosk.service sets on the
// box; the harness measures the kiosk as it runs there.
const boxMemoryLimit = "GOMEMLIMIT=80MiB"

// kioskEnv is env with the box's memory limit, unless GOMEMLIMIT is set
// already (to measure another).
func kioskEnv(env []string) []string {
	for _, v := range env {
		if strings.HasPrefix(v, "GOMEMLIMIT=") {
			return env
		}
	}
	return append(env, boxMemoryLimit)
}

// GoMemStats are the kiosk's Go runtime counters, read from its profiler.
type GoMemStats struct {
	TotalAlloc uint64 // bytes allocated since start
	NumGC      uint64 // collections since start
}

// GoMemStats reads the runtime's counters at the end of the kiosk's heap
// profile in text form (the "# TotalAlloc = …" lines).
func (k *Kiosk) GoMemStats(ctx context.Context) (GoMemStats, error) {
	body, err := k.debugGet(ctx, "/debug/pprof/heap?debug=1")
	if err != nil {
		return GoMemStats{}, err
	}
	var st GoMemStats
	var found int
	for _, line := range strings.Split(string(body), "\n") {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "# "), " = ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "TotalAlloc":
			st.TotalAlloc = n
		case "NumGC":
			st.NumGC = n
		default:
			continue
		}
		found++
	}
	if found < 2 {
		return GoMemStats{}, fmt.Errorf("the kiosk's heap profile has no runtime counters")
	}
	return st, nil
}

// debugGet fetches a path from the kiosk's profiler.
func (k *Kiosk) debugGet(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+k.Debug+path, nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer(0).DialContext, DisableKeepAlives: true}}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", path, res.StatusCode)
	}
	return body, nil
}
