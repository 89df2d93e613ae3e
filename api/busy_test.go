package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/testkit"
)

// With every slot taken, a request is answered busy at once and changes
// nothing; staff keep their own slots; a freed slot serves the next.
func TestBusyKioskAnswersAtOnce(t *testing.T) {
	h := newHarness(t)
	bar := h.barista("bo") // signed in while the kiosk is idle
	entered, release := make(chan struct{}), make(chan struct{})
	h.srv = New(Deps{Store: h.env.Store, Shop: h.shop, QR: h.qr, Orders: h.orders, Auth: h.auth, Log: testkit.Quiet,
		PublicURL: "http://10.42.0.1/", MaxRequests: 1, MaxStaffRequests: 1,
		OnCustomer: func(string) { entered <- struct{}{}; <-release }})
	held := h.loopbackClient().csrf()
	bar.base = h.base

	// The held phone's scan stops inside the kiosk, holding the one slot.
	req, err := http.NewRequest("POST", h.base+"/api/orders", strings.NewReader(`{"name":"Ann","code":"`+h.code()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerCSRF, held.cookies[cookieCSRF])
	req.AddCookie(&http.Cookie{Name: cookieCSRF, Value: held.cookies[cookieCSRF]})
	answered := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first scan never reached the kiosk")
	}

	before := h.env.Head(t)
	other := h.loopbackClient()
	other.cookies[cookieCSRF] = held.cookies[cookieCSRF]
	r := other.do("POST", "/api/orders", `{"name":"Bea","code":"`+h.code()+`"}`)
	if r.status != 503 || r.code() != "busy" || r.header.Get("Retry-After") != "1" ||
		!strings.Contains(r.json(t)["error"].(map[string]any)["message"].(string), "very busy") {
		t.Fatalf("a scan past the bound: %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
	}
	if r := other.do("GET", "/api/shop", ""); r.status != 503 || r.code() != "busy" {
		t.Fatalf("a page load past the bound: %d %s", r.status, r.body)
	}
	if after := h.env.Head(t); after != before {
		t.Errorf("a refused request wrote events: log %d → %d", before, after)
	}
	if r := bar.do("GET", "/api/orders?state=waiting", ""); r.status != 200 {
		t.Errorf("staff, with slots of their own, got %d %s", r.status, r.body)
	}

	close(release)
	if code := <-answered; code != 201 {
		t.Fatalf("the held scan was answered %d", code)
	}
	if r := other.do("GET", "/api/shop", ""); r.status != 200 {
		t.Errorf("after the slot was freed: %d %s", r.status, r.body)
	}
}
