package api

import (
	"context"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit/cputime"
)

// BenchmarkOrderLifecycle drives what one customer and one barista do for a
// drink, through the API on a real database: the phone loads the shop, scans
// and submits; the barista makes, completes and collects. Every lifecycle
// waits until the event subscribers (tickets, closeout and a screen-like
// subscriber that reads every event's detail, as the realtime projection
// does) have handled its events, so their work is in the figures. The fake
// clock moves 50 ms a lifecycle, a bar at 20 drinks a second.
//
// Besides ns/op it reports cpu-ns/op, the process's CPU time per lifecycle,
// which the other work on a shared machine disturbs far less.
func BenchmarkOrderLifecycle(b *testing.B) {
	// A screen-like subscriber: it reads every event's detail.
	h := newHarnessWith(b, func(store *events.Store) error {
		return store.Subscribe(context.Background(), "screens", false, func(ctx context.Context, e events.Event) error {
			_, err := e.Decode()
			return err
		})
	})
	ctx := context.Background()
	cfg, err := h.shop.Config(ctx)
	if err != nil {
		b.Fatal(err)
	}
	s := cfg.Settings
	s.DrinksPerCode, s.MaxInFlight, s.DrinksPerCustomerPerDay, s.QRPeriodSeconds = 1000, 1000, 0, 30
	s.CustomerTimeoutSeconds, s.BaristaTimeoutSeconds, s.ReadySeconds = 7200, 14400, 7200
	if _, err := h.shop.SetSettings(ctx, access.Actor{ID: "setup", Role: access.Admin}, s); err != nil {
		b.Fatal(err)
	}
	staff := h.barista("bench")
	caughtUp := func() {
		head := h.env.Head(b)
		for _, name := range []string{"tickets", "closeout", "screens"} {
			for h.env.Store.Position(name) < head {
				time.Sleep(50 * time.Microsecond)
			}
		}
	}
	lifecycle := func(drink string) {
		phone := h.client()
		if r := phone.do("GET", "/api/shop", ""); r.status != 200 {
			b.Fatalf("shop: %d %s", r.status, r.body)
		}
		id := phone.order(drink)
		for _, action := range []string{"make", "complete", "collect"} {
			if r := staff.do("POST", "/api/orders/"+id+"/"+action, ""); r.status != 200 {
				b.Fatalf("%s: %d %s", action, r.status, r.body)
			}
		}
		caughtUp()
		h.env.Clock.Advance(50 * time.Millisecond)
	}
	drink := shop.DemoMenu()[0].ID
	for range 20 {
		lifecycle(drink) // a warm bar: pools open, a few drinks in the day
	}

	cpu0 := cputime.Used()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		lifecycle(drink)
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Used()-cpu0)/float64(b.N), "cpu-ns/op")
}
