package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/coffeebar/kiosk/events"
)

// scenario is one API call: who makes it (after setup), the request, and
// what must come back and be written.
type scenario struct {
	name   string
	setup  func(h *harness) (who *client, vars map[string]string)
	method string
	path   string
	body   string
	header []string

	wantStatus int
	wantCode   string   // the error code, for errors
	wantBody   []string // substrings of the body
	notBody    []string // substrings that must not appear
	wantEvents []string // exactly the events the call wrote
}

func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t)
			who, vars := sc.setup(h)
			expand := func(s string) string {
				for k, v := range vars {
					s = strings.ReplaceAll(s, "{"+k+"}", v)
				}
				return s
			}
			before := h.env.Head(t)
			r := who.do(sc.method, expand(sc.path), expand(sc.body), sc.header...)
			if r.status != sc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, sc.wantStatus, r.body)
			}
			if sc.wantCode != "" && r.code() != sc.wantCode {
				t.Fatalf("error code %q, want %q: %s", r.code(), sc.wantCode, r.body)
			}
			if r.status >= 400 {
				m := r.json(t)
				if e, ok := m["error"].(map[string]any); !ok || e["message"] == "" {
					t.Fatalf("error without a message: %s", r.body)
				}
			}
			for _, want := range sc.wantBody {
				if !strings.Contains(r.body, expand(want)) {
					t.Errorf("body lacks %q: %s", expand(want), r.body)
				}
			}
			for _, bad := range sc.notBody {
				if strings.Contains(r.body, expand(bad)) {
					t.Errorf("body contains %q: %s", expand(bad), r.body)
				}
			}
			if got := h.env.Types(t, before); !slices.Equal(got, sc.wantEvents) {
				t.Errorf("events %v, want %v", got, sc.wantEvents)
			}
		})
	}
}

func anon(h *harness) (*client, map[string]string)  { return h.client().csrf(), nil }
func admin(h *harness) (*client, map[string]string) { return h.admin(), nil }
func barista(h *harness) (*client, map[string]string) {
	return h.barista("bo"), nil
}
func withCode(h *harness) (*client, map[string]string) {
	return h.client().csrf(), map[string]string{"code": h.code()}
}

// waitingOrder: a customer who has scanned; vars id.
func waitingOrder(h *harness) (*client, map[string]string) {
	c := h.client()
	return c, map[string]string{"id": c.scan("Sam")}
}

// queuedOrder: a customer whose drink is in the queue; vars id.
func queuedOrder(h *harness) (*client, map[string]string) {
	c := h.client()
	return c, map[string]string{"id": c.order("flat-white")}
}

// baristaWith: a barista and a queued order of someone else; vars id.
func baristaWith(state string) func(h *harness) (*client, map[string]string) {
	return func(h *harness) (*client, map[string]string) {
		cust := h.client()
		id := cust.order("latte")
		b := h.barista("bo")
		switch state {
		case "making", "ready":
			if r := b.do("POST", "/api/orders/"+id+"/make", ""); r.status != 200 {
				h.t.Fatalf("make: %s", r.body)
			}
			if state == "ready" {
				b.do("POST", "/api/orders/"+id+"/complete", "")
			}
		}
		return b, map[string]string{"id": id}
	}
}

const (
	evNewOrder  = events.TypeNewOrder
	evStarted   = events.TypeWorkflowStarted
	evRefused   = events.TypeScanRefused
	evUnavail   = events.TypeShopUnavailable
	evPWaiting  = events.TypeProcessorWaiting
	evMWaiting  = events.TypeManagerWaiting
	evMake      = events.TypeMakeOrder
	evCompleted = events.TypeOrderCompleted
	evCancelled = events.TypeOrderCancelled
	evFinished  = events.TypeOrderFinished
	evCollected = events.TypeOrderCollected
	evConfig    = events.TypeConfigChanged
	evDay       = events.TypeBoothDayStarted
)

