package stats

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

// BenchmarkComputeDay works out the figures of a booth day of 300 drinks,
// as the figures page and the customers' wait estimates do.
func BenchmarkComputeDay(b *testing.B) {
	ctx := context.Background()
	env := testkit.New(b)
	sh, codes, orders := shop.New(env.Store), qr.New(env.Store), order.New(env.Store, testkit.Quiet)
	if err := sh.Init(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := sh.SetOpen(ctx, admin, true); err != nil {
		b.Fatal(err)
	}
	s := shop.Defaults
	s.DrinksPerCode, s.MaxInFlight, s.DrinksPerCustomerPerDay = 1000, 1000, 0
	if _, err := sh.SetSettings(ctx, admin, s); err != nil {
		b.Fatal(err)
	}
	for i := range 300 {
		c := access.Actor{ID: fmt.Sprint("c", i), Role: access.Customer}
		code, err := codes.Current(ctx, access.SystemActor)
		if err != nil {
			b.Fatal(err)
		}
		o, err := orders.Open(ctx, c, "Sam", code.Code)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := orders.Submit(ctx, c, o.ID, order.Selection{DrinkID: "latte"}); err != nil {
			b.Fatal(err)
		}
		orders.Make(ctx, barista, o.ID)
		env.Clock.Advance(40 * time.Second)
		orders.Complete(ctx, barista, o.ID)
		orders.Collect(ctx, barista, o.ID)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(ctx, env.DB.Read(), 1); err != nil {
			b.Fatal(err)
		}
	}
}
