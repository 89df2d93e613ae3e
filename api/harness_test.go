package api

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/booth"
	"github.com/coffeebar/kiosk/closeout"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/hardware"
	"github.com/coffeebar/kiosk/hardware/escpos"
	"github.com/coffeebar/kiosk/hardware/printer"
	"github.com/coffeebar/kiosk/health"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

func TestMain(m *testing.M) {
	auth.SetTestCost(bcrypt.MinCost)
	os.Exit(m.Run())
}

// harness is a kiosk API over a real database with a fake clock.
type harness struct {
	t       testing.TB
	env     *testkit.Env
	shop    *shop.Service
	qr      *qr.Validator
	orders  *order.Service
	auth    *auth.Service
	srv     *Server
	base    string
	tickets *hardware.Tickets
}

const adminPassword = "correct horse"

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with more subscribers to the event log,
// registered by subscribe before the log starts dispatching.
func newHarnessWith(t testing.TB, subscribe func(*events.Store) error) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, env: testkit.New(t)}
	h.shop = shop.New(h.env.Store)
	h.qr = qr.New(h.env.Store)
	h.orders = order.New(h.env.Store, testkit.Quiet)
	var err error
	if h.auth, err = auth.New(ctx, h.env.Store, testkit.Quiet); err != nil {
		t.Fatal(err)
	}
	if err := h.shop.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.shop.SetOpen(ctx, access.Actor{ID: "setup", Role: access.Admin}, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.auth.EnsureAdmin(ctx, adminPassword); err != nil {
		t.Fatal(err)
	}
	fp, err := printer.NewFile(t.TempDir(), escpos.Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	queue := printer.NewQueue(fp, printer.QueueOptions{Clock: h.env.Clock, Logger: testkit.Quiet})
	h.tickets = hardware.NewTickets(h.env.Store, h.orders, queue, hardware.TicketOptions{
		Layout: escpos.Layout{Paper: escpos.Paper58mm}, Booth: "Coffee Bar", PublicURL: "http://10.42.0.1/"}, testkit.Quiet)
	if err := h.tickets.Subscribe(ctx); err != nil {
		t.Fatal(err)
	}
	helperSock, _ := timeHelper(t, "ok set +2m30s")
	closer := closeout.New(h.env.Store, h.shop, t.TempDir(), nil, testkit.Quiet)
	if err := closer.Subscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if subscribe != nil {
		if err := subscribe(h.env.Store); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go h.env.Store.Run(runCtx)
	go queue.Run(runCtx)
	go closer.Run(runCtx)
	h.srv = New(Deps{Store: h.env.Store, Shop: h.shop, QR: h.qr, Orders: h.orders, Auth: h.auth,
		Log: testkit.Quiet, PublicURL: "http://10.42.0.1/", Printer: h.tickets, Closer: closer, TimeHelper: helperSock,
		Setup: Setup{Language: "de", Report: &booth.Report{File: "/boot/firmware/booth.toml", Problems: []booth.Problem{
			{Line: 4, Key: "wifi.password", Message: "/boot/firmware/booth.toml:4: wifi.password: The Wi-Fi password must be 8 to 63 characters; the Wi-Fi is open until it is fixed."}}}},
		BoxHealth: func(ctx context.Context) health.Report {
			return health.Collect(ctx, health.Parts{DB: h.env.DB, DataDir: h.env.Dir, Now: h.env.Clock.Now,
				RunTime: h.env.Store.RunTime, Printer: func() any { return queue.State() }, LightSimulated: true})
		},
		Health: func(ctx context.Context) map[string]error {
			return map[string]error{"database": h.env.DB.Ping(ctx)}
		}})
	return h
}

// client is a browser: it keeps cookies and echoes the CSRF cookie in the
// header, as the apps do.
type client struct {
	h       *harness
	cookies map[string]string
	ip      string
	noCSRF  bool
	// base, when set, sends requests over a real socket to the server
	// listening there (from 127.0.0.1) instead of Fiber's in-memory test
	// connection (from 0.0.0.0).
	base string
}

// loopbackClient talks to the API over a real TCP connection on 127.0.0.1,
// as the box's own screen does.
func (h *harness) loopbackClient() *client {
	h.t.Helper()
	if h.base == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			h.t.Fatal(err)
		}
		go h.srv.App().Listener(ln)
		h.t.Cleanup(func() { h.srv.App().Shutdown() })
		h.base = "http://" + ln.Addr().String()
	}
	c := h.client()
	c.base = h.base
	return c
}

func (h *harness) client() *client {
	return &client{h: h, cookies: map[string]string{}, ip: "192.0.2.10"}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %q", r.body)
	}
	return m
}

func (r response) code() string {
	var e errorBody
	json.Unmarshal([]byte(r.body), &e)
	return e.Error.Code
}

func (c *client) do(method, path, body string, headers ...string) response {
	c.h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = c.ip + ":40000"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	var parts []string
	for k, v := range c.cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	if tok := c.cookies[cookieCSRF]; tok != "" && !c.noCSRF {
		req.Header.Set(headerCSRF, tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	var res *http.Response
	var err error
	if c.base != "" {
		req.RequestURI = ""
		req.URL, _ = url.Parse(c.base + path)
		req.Host = req.URL.Host
		res, err = http.DefaultClient.Do(req)
	} else {
		res, err = c.h.srv.App().Test(req, -1)
	}
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// csrf fetches a page so the client holds its CSRF cookie.
func (c *client) csrf() *client {
	c.do("GET", "/api/shop", "")
	return c
}

func (c *client) signIn(user, password string) *client {
	c.h.t.Helper()
	c.csrf()
	if r := c.do("POST", "/api/session", `{"username":"`+user+`","password":"`+password+`"}`); r.status != 200 {
		c.h.t.Fatalf("sign in %s: %d %s", user, r.status, r.body)
	}
	return c
}

func (h *harness) admin() *client { return h.client().signIn("admin", adminPassword) }

func (h *harness) barista(name string) *client {
	h.t.Helper()
	admin := h.admin()
	r := admin.do("POST", "/api/staff", `{"username":"`+name+`","role":"barista","password":"espresso!"}`)
	if r.status != 201 {
		h.t.Fatalf("create barista: %d %s", r.status, r.body)
	}
	return h.client().signIn(name, "espresso!")
}

func (h *harness) code() string {
	h.t.Helper()
	c, err := h.qr.Current(context.Background(), access.SystemActor)
	if err != nil {
		h.t.Fatal(err)
	}
	return c.Code
}

// customer scans and returns the order id.
func (c *client) scan(name string) string {
	c.h.t.Helper()
	c.csrf()
	r := c.do("POST", "/api/orders", `{"name":"`+name+`","code":"`+c.h.code()+`"}`)
	if r.status != 201 {
		c.h.t.Fatalf("scan: %d %s", r.status, r.body)
	}
	return r.json(c.h.t)["id"].(string)
}

func (c *client) order(drink string) string {
	c.h.t.Helper()
	id := c.scan("Sam")
	if r := c.do("PUT", "/api/orders/"+id+"/drink", `{"drinkId":"`+drink+`","options":[]}`); r.status != 200 {
		c.h.t.Fatalf("submit: %d %s", r.status, r.body)
	}
	return id
}