func TestCustomerRoutes(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "the shop is public", setup: anon, method: "GET", path: "/api/shop",
			wantStatus: 200, wantBody: []string{`"open":true`, `"flat-white"`, `"customerTimeoutSeconds":900`},
			notBody: []string{"maxInFlight"}},
		{name: "scan opens an order and sets the customer cookie", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"Zoë","code":"{code}"}`, wantStatus: 201,
			wantBody: []string{`"state":"waiting"`, `"customerName":"Zoë"`, `"timeLeftMs":900000`},
			notBody:  []string{"customerId", "baristaId"}, wantEvents: []string{evNewOrder, evStarted}},
		{name: "scan with a forged code", setup: anon, method: "POST", path: "/api/orders",
			body: `{"name":"Sam","code":"nope"}`, wantStatus: 409, wantCode: "qr_invalid", wantEvents: []string{evRefused}},
		{name: "scan with a name of markup keeps it as text", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"<script>alert(1)</script>","code":"{code}"}`, wantStatus: 201,
			wantBody: []string{`\u003cscript\u003e`}, wantEvents: []string{evNewOrder, evStarted}},
		{name: "scan without a name", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"","code":"{code}"}`, wantStatus: 400, wantCode: "name_invalid"},
		{name: "scan with an unknown field", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"Sam","code":"{code}","admin":true}`, wantStatus: 400, wantCode: "invalid_input",
			wantBody: []string{`\"admin\" is not known`}},
		{name: "scan with a wrong type", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":42,"code":"{code}"}`, wantStatus: 400, wantCode: "invalid_input", wantBody: []string{`name`, `text`}},
		{name: "scan with truncated JSON", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"Sam","co`, wantStatus: 400, wantCode: "invalid_input"},
		{name: "scan with two bodies", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"Sam","code":"{code}"}{}`, wantStatus: 400, wantCode: "invalid_input"},
		{name: "scan with a huge body", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"` + strings.Repeat("a", 20000) + `","code":"{code}"}`, wantStatus: 413, wantCode: "too_large"},
		{name: "scan as form data", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"Sam","code":"{code}"}`, header: []string{"Content-Type", "application/x-www-form-urlencoded"},
			wantStatus: 400, wantCode: "invalid_input"},
		{name: "scan from another site", setup: withCode, method: "POST", path: "/api/orders",
			body: `{"name":"Sam","code":"{code}"}`, header: []string{"Origin", "http://evil.example"},
			wantStatus: 403, wantCode: "csrf_failed"},
		{name: "submit a drink", setup: waitingOrder, method: "PUT", path: "/api/orders/{id}/drink",
			body: `{"drinkId":"latte","options":[{"group":"Milk","choice":"Oat"}]}`, wantStatus: 200,
			wantBody:   []string{`"number":1`, `"state":"queued"`, `"position":1`, `"choice":"Oat"`},
			wantEvents: []string{evPWaiting, evMWaiting}},
		{name: "submit an unknown drink", setup: waitingOrder, method: "PUT", path: "/api/orders/{id}/drink",
			body: `{"drinkId":"milkshake","options":[]}`, wantStatus: 400, wantCode: "drink_unknown"},
		{name: "submit without the CSRF header", setup: func(h *harness) (*client, map[string]string) {
			c, v := waitingOrder(h)
			c.noCSRF = true
			return c, v
		}, method: "PUT", path: "/api/orders/{id}/drink", body: `{"drinkId":"latte","options":[]}`,
			wantStatus: 403, wantCode: "csrf_failed"},
		{name: "submit someone else's order", setup: func(h *harness) (*client, map[string]string) {
			_, v := waitingOrder(h)
			other := h.client()
			other.scan("Kim")
			return other, v
		}, method: "PUT", path: "/api/orders/{id}/drink", body: `{"drinkId":"latte","options":[]}`,
			wantStatus: 403, wantCode: "not_your_order"},
		{name: "submit without being a customer", setup: func(h *harness) (*client, map[string]string) {
			_, v := waitingOrder(h)
			return h.client().csrf(), v
		}, method: "PUT", path: "/api/orders/{id}/drink", body: `{"drinkId":"latte","options":[]}`,
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "read my order", setup: queuedOrder, method: "GET", path: "/api/orders/{id}",
			wantStatus: 200, wantBody: []string{`"state":"queued"`, `"drink":"Flat White"`}},
		{name: "read someone else's order", setup: func(h *harness) (*client, map[string]string) {
			_, v := queuedOrder(h)
			other := h.client()
			other.scan("Kim")
			return other, v
		}, method: "GET", path: "/api/orders/{id}", wantStatus: 403, wantCode: "not_your_order"},
		{name: "my order's journey", setup: queuedOrder, method: "GET", path: "/api/orders/{id}/journey",
			wantStatus: 200, wantBody: []string{`"type":"Validator.NewOrder"`, `"source":"validator"`, `"type":"OrderManager.WaitingCompletion"`, `"message":"The QR code was valid`},
			notBody: []string{"userId", "baristaUserId"}},
		{name: "someone else's journey", setup: func(h *harness) (*client, map[string]string) {
			_, v := queuedOrder(h)
			other := h.client()
			other.scan("Kim")
			return other, v
		}, method: "GET", path: "/api/orders/{id}/journey", wantStatus: 403, wantCode: "not_your_order"},
		{name: "the current broadcast", setup: anon, method: "GET", path: "/api/broadcast", wantStatus: 200, wantBody: []string{`"text":""`}},
		{name: "my history", setup: queuedOrder, method: "GET", path: "/api/orders/mine",
			wantStatus: 200, wantBody: []string{`"orders":[{"id":"{id}"`}},
		{name: "cancel my queued order", setup: queuedOrder, method: "POST", path: "/api/orders/{id}/cancel",
			wantStatus: 200, wantBody: []string{`"state":"cancelled"`, `"endReason":"cancelled_by_customer"`},
			wantEvents: []string{evCancelled, evFinished}},
		{name: "the public queue", setup: queuedOrder, method: "GET", path: "/api/queue",
			wantStatus: 200, wantBody: []string{`"number":1`, `"name":"Sam"`, `"state":"queued"`}, notBody: []string{"{id}"}},
		{name: "realtime credentials of a customer", setup: queuedOrder, method: "GET", path: "/api/realtime",
			wantStatus: 200, wantBody: []string{`"url":"/mqtt"`, `"username":"customer:`, `"customerTopic":"kiosk/customer/`}},
		{name: "no realtime credentials for strangers", setup: anon, method: "GET", path: "/api/realtime",
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "an unknown API route", setup: anon, method: "GET", path: "/api/teapot", wantStatus: 404, wantCode: "not_found"},
	})
}

