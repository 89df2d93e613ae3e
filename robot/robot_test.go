package robot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/daemon"
)

func TestMain(m *testing.M) {
	// The race detector makes bcrypt very slow; the robot signs in often.
	auth.SetTestCost(bcrypt.MinCost)
	os.Exit(m.Run())
}

const adminPassword = "correct horse"

// guard bounds every wait of a test, so a broken kiosk or robot fails the
// test instead of hanging it.
const guard = 2 * time.Minute

var quiet = slog.New(slog.DiscardHandler)

// freePort finds a loopback port nobody listens on. daemon.Run listens on
// the address it is given and does not report the port it chose for ":0",
// so the test picks one first.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startKiosk runs a real kiosk in-process (a real SQLite file, the real
// broker, MQTT over WebSocket at /mqtt) with its shop open, and returns its
// address once it answers.
func startKiosk(t *testing.T) *url.URL {
	t.Helper()
	addr := freePort(t)
	base, _ := url.Parse("http://" + addr + "/")
	cfg := daemon.Defaults
	cfg.DataDir, cfg.HTTPAddr, cfg.MQTTAddr = t.TempDir(), addr, ""
	cfg.PublicURL, cfg.AdminPassword, cfg.OpenShop = base.String(), adminPassword, true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- daemon.Run(ctx, cfg, quiet, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the kiosk stopped with an error: %v", err)
		}
	})
	deadline := time.Now().Add(guard)
	for {
		res, err := http.Get(base.JoinPath("healthz").String())
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the kiosk did not start: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the kiosk did not become healthy")
		}
	}
}

