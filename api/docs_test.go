package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/api.md from real calls")

const apiDoc = "../docs/api.md"

// docCall is one documented example: a real request on a fresh kiosk.
type docCall struct {
	section, title, who string
	method, path, body  string
	note                string
}

func docCalls() []docCall {
	return []docCall{
		{"Customer", "The shop: open or closed, the menu", "anyone", "GET", "/api/shop", "", "Public. `customerTimeoutSeconds` drives the countdown while choosing."},
		{"Customer", "Scan: open an order with a QR code", "a phone", "POST", "/api/orders", `{"name":"Zoë","code":"{code}"}`, "Sets the `kiosk_customer` cookie when the phone has none. Refusals: `qr_invalid`, `qr_expired`, `qr_used_up`, `shop_closed`, `open_order_exists`, `daily_limit`, `queue_full` (409), `name_invalid` (400)."},
		{"Customer", "Choose the drink", "the order's customer", "PUT", "/api/orders/{id}/drink", `{"drinkId":"latte","options":[{"group":"Milk","choice":"Oat"}]}`, "Groups left out get their first option. Errors: `drink_unknown`, `drink_unavailable`, `option_invalid`, `option_repeated`, `order_submitted`, `order_finished`, `not_your_order`."},
		{"Customer", "Read one's order", "the order's customer, or staff", "GET", "/api/orders/{id}", "", "`position` is 1 for the next order in the queue; staff get the order without it."},
		{"Customer", "One's orders (history)", "a phone", "GET", "/api/orders/mine", "", "Newest first."},
		{"Customer", "The public queue", "anyone", "GET", "/api/queue", "", "What the display shows; no customer or order ids."},
		{"Customer", "Realtime credentials", "a phone, staff or a display", "GET", "/api/realtime", "", "MQTT over WebSocket at `url` with these credentials; see docs/realtime.md."},
		{"Customer", "Who am I", "anyone", "GET", "/api/session", "", ""},
		{"Customer", "Cancel one's order", "the order's customer (until it is being made), or staff", "POST", "/api/orders/{id2}/cancel", "", "A customer gets `order_being_made` once a barista has started."},
		{"Staff", "Sign in", "staff", "POST", "/api/session", `{"username":"admin","password":"` + adminPassword + `"}`, "Sets the HttpOnly `kiosk_session` cookie. `login_failed` (401); `too_many_requests` (429) after repeated failures per account or per client."},
		{"Staff", "Orders by state", "staff", "GET", "/api/orders?state=queued", "", "`state` is `waiting`, `queued`, `making`, `ready` or `finished`; `limit` is optional."},
		{"Staff", "Make (claim) an order", "staff", "POST", "/api/orders/{id}/make", "", "`claimed_by_other`, `order_not_queued`, `order_finished`."},
		{"Staff", "Unmake (release) an order", "the barista making it, or an admin", "POST", "/api/orders/{id}/unmake", "", ""},
		{"Staff", "Make it again", "staff", "POST", "/api/orders/{id}/make", "", ""},
		{"Staff", "Complete: ready for collection", "the barista making it, or an admin", "POST", "/api/orders/{id}/complete", "", "A second tap gets `order_finished` and changes nothing."},
		{"Staff", "Collect: handed over", "staff", "POST", "/api/orders/{id}/collect", "", "Otherwise a ready drink leaves the list after `readySeconds`."},
		{"Staff", "Open or close the shop", "staff", "PUT", "/api/shop/open", `{"open":true}`, ""},
		{"Staff", "Sold out, in one tap", "staff", "PUT", "/api/menu/mocha/available", `{"available":false}`, ""},
		{"Staff", "Start a new booth day", "staff", "POST", "/api/booth-days", "", "Order numbers start again at 1; the daily drink limit starts afresh."},
		{"Staff", "The event log", "staff", "GET", "/api/events?after=0&limit=2", "", "`after` is a log position (`seq`); read on from the last one seen. `?last=N` gives the newest N instead, still oldest first."},
		{"Staff", "An order's events", "staff", "GET", "/api/orders/{id}/events", "", ""},
		{"Staff", "The whole configuration", "staff", "GET", "/api/config", "", ""},
		{"Printer", "The printer and its recent tickets", "staff", "GET", "/api/printer", "", "`state.health` is `unknown`, `ok`, `offline`, `paper_out`, `cover_open` or `error`; `pending` tickets wait for the printer. A ticket prints when a barista makes an order (or when it is queued, with `--ticket-when queued`); printing never holds up an order."},
		{"Printer", "Reprint an order's ticket", "staff", "POST", "/api/orders/{id}/reprint", "", ""},
		{"Printer", "A ticket as text", "staff", "GET", "/api/printer/jobs/{job}/preview", "", "Rendered from the exact bytes sent to the printer."},
		{"Printer", "A ticket as an image", "staff", "GET", "/api/printer/jobs/{job}/preview.png", "", "An image/png, paper width in printer dots."},
		{"Admin", "Replace the menu", "admin", "PUT", "/api/menu", `{"menu":[{"id":"espresso","name":"Espresso","icon":"espresso","available":true,"options":[{"name":"Shots","choices":["Single","Double"]}]}]}`, "Checked whole: `menu_invalid` names the drink and group at fault, and nothing is saved."},
		{"Admin", "Change settings", "admin", "PUT", "/api/settings", `{"maxInFlight":12}`, "Only the settings named change. `settings_invalid` for a value out of range."},
		{"Admin", "The booth: name, public address, Wi-Fi", "admin", "PUT", "/api/booth", `{"name":"Espresso Corner","wifiSsid":"CoffeeBar","wifiPassword":"latte-art-42"}`, "Only the fields named change. `publicUrl` (empty: as the kiosk was started) goes into the QR code; the Wi-Fi name and password make the display's join code. `booth_invalid` names the field at fault."},
		{"Admin", "Staff accounts", "admin", "GET", "/api/staff", "", ""},
		{"Admin", "Add a staff account", "admin", "POST", "/api/staff", `{"username":"kim","role":"barista","password":"espresso!"}`, "`username_taken`, `account_invalid`."},
		{"Admin", "Change an account's role or password", "admin", "PATCH", "/api/staff/{staff}", `{"role":"admin"}`, "A new password ends the account's sessions. `last_admin` protects the last admin."},
		{"Admin", "Remove an account", "admin", "DELETE", "/api/staff/{staff}", "", ""},
		{"Admin", "Pair a display", "admin", "POST", "/api/displays/pairings", "", "Open `url` on the display within 10 minutes."},
		{"Admin", "Sign every display out", "admin", "DELETE", "/api/displays", "", ""},
		{"Admin", "Inject events", "admin", "POST", "/api/events/inject", `[{"id":"demo-1","source":"config-service","detail-type":"ConfigService.BoothDayStarted","version":1,"time":"2026-05-01T08:00:00Z","detail":{"boothDay":7,"actorId":"demo","message":""}}]`, "Each event is checked like a live one; one bad event rejects the file (`event_invalid`). Ids already in the log are skipped."},
		{"Display", "The box's own screen signs in", "the screen on the box (loopback only)", "POST", "/api/display/session", "", "Any other address gets `forbidden`: pair it instead."},
		{"Display", "A paired display signs in", "a display with a pairing code", "POST", "/api/display/pair", `{"code":"{pair}"}`, "`pairing_invalid` for a used or expired code."},
		{"Display", "The current QR code", "a display or staff", "GET", "/api/display/qr", "", "Customers never get the code."},
		{"Display", "The current QR code as a PNG", "a display or staff", "GET", "/api/display/qr.png?size=256", "", "An image/png of `url`."},
		{"Display", "The Wi-Fi join code as a PNG", "a display or staff", "GET", "/api/display/wifi.png?size=256", "", "A QR code phones read as \"join this Wi-Fi\"; `wifi_not_set` (404) until an admin sets the Wi-Fi name."},
		{"Archive", "Download a whole backup", "admin", "GET", "/api/backup", "", "A consistent copy of the database (menu, settings, accounts, history), taken while the kiosk serves; `kiosk restore --data DIR FILE` puts it into a fresh box."},
		{"Archive", "The day's orders as CSV", "staff", "GET", "/api/export/orders.csv?boothDay=1", "", "Today's booth day, or `?boothDay=N` for another. Waits are measured on the kiosk's running time. Text a spreadsheet would run as a formula starts with an apostrophe."},
		{"Archive", "The event log as CSV", "admin", "GET", "/api/export/events.csv", "", ""},
		{"Booth", "The day's figures", "staff or a display", "GET", "/api/stats", "", "Computed from the event log: drinks per hour, waits from order to ready (overall, per drink, and each drink's last ten), top drinks and options, cancellations and timeouts by cause, refusals by reason. Waits are on the running time, right across clock jumps. `?boothDay=N` for an earlier day."},
		{"Booth", "An order's journey", "the order's customer, or staff", "GET", "/api/orders/{id}/journey", "", "Every event of the order: what happened, when (`afterMs` since the scan), which part of the kiosk did it (`source`) and why (`message`). No one else's ids."},
		{"Booth", "Broadcast to everyone waiting", "staff", "POST", "/api/broadcast", `{"text":"Grinder down, five minutes"}`, "Shown on every waiting phone and the display (topic `kiosk/public/broadcast`) until the next message; `{\"text\":\"\"}` takes it down."},
		{"Booth", "The current broadcast", "anyone", "GET", "/api/broadcast", "", ""},
		{"Booth", "How the box was set up", "anyone", "GET", "/api/setup", "", "The display's language (`--language`, from booth.toml) and the report of the box's setup (`--booth-status`): every problem it found in booth.toml, shown on the display until it is fixed; `report` is null on a kiosk started by hand. No secrets."},
		{"Booth", "Set the box's time from a tablet", "admin", "POST", "/api/clock", `{"unixMs":1790000000000}`, "A Pi has no battery clock. The kiosk passes the tablet's time to the box's time helper (a small root service behind `--time-helper`, the kiosk itself may not set the clock), which moves the clock forward, or back by a few minutes at most, and answers in one line. `unavailable` (503) where there is no helper; the health page then says when the clock was set."},
		{"Booth", "The box's health", "staff", "GET", "/api/health", "", "The database, free disk (`low` under 200 MiB), the clock (`behind` when it reads earlier than the newest event: set the time), the printer, whether the light is simulated, who is connected by role, the last backup, the version."},
		{"Closing", "Close the booth", "staff", "POST", "/api/booth/close", "", "The end of the day (also the long press of the booth's button): the shop closes to new orders at once; the open orders may finish or time out; then the database is checkpointed and backed up into the data directory's `backups/` (and copied to `--backup-dirs`, e.g. a USB drive), and the state becomes `closed`: safe to unplug. Opening the shop again ends it."},
		{"Closing", "Where closing stands", "staff", "GET", "/api/booth/close", "", "`state` is `open`, `closing` (with `openOrders` still to end) or `closed` (with the `backup`)."},
		{"Staff", "Sign out", "staff", "DELETE", "/api/session", "", ""},
		{"Health", "Health", "anyone", "GET", "/healthz", "", "200 when the database and the broker are healthy, 503 with the failing part otherwise."},
	}
}