func TestStaffRoutes(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "sign in", setup: anon, method: "POST", path: "/api/session",
			body: `{"username":"admin","password":"` + adminPassword + `"}`, wantStatus: 200,
			wantBody: []string{`"role":"admin"`, `"id":"`}, notBody: []string{"password"}},
		{name: "sign in with a wrong password", setup: anon, method: "POST", path: "/api/session",
			body: `{"username":"admin","password":"guess"}`, wantStatus: 401, wantCode: "login_failed"},
		{name: "sign in, throttled", setup: func(h *harness) (*client, map[string]string) {
			c := h.client().csrf()
			for range 5 {
				c.do("POST", "/api/session", `{"username":"admin","password":"guess"}`)
			}
			return c, nil
		}, method: "POST", path: "/api/session", body: `{"username":"admin","password":"` + adminPassword + `"}`,
			wantStatus: 429, wantCode: "too_many_requests"},
		{name: "list the queue", setup: baristaWith("queued"), method: "GET", path: "/api/orders?state=queued",
			wantStatus: 200, wantBody: []string{`"id":"{id}"`, `"customerName":"Sam"`}},
		{name: "list with a bad state", setup: barista, method: "GET", path: "/api/orders?state=all",
			wantStatus: 400, wantCode: "invalid_input"},
		{name: "customers cannot list the queue", setup: queuedOrder, method: "GET", path: "/api/orders?state=queued",
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "make", setup: baristaWith("queued"), method: "POST", path: "/api/orders/{id}/make",
			wantStatus: 200, wantBody: []string{`"state":"making"`}, wantEvents: []string{evMake}},
		{name: "complete", setup: baristaWith("making"), method: "POST", path: "/api/orders/{id}/complete",
			wantStatus: 200, wantBody: []string{`"state":"completed"`, `"ready":true`}, wantEvents: []string{evCompleted, evFinished}},
		{name: "complete twice", setup: baristaWith("ready"), method: "POST", path: "/api/orders/{id}/complete",
			wantStatus: 409, wantCode: "order_finished"},
		{name: "unmake", setup: baristaWith("making"), method: "POST", path: "/api/orders/{id}/unmake",
			wantStatus: 200, wantBody: []string{`"state":"queued"`}, wantEvents: []string{evMake}},
		{name: "collect", setup: baristaWith("ready"), method: "POST", path: "/api/orders/{id}/collect",
			wantStatus: 200, wantBody: []string{`"ready":false`}, wantEvents: []string{evCollected}},
		{name: "cancel as staff", setup: baristaWith("queued"), method: "POST", path: "/api/orders/{id}/cancel",
			wantStatus: 200, wantBody: []string{`"endReason":"cancelled_by_staff"`}, wantEvents: []string{evCancelled, evFinished}},
		{name: "a customer cannot make", setup: queuedOrder, method: "POST", path: "/api/orders/{id}/make",
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "make an unknown order", setup: barista, method: "POST", path: "/api/orders/nope/make",
			wantStatus: 404, wantCode: "order_not_found"},
		{name: "close the shop", setup: barista, method: "PUT", path: "/api/shop/open", body: `{"open":false}`,
			wantStatus: 200, wantBody: []string{`"open":false`}, wantEvents: []string{evConfig}},
		{name: "open the shop without saying how", setup: barista, method: "PUT", path: "/api/shop/open", body: `{}`,
			wantStatus: 400, wantCode: "invalid_input"},
		{name: "a customer cannot close the shop", setup: queuedOrder, method: "PUT", path: "/api/shop/open", body: `{"open":false}`,
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "sold out in one tap", setup: barista, method: "PUT", path: "/api/menu/mocha/available", body: `{"available":false}`,
			wantStatus: 200, wantEvents: []string{evConfig}},
		{name: "a new booth day", setup: barista, method: "POST", path: "/api/booth-days",
			wantStatus: 201, wantBody: []string{`"boothDay":2`}, wantEvents: []string{evDay}},
		{name: "the event log", setup: baristaWith("queued"), method: "GET", path: "/api/events?after=0&limit=3",
			wantStatus: 200, wantBody: []string{`"detail-type":"ConfigService.ConfigChanged"`, `"seq":1`}},
		{name: "the newest events", setup: baristaWith("making"), method: "GET", path: "/api/events?last=1",
			wantStatus: 200, wantBody: []string{`"detail-type":"OrderManager.MakeOrder"`}, notBody: []string{`"seq":1,`}},
		{name: "after and last together", setup: barista, method: "GET", path: "/api/events?last=1&after=3",
			wantStatus: 400, wantCode: "invalid_input"},
		{name: "an order's events", setup: baristaWith("making"), method: "GET", path: "/api/orders/{id}/events",
			wantStatus: 200, wantBody: []string{evNewOrder, evMake}},
		{name: "close the booth", setup: baristaWith("making"), method: "POST", path: "/api/booth/close",
			wantStatus: 202, wantBody: []string{`"state":"closing"`, `"openOrders":1`},
			wantEvents: []string{evConfig, events.TypeBoothClosing}},
		{name: "a customer cannot close the booth", setup: queuedOrder, method: "POST", path: "/api/booth/close",
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "the day's figures", setup: baristaWith("ready"), method: "GET", path: "/api/stats",
			wantStatus: 200, wantBody: []string{`"boothDay":1`, `"completed":1`, `"topDrinks":[{"name":"Caffè Latte","count":1}]`}},
		{name: "figures of a day that never was", setup: barista, method: "GET", path: "/api/stats?boothDay=7",
			wantStatus: 404, wantCode: "not_found"},
		{name: "broadcast to everyone waiting", setup: barista, method: "POST", path: "/api/broadcast",
			body: `{"text":"Grinder down, five minutes"}`, wantStatus: 200, wantBody: []string{`"text":"Grinder down, five minutes"`},
			wantEvents: []string{events.TypeBroadcast}},
		{name: "a customer cannot broadcast", setup: queuedOrder, method: "POST", path: "/api/broadcast",
			body: `{"text":"free coffee"}`, wantStatus: 401, wantCode: "unauthorized"},
		{name: "the box's health", setup: barista, method: "GET", path: "/api/health",
			wantStatus: 200, wantBody: []string{`"database":{"ok":true`, `"freeBytes":`, `"behind":false`, `"simulated":true`}},
		{name: "customers do not see the box's health", setup: queuedOrder, method: "GET", path: "/api/health",
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "sign out", setup: barista, method: "DELETE", path: "/api/session", wantStatus: 204},
	})
}