// admin signs in the first admin with a browser of its own.
func admin(t *testing.T, base *url.URL) *client {
	t.Helper()
	c := newClient(base, http.DefaultTransport)
	if _, err := c.signIn(context.Background(), "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

func putSettings(t *testing.T, c *client, s map[string]int) {
	t.Helper()
	if err := c.do(context.Background(), http.MethodPut, "/api/settings", s, nil); err != nil {
		t.Fatal(err)
	}
}

func config(t *testing.T, c *client) configView {
	t.Helper()
	var conf configView
	if err := c.get(context.Background(), "/api/config", &conf); err != nil {
		t.Fatal(err)
	}
	return conf
}

func orders(t *testing.T, c *client, state string) []orderView {
	t.Helper()
	var list struct {
		Orders []orderView `json:"orders"`
	}
	if err := c.get(context.Background(), "/api/orders?state="+state, &list); err != nil {
		t.Fatal(err)
	}
	return list.Orders
}

func checkLatency(t *testing.T, name string, l Latency, want int) {
	t.Helper()
	if l.Count != want {
		t.Errorf("%s: %d samples, want %d", name, l.Count, want)
	}
	if want > 0 && (l.P50 <= 0 || l.P90 < l.P50 || l.P99 < l.P90 || l.Max < l.P99) {
		t.Errorf("%s: percentiles out of order: %+v", name, l)
	}
}

// TestRaisedLimitsEveryOrderAccounted runs 15 orders with 10% cancels
// under --raise-limits against a kiosk whose queue admits only 3 orders:
// the raised limits let every scan through, every order ends completed or
// cancelled by its customer as the kiosk itself records it, both latencies
// are measured, and the limits are back afterwards.
func TestRaisedLimitsEveryOrderAccounted(t *testing.T) {
	t.Parallel()
	base := startKiosk(t)
	adm := admin(t, base)
	// A new period length issues a new code with this budget at once (a
	// code keeps the budget it was issued with), and a queue of 3 that
	// only --raise-limits lifts.
	putSettings(t, adm, map[string]int{"qrPeriodSeconds": 3600, "drinksPerCode": 100, "maxInFlight": 3})
	before := config(t, adm).Settings

	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	var journal bytes.Buffer
	rep, err := Run(ctx, Config{URL: base.String(), StaffPassword: adminPassword, Orders: 15, CancelPercent: 10,
		RaiseLimits: true, Log: quiet, Journal: &journal})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	t.Log("\n" + text.String())

	if !rep.OK() || rep.Errors != 0 || rep.Interrupted {
		t.Errorf("the run is not OK: errors %v", rep.FirstErrors)
	}
	if rep.Completed+rep.Cancelled != 15 {
		t.Errorf("completed %d + cancelled %d, want 15", rep.Completed, rep.Cancelled)
	}
	if n := sum(rep.Refused); n != 0 {
		t.Errorf("%d scans refused under raised limits: %v", n, rep.Refused)
	}
	checkLatency(t, "scan→ready", rep.ScanToReady, rep.Completed)
	checkLatency(t, "event→screen", rep.EventToScreen, rep.Completed)
	if rep.Collected != rep.Completed {
		t.Errorf("collected %d of %d ready drinks", rep.Collected, rep.Completed)
	}

	// The kiosk's own record agrees with the report.
	var completed, cancelled int
	for _, o := range orders(t, adm, "finished") {
		switch {
		case o.State == "completed":
			completed++
		case o.State == "cancelled" && o.EndReason == "cancelled_by_customer":
			cancelled++
		default:
			t.Errorf("order %d ended %s (%s)", o.Number, o.State, o.EndReason)
		}
	}
	if completed != rep.Completed || cancelled != rep.Cancelled {
		t.Errorf("the kiosk has %d completed and %d cancelled, the report %d and %d", completed, cancelled, rep.Completed, rep.Cancelled)
	}
	for _, state := range []string{"waiting", "queued", "making"} {
		if n := len(orders(t, adm, state)); n != 0 {
			t.Errorf("%d orders left %s", n, state)
		}
	}

	// The journal holds every confirmed change: each order's last line is
	// how the kiosk ended it.
	last := map[string]Confirmation{}
	for line := range strings.Lines(journal.String()) {
		var c Confirmation
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("journal line %q: %v", line, err)
		}
		last[c.ID] = c
	}
	if len(last) != 15 {
		t.Errorf("the journal names %d orders, want 15", len(last))
	}
	for _, o := range orders(t, adm, "finished") {
		if c := last[o.ID]; c.State != o.State || c.Number != o.Number {
			t.Errorf("order %d is %s; its last confirmation %+v", o.Number, o.State, c)
		}
	}

	after := config(t, adm)
	if after.Settings != before {
		t.Errorf("settings after the run %+v, want them restored to %+v", after.Settings, before)
	}
	if !after.Open {
		t.Error("the robot closed a shop it found open")
	}
}

// TestUsedUpCodeWaitsForTheNextPeriod runs 12 orders against codes of 10
// drinks, without raising limits: the two scans too many are refused with
// qr_used_up, counted, and wait in real time for the next 30-second period
// instead of failing.
func TestUsedUpCodeWaitsForTheNextPeriod(t *testing.T) {
	t.Parallel()
	base := startKiosk(t)
	adm := admin(t, base)
	putSettings(t, adm, map[string]int{"qrPeriodSeconds": 30, "drinksPerCode": 10})

	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	rep, err := Run(ctx, Config{URL: base.String(), StaffPassword: adminPassword, Orders: 12, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	t.Log("\n" + text.String())

	if !rep.OK() || rep.Completed != 12 {
		t.Errorf("completed %d of 12; errors %v", rep.Completed, rep.FirstErrors)
	}
	if rep.Refused["qr_used_up"] < 2 {
		t.Errorf("qr_used_up refusals %d, want at least 2 (12 orders, 10 drinks a code)", rep.Refused["qr_used_up"])
	}
	if rep.RolloverWaits < 2 || rep.LongestRolloverWait <= 0 {
		t.Errorf("rollover waits %d (longest %s), want at least 2", rep.RolloverWaits, rep.LongestRolloverWait)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "used up") {
		t.Errorf("the report does not say customers waited for a used-up code: %q", rep.Notes)
	}
	if s := config(t, adm).Settings; s.DrinksPerCode != 10 || s.QRPeriodSeconds != 30 {
		t.Errorf("a run without --raise-limits changed the settings: %+v", s)
	}
}

// TestInterruptPutsEverythingBack stops a run while drinks are being made,
// as Ctrl-C does: the report says so and is not OK, the raised limits are
// restored, the shop the robot opened is closed again, and no robot order
// is left open at the bar.
func TestInterruptPutsEverythingBack(t *testing.T) {
	t.Parallel()
	base := startKiosk(t)
	adm := admin(t, base)
	if err := adm.do(context.Background(), http.MethodPut, "/api/shop/open", map[string]bool{"open": false}, nil); err != nil {
		t.Fatal(err)
	}
	putSettings(t, adm, map[string]int{"qrPeriodSeconds": 3600, "drinksPerCode": 100})
	before := config(t, adm).Settings

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		rep *Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Baristas take an hour a drink: the run is surely in progress
		// when it is stopped.
		rep, err := Run(ctx, Config{URL: base.String(), StaffPassword: adminPassword, Orders: 6, RaiseLimits: true,
			MakeTime: time.Hour, Log: quiet})
		done <- result{rep, err}
	}()
	deadline := time.Now().Add(guard)
	for len(orders(t, adm, "making")) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the baristas never started making drinks")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not waiting for a deadline
	}
	cancel()
	var res result
	select {
	case res = <-done:
	case <-time.After(guard):
		t.Fatal("the robot did not stop")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	if !res.rep.Interrupted || res.rep.OK() {
		t.Errorf("interrupted %v, OK %v; want an interrupted run that is not OK", res.rep.Interrupted, res.rep.OK())
	}
	conf := config(t, adm)
	if conf.Settings != before {
		t.Errorf("settings after Ctrl-C %+v, want them restored to %+v", conf.Settings, before)
	}
	if conf.Open {
		t.Error("the shop the robot opened is still open")
	}
	for _, state := range []string{"waiting", "queued", "making"} {
		if n := len(orders(t, adm, state)); n != 0 {
			t.Errorf("%d robot orders left %s", n, state)
		}
	}
}

// TestRunRefusesToStart checks the errors of a run that cannot start.
func TestRunRefusesToStart(t *testing.T) {
	t.Parallel()
	base := startKiosk(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	_, err := Run(ctx, Config{URL: base.String(), StaffPassword: "wrong password", Orders: 1, Log: quiet})
	if errorCode(err) != "login_failed" {
		t.Errorf("a wrong password: %v, want login_failed", err)
	}
	_, err = Run(ctx, Config{URL: "ftp://kiosk", StaffPassword: "x", Orders: 1})
	if err == nil || !strings.Contains(err.Error(), "http://") {
		t.Errorf("a wrong URL: %v", err)
	}

	// A barista may not raise the limits.
	adm := admin(t, base)
	acc := map[string]string{"username": "sam", "role": "barista", "password": "espresso!"}
	if err := adm.do(ctx, http.MethodPost, "/api/staff", acc, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, Config{URL: base.String(), StaffUser: "sam", StaffPassword: "espresso!", Orders: 1, RaiseLimits: true, Log: quiet})
	if err == nil || !strings.Contains(err.Error(), "admin") {
		t.Errorf("--raise-limits as a barista: %v", err)
	}
}

func TestCommandLine(t *testing.T) {
	env := func(k string) string {
		if k == passwordEnv {
			return "from the environment"
		}
		return ""
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no orders", []string{"--url", "http://127.0.0.1:1/"}, 2, "orders"},
		{"no URL", []string{"--orders", "3"}, 2, "URL"},
		{"cancel percent", []string{"--url", "http://127.0.0.1:1/", "--orders", "3", "--cancel-percent", "101"}, 2, "percentage"},
		{"stray argument", []string{"--url", "http://127.0.0.1:1/", "--orders", "3", "now"}, 2, "unexpected"},
		{"help", []string{"-h"}, 0, "Usage: kiosk robot"},
		// Valid flags, but nothing listens there: the run cannot start.
		{"unreachable", []string{"--url", "http://" + freePort(t) + "/", "--orders", "3"}, 1, "sign in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := command(context.Background(), tc.args, env, &out, &errOut)
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if !strings.Contains(errOut.String(), tc.err) {
				t.Errorf("stderr %q does not mention %q", errOut.String(), tc.err)
			}
		})
	}
	cfg, _, _, _, err := parse([]string{"--url", "http://k/", "--orders", "2"}, env, io.Discard)
	if err != nil || cfg.StaffPassword != "from the environment" || cfg.StaffUser != "admin" || cfg.Baristas != DefaultBaristas {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}

func TestSummarise(t *testing.T) {
	var s []time.Duration
	for i := 100; i >= 1; i-- { // out of order on purpose
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	l := summarise(s)
	want := Latency{Count: 100, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if l != want {
		t.Errorf("summarise = %+v, want %+v", l, want)
	}
	if l := summarise([]time.Duration{7 * time.Millisecond}); l.P50 != 7*time.Millisecond || l.Max != 7*time.Millisecond {
		t.Errorf("one sample: %+v", l)
	}
	if l := summarise(nil); l != (Latency{}) {
		t.Errorf("no samples: %+v", l)
	}
}

func TestHidden(t *testing.T) {
	end := time.Date(2026, 6, 3, 9, 5, 0, 0, time.UTC)
	q := qrView{EndsAt: end.Format(time.RFC3339Nano)}
	for _, tc := range []struct {
		left time.Duration
		want bool
	}{{time.Minute, false}, {qrHideBefore + time.Millisecond, false}, {qrHideBefore - time.Millisecond, true},
		{time.Millisecond, true}, {-time.Second, false}} {
		if got := hidden(q, end.Add(-tc.left)); got != tc.want {
			t.Errorf("%s before the end: hidden %v, want %v", tc.left, got, tc.want)
		}
	}
}

func TestReportJSON(t *testing.T) {
	tl := newTally(2)
	tl.add(func(r *Report) { r.Completed, r.Refused["qr_used_up"] = 2, 3 })
	tl.latency(1500*time.Microsecond, 250*time.Microsecond, true)
	tl.latency(2*time.Millisecond, 0, false)
	tl.error(errors.New("boom"))
	b, err := json.Marshal(tl.report(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		OK          bool           `json:"ok"`
		DurationMs  int64          `json:"durationMs"`
		PerSecond   float64        `json:"ordersPerSecond"`
		Refused     map[string]int `json:"refused"`
		FirstErrors []string       `json:"firstErrors"`
		ScanToReady struct {
			Count int     `json:"count"`
			Max   float64 `json:"maxMs"`
		} `json:"scanToReady"`
		EventToScreen struct {
			Count int     `json:"count"`
			P50   float64 `json:"p50Ms"`
		} `json:"eventToScreen"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.OK || got.DurationMs != 2000 || got.PerSecond != 1 || got.Refused["qr_used_up"] != 3 ||
		len(got.FirstErrors) != 1 || got.ScanToReady.Count != 2 || got.ScanToReady.Max != 2 ||
		got.EventToScreen.Count != 1 || got.EventToScreen.P50 != 0.25 {
		t.Errorf("report JSON %s", b)
	}
}
