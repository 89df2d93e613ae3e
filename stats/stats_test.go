package stats

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

var (
	barista = access.Actor{ID: "barista-1", Role: access.Barista}
	admin   = access.Actor{ID: "admin-1", Role: access.Admin}
)

type day struct {
	t      *testing.T
	env    *testkit.Env
	shop   *shop.Service
	qr     *qr.Validator
	orders *order.Service
	n      int
}

func (d *day) customer() access.Actor {
	d.n++
	return access.Actor{ID: fmt.Sprint("c", d.n), Role: access.Customer}
}

// served orders a drink and has it ready after wait.
func (d *day) served(drink string, opts []string, wait time.Duration) {
	d.t.Helper()
	ctx := context.Background()
	c := d.customer()
	code, _ := d.qr.Current(ctx, access.SystemActor)
	o, err := d.orders.Open(ctx, c, "Sam", code.Code)
	if err != nil {
		d.t.Fatal(err)
	}
	sel := order.Selection{DrinkID: drink}
	for i := 0; i+1 < len(opts); i += 2 {
		sel.Options = append(sel.Options, events.Choice{Group: opts[i], Choice: opts[i+1]})
	}
	if _, err := d.orders.Submit(ctx, c, o.ID, sel); err != nil {
		d.t.Fatal(err)
	}
	d.orders.Make(ctx, barista, o.ID)
	d.env.Clock.Advance(wait)
	if _, err := d.orders.Complete(ctx, barista, o.ID); err != nil {
		d.t.Fatal(err)
	}
}

func TestFiguresOfADayWithAClockJump(t *testing.T) {
	ctx := context.Background()
	env := testkit.New(t)
	d := &day{t: t, env: env, shop: shop.New(env.Store), qr: qr.New(env.Store), orders: order.New(env.Store, testkit.Quiet)}
	d.shop.Init(ctx)
	s := shop.Defaults
	s.DrinksPerCode, s.DrinksPerCustomerPerDay = 1000, 0
	d.shop.SetSettings(ctx, admin, s)
	d.shop.SetOpen(ctx, barista, true)

	d.served("latte", []string{"Milk", "Oat"}, 60*time.Second)
	d.served("latte", []string{"Milk", "Oat"}, 120*time.Second)
	env.Clock.Jump(90 * 24 * time.Hour) // the clock is set right mid-day
	d.served("espresso", nil, 30*time.Second)
	env.Clock.Advance(time.Hour)
	d.served("latte", nil, 180*time.Second)

	// A customer cancel, a staff cancel, both timeouts, and refusals.
	code, _ := d.qr.Current(ctx, access.SystemActor)
	c := d.customer()
	o, _ := d.orders.Open(ctx, c, "Kim", code.Code)
	d.orders.CancelOwn(ctx, c, o.ID)
	c = d.customer()
	o, _ = d.orders.Open(ctx, c, "Kim", code.Code)
	d.orders.Submit(ctx, c, o.ID, order.Selection{DrinkID: "mocha"})
	d.orders.Cancel(ctx, barista, o.ID)
	d.orders.Open(ctx, d.customer(), "Lou", code.Code)
	c = d.customer()
	o, _ = d.orders.Open(ctx, c, "Max", code.Code)
	d.orders.Submit(ctx, c, o.ID, order.Selection{DrinkID: "tea"})
	env.Clock.Advance(15 * time.Minute)
	d.orders.FireDue(ctx)
	d.orders.Open(ctx, d.customer(), "Ned", "forged")
	d.shop.SetOpen(ctx, barista, false)
	code, _ = d.qr.Current(ctx, access.SystemActor)
	d.orders.Open(ctx, d.customer(), "Ola", code.Code)

	got, err := Compute(ctx, env.DB.Read(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ordered != 6 || got.Completed != 4 {
		t.Fatalf("ordered %d, completed %d", got.Ordered, got.Completed)
	}
	// Waits from order to ready: 60, 120, 30, 180 s, whatever the wall clock did.
	if got.Wait != (Summary{Count: 4, AvgSeconds: 97.5, P90Seconds: 180}) {
		t.Fatalf("wait %+v", got.Wait)
	}
	var latte DrinkWait
	for _, w := range got.WaitByDrink {
		if w.Drink == "Caffè Latte" {
			latte = w
		}
	}
	if latte.Count != 3 || latte.AvgSeconds != 120 || latte.Last10AvgSeconds != 120 {
		t.Fatalf("latte %+v", latte)
	}
	if got.TopDrinks[0] != (Count{"Caffè Latte", 3}) || got.TopOptions[0] != (Count{"Milk: Oat", 2}) {
		t.Fatalf("top %+v %+v", got.TopDrinks, got.TopOptions)
	}
	if got.Cancellations["customer"] != 1 || got.Cancellations["staff"] != 1 ||
		got.Timeouts["customer"] != 1 || got.Timeouts["barista"] != 1 {
		t.Fatalf("cancellations %v timeouts %v", got.Cancellations, got.Timeouts)
	}
	if got.Refusals["qr_invalid"] != 1 || got.Refusals["shop_closed"] != 1 {
		t.Fatalf("refusals %v", got.Refusals)
	}
	// Four drinks over two hours of running time: three in the first, one in the next.
	if len(got.Hours) != 2 || got.Hours[0].Drinks != 3 || got.Hours[1].Drinks != 1 {
		t.Fatalf("hours %+v", got.Hours)
	}
	if got.Hours[0].Start.Year() != testkit.Start.Add(90*24*time.Hour).Year() || got.Hours[0].Start.Month() != 9 {
		t.Fatalf("hours labelled by the wrong clock: %v", got.Hours[0].Start)
	}
	if est, ok := EstimatedWait(got, 2); !ok || est < 97*time.Second {
		t.Fatalf("estimate %v %v", est, ok)
	}

	// A new day starts from nothing; the old one stays as it was.
	d.shop.StartBoothDay(ctx, barista)
	d.shop.SetOpen(ctx, barista, true)
	d.served("espresso", nil, 10*time.Second)
	two, _ := Compute(ctx, env.DB.Read(), 2)
	if two.Completed != 1 || two.Wait.AvgSeconds != 10 {
		t.Fatalf("day 2 %+v", two)
	}
	again, _ := Compute(ctx, env.DB.Read(), 1)
	if again.Completed != 4 {
		t.Fatalf("day 1 changed: %+v", again)
	}
	if _, err := Compute(ctx, env.DB.Read(), 9); !errors.Is(err, ErrNoSuchDay) {
		t.Fatalf("day 9: %v", err)
	}
	if _, ok := EstimatedWait(two, 1); ok {
		t.Fatal("an estimate from a single drink")
	}
}