func TestAdminRoutes(t *testing.T) {
	menu := `{"menu":[{"id":"espresso","name":"Espresso","icon":"espresso","available":true,"options":[]}]}`
	runScenarios(t, []scenario{
		{name: "replace the menu", setup: admin, method: "PUT", path: "/api/menu", body: menu,
			wantStatus: 200, wantBody: []string{`"revision":3`}, wantEvents: []string{evConfig}},
		{name: "a menu with a duplicate drink", setup: admin, method: "PUT", path: "/api/menu",
			body:       `{"menu":[{"id":"a","name":"A","icon":"cup","available":true,"options":[]},{"id":"a","name":"B","icon":"cup","available":true,"options":[]}]}`,
			wantStatus: 400, wantCode: "menu_invalid", wantBody: []string{"used twice"}},
		{name: "a barista cannot replace the menu", setup: barista, method: "PUT", path: "/api/menu", body: menu,
			wantStatus: 403, wantCode: "forbidden"},
		{name: "change one setting", setup: admin, method: "PUT", path: "/api/settings", body: `{"maxInFlight":12}`,
			wantStatus: 200, wantBody: []string{`"maxInFlight":12`, `"drinksPerCode":10`}, wantEvents: []string{evConfig}},
		{name: "a negative timeout", setup: admin, method: "PUT", path: "/api/settings", body: `{"customerTimeoutSeconds":-1}`,
			wantStatus: 400, wantCode: "settings_invalid"},
		{name: "an unknown setting", setup: admin, method: "PUT", path: "/api/settings", body: `{"speed":11}`,
			wantStatus: 400, wantCode: "invalid_input"},
		{name: "set the booth's Wi-Fi and address", setup: admin, method: "PUT", path: "/api/booth",
			body: `{"wifiSsid":"CoffeeBar","wifiPassword":"latte-art-42","publicUrl":"http://coffee.lan/"}`, wantStatus: 200,
			wantBody: []string{`"wifiSsid":"CoffeeBar"`, `"publicUrl":"http://coffee.lan/"`}, wantEvents: []string{evConfig}},
		{name: "a Wi-Fi password that is too short", setup: admin, method: "PUT", path: "/api/booth",
			body: `{"wifiSsid":"CoffeeBar","wifiPassword":"short"}`, wantStatus: 400, wantCode: "booth_invalid"},
		{name: "a barista cannot change the booth", setup: barista, method: "PUT", path: "/api/booth",
			body: `{"name":"Mine"}`, wantStatus: 403, wantCode: "forbidden"},
		{name: "create a barista", setup: admin, method: "POST", path: "/api/staff",
			body: `{"username":"kim","role":"barista","password":"espresso!"}`, wantStatus: 201,
			wantBody: []string{`"username":"kim"`}, notBody: []string{"espresso!", "hash"}},
		{name: "a barista cannot create accounts", setup: barista, method: "POST", path: "/api/staff",
			body: `{"username":"kim","role":"admin","password":"espresso!"}`, wantStatus: 403, wantCode: "forbidden"},
		{name: "list accounts", setup: admin, method: "GET", path: "/api/staff", wantStatus: 200,
			wantBody: []string{`"username":"admin"`}, notBody: []string{"hash", adminPassword}},
		{name: "pair a display", setup: admin, method: "POST", path: "/api/displays/pairings", wantStatus: 201,
			wantBody: []string{`"url":"http://10.42.0.1/display/?pair=`}},
		{name: "inject events", setup: admin, method: "POST", path: "/api/events/inject",
			body:       `[{"id":"x1","source":"config-service","detail-type":"ConfigService.BoothDayStarted","version":1,"time":"2026-05-01T08:00:00Z","detail":{"boothDay":9,"actorId":"a","message":""}}]`,
			wantStatus: 200, wantBody: []string{`"added":1`}, wantEvents: []string{evDay}},
		{name: "inject a bad event", setup: admin, method: "POST", path: "/api/events/inject",
			body:       `[{"id":"x1","source":"validator","detail-type":"ConfigService.BoothDayStarted","version":1,"time":"2026-05-01T08:00:00Z","detail":{"boothDay":9,"actorId":"a","message":""}}]`,
			wantStatus: 400, wantCode: "event_invalid"},
	})
}