var idPattern = regexp.MustCompile(`"[a-z2-7]{24,32}"`)

func TestAPIDocumentation(t *testing.T) {
	h := newHarness(t)
	phone, staff, box := h.client().csrf(), h.admin(), h.loopbackClient().csrf()
	vars := map[string]string{"code": h.code(), "job": "1"}
	var doc bytes.Buffer
	doc.WriteString(docIntro)
	section := ""
	for _, call := range docCalls() {
		c := staff
		switch call.who {
		case "anyone", "a phone", "the order's customer", "the order's customer, or staff", "a phone, staff or a display":
			c = phone
		case "the screen on the box (loopback only)", "a display or staff", "staff or a display":
			c = box
		case "a display with a pairing code":
			c = h.client().csrf()
		}
		if call.path == "/api/orders/{id2}/cancel" {
			other := h.client()
			vars["id2"] = other.scan("Kim")
			c = other
		}
		if strings.Contains(call.body, "{pair}") {
			r := staff.do("POST", "/api/displays/pairings", "")
			vars["pair"] = r.json(t)["code"].(string)
		}
		expand := func(s string) string {
			for k, v := range vars {
				s = strings.ReplaceAll(s, "{"+k+"}", v)
			}
			return s
		}
		if strings.HasPrefix(call.path, "/api/printer") {
			// The ticket prints from the event log, a moment after the make.
			guard := time.Now().Add(10 * time.Second)
			for len(h.tickets.Jobs()) == 0 || !h.tickets.Jobs()[0].Printed {
				if time.Now().After(guard) {
					t.Fatal("no ticket was printed")
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		r := c.do(call.method, expand(call.path), expand(call.body))
		if r.status >= 400 {
			t.Fatalf("%s %s: %d %s", call.method, call.path, r.status, r.body)
		}
		switch {
		case call.method == "POST" && call.path == "/api/orders":
			vars["id"] = r.json(t)["id"].(string)
		case call.method == "POST" && call.path == "/api/staff":
			vars["staff"] = r.json(t)["id"].(string)
		}
		if call.section != section {
			section = call.section
			fmt.Fprintf(&doc, "\n## %s\n", section)
		}
		fmt.Fprintf(&doc, "\n### %s\n\n`%s %s` (%s)", call.title, call.method, strings.Split(call.path, "?")[0], call.who)
		if call.note != "" {
			fmt.Fprintf(&doc, ": %s", call.note)
		}
		fmt.Fprintf(&doc, "\n\n```http\n%s %s\n", call.method, call.path)
		if call.body != "" {
			fmt.Fprintf(&doc, "Content-Type: application/json\n\n%s\n", pretty(call.body, 0))
		}
		fmt.Fprintf(&doc, "```\n\n```http\nHTTP/1.1 %d\n", r.status)
		if ct := r.header.Get("Content-Type"); ct == "image/png" || ct == "application/vnd.sqlite3" {
			fmt.Fprintf(&doc, "Content-Type: %s\n\n(%d bytes)\n", ct, len(r.body))
		} else if strings.HasPrefix(ct, "text/csv") {
			lines := strings.SplitN(r.body, "\n", 4)
			fmt.Fprintf(&doc, "Content-Type: %s\n\n%s\n…\n", ct, strings.Join(lines[:min(3, len(lines))], "\n"))
		} else if r.body != "" {
			fmt.Fprintf(&doc, "\n%s\n", pretty(r.body, 2))
		}
		doc.WriteString("```\n")
	}
	out := idPattern.ReplaceAllString(doc.String(), `"…"`)
	if *updateDocs {
		if err := os.WriteFile(apiDoc, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(apiDoc)
	if err != nil {
		t.Fatalf("%v (regenerate with: go test ./api -run TestAPIDocumentation -update-docs)", err)
	}
	for _, route := range h.srv.App().GetRoutes(true) {
		if route.Method == "HEAD" || (!strings.HasPrefix(route.Path, "/api/") && route.Path != "/healthz") {
			continue
		}
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(route.Path, "{$1}")
		p = strings.NewReplacer("{drink}", "mocha", "{id}", "{id}").Replace(p)
		documented := false
		for _, call := range docCalls() {
			cp := strings.Split(call.path, "?")[0]
			cp = strings.NewReplacer("{id2}", "{id}", "{staff}", "{id}").Replace(cp)
			if call.method == route.Method && cp == p {
				documented = true
			}
		}
		if !documented {
			t.Errorf("%s %s has no example in docs/api.md", route.Method, route.Path)
		}
	}
	if !bytes.Contains(have, []byte("### Make (claim) an order")) {
		t.Errorf("docs/api.md is stale: regenerate it")
	}
}

// pretty indents JSON and shortens long lists, for reading.
func pretty(s string, maxItems int) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	if maxItems > 0 {
		v = shorten(v, maxItems)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func shorten(v any, n int) any {
	switch x := v.(type) {
	case []any:
		if len(x) > n {
			x = append(x[:n:n], "…")
		}
		for i := range x {
			x[i] = shorten(x[i], n)
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = shorten(x[k], n)
		}
	}
	return v
}

const docIntro = "# The HTTP API\n\n" +
	"JSON over HTTP on the kiosk's one port (8080 on a laptop, 80 on the box). Every example below is a real\n" +
	"request and answer, made by `go test ./api -run TestAPIDocumentation -update-docs` on a fresh kiosk (ids\n" +
	"shortened to `…`, long lists cut); the same test fails when a route has no example here.\n\n" +
	"**Who.** Phones carry a signed `kiosk_customer` cookie (set by their first scan); staff and displays a\n" +
	"`kiosk_session` cookie (HttpOnly, SameSite=Strict). Cookies carry Max-Age, never a date: the Pi's clock may\n" +
	"be wrong. Every rule is the server's: a customer touches only their own orders; only staff act on the queue\n" +
	"or see the QR code; only admins change the menu, settings and accounts.\n\n" +
	"**Writes.** A write that carries a cookie must echo the readable `kiosk_csrf` cookie in the `X-Kiosk-CSRF`\n" +
	"header (any GET hands the cookie out); writes whose `Origin` is another site are refused (`csrf_failed`).\n" +
	"Bodies are JSON (`Content-Type: application/json`), one value, no unknown fields, the right types, at most\n" +
	"16 KiB (a menu 256 KiB, an event file 1 MiB).\n\n" +
	"**Errors.** Every error is JSON with a stable code from one catalogue (`apperr`) and a human message, and\n" +
	"changes nothing:\n\n" +
	"```json\n{ \"error\": { \"code\": \"queue_full\", \"message\": \"The baristas have a full queue. Please try again in a few minutes.\" } }\n```\n\n" +
	"Status by kind: 400 invalid, 401 not signed in, 403 not allowed, 404 not found, 409 conflict or refusal by\n" +
	"the bar's rules, 413 too large, 429 too many attempts, 503 unavailable, 500 ours.\n\n" +
	"**For tests only.** A kiosk started with `--test-clock` also takes `POST /api/test/clock` with\n" +
	"`{\"advanceSeconds\": 901}` from an admin: it moves the kiosk's clock forward and every deadline that falls\n" +
	"due fires at once. Without the flag the route does not exist (404).\n"