func TestDisplayRoutes(t *testing.T) {
	loopback := func(h *harness) (*client, map[string]string) {
		return h.loopbackClient().csrf(), nil
	}
	displayClient := func(h *harness) (*client, map[string]string) {
		c, _ := loopback(h)
		if r := c.do("POST", "/api/display/session", ""); r.status != 201 {
			h.t.Fatalf("display session: %s", r.body)
		}
		return c, nil
	}
	runScenarios(t, []scenario{
		{name: "the box's own screen signs in", setup: loopback, method: "POST", path: "/api/display/session",
			wantStatus: 201, wantBody: []string{`"role":"display"`}},
		{name: "another screen cannot sign in that way", setup: anon, method: "POST", path: "/api/display/session",
			wantStatus: 403, wantCode: "forbidden"},
		{name: "the display reads the QR code", setup: displayClient, method: "GET", path: "/api/display/qr",
			wantStatus: 200, wantBody: []string{`"drinksLeft":10`, `"url":"http://10.42.0.1/?code=`}},
		{name: "the QR code as an image", setup: displayClient, method: "GET", path: "/api/display/qr.png",
			wantStatus: 200, wantBody: []string{"\x89PNG"}},
		{name: "no Wi-Fi code before a Wi-Fi name is set", setup: displayClient, method: "GET", path: "/api/display/wifi.png",
			wantStatus: 404, wantCode: "wifi_not_set"},
		{name: "the Wi-Fi join code", setup: func(h *harness) (*client, map[string]string) {
			h.admin().do("PUT", "/api/booth", `{"wifiSsid":"CoffeeBar"}`)
			return displayClient(h)
		}, method: "GET", path: "/api/display/wifi.png", wantStatus: 200, wantBody: []string{"\x89PNG"}},
		{name: "the QR code follows the booth's public address", setup: func(h *harness) (*client, map[string]string) {
			h.admin().do("PUT", "/api/booth", `{"publicUrl":"http://coffee.lan/"}`)
			return displayClient(h)
		}, method: "GET", path: "/api/display/qr", wantStatus: 200, wantBody: []string{`"url":"http://coffee.lan/?code=`}},
		{name: "customers never see the QR code", setup: queuedOrder, method: "GET", path: "/api/display/qr",
			wantStatus: 401, wantCode: "unauthorized"},
		{name: "the display cannot act on orders", setup: func(h *harness) (*client, map[string]string) {
			_, v := queuedOrder(h)
			c, _ := displayClient(h)
			return c, v
		}, method: "POST", path: "/api/orders/{id}/make", wantStatus: 403, wantCode: "forbidden"},
		{name: "a pairing code signs a display in", setup: func(h *harness) (*client, map[string]string) {
			r := h.admin().do("POST", "/api/displays/pairings", "")
			return h.client().csrf(), map[string]string{"code": r.json(h.t)["code"].(string)}
		}, method: "POST", path: "/api/display/pair", body: `{"code":"{code}"}`, wantStatus: 201},
		{name: "a wrong pairing code", setup: anon, method: "POST", path: "/api/display/pair", body: `{"code":"guess"}`,
			wantStatus: 401, wantCode: "pairing_invalid"},
	})
}

func TestHealthAndHeaders(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	r := c.do("GET", "/healthz", "")
	if r.status != 200 || !strings.Contains(r.body, `"database":"ok"`) {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "connect-src 'self' ws://", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	// No cookie the kiosk sets carries a wall-clock date.
	c.do("GET", "/api/shop", "")
	res := c.do("POST", "/api/session", `{"username":"admin","password":"`+adminPassword+`"}`)
	for _, v := range res.header.Values("Set-Cookie") {
		if strings.Contains(strings.ToLower(v), "expires=") {
			t.Errorf("a cookie with a date: %s", v)
		}
		if strings.HasPrefix(v, cookieSession) && (!strings.Contains(v, "HttpOnly") || !strings.Contains(v, "SameSite=Strict")) {
			t.Errorf("session cookie not HttpOnly and strict: %s", v)
		}
	}
	h.env.DB.Close()
	if r := c.do("GET", "/healthz", ""); r.status != 503 {
		t.Fatalf("healthz with the database closed: %d %s", r.status, r.body)
	}
}
