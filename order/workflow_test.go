package order

import (
	"context"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
)

const (
	evNewOrder    = events.TypeNewOrder
	evScanRefused = events.TypeScanRefused
	evStarted     = events.TypeWorkflowStarted
	evUnavailable = events.TypeShopUnavailable
	evPWaiting    = events.TypeProcessorWaiting
	evMWaiting    = events.TypeManagerWaiting
	evMake        = events.TypeMakeOrder
	evCompleted   = events.TypeOrderCompleted
	evCancelled   = events.TypeOrderCancelled
	evTimeOut     = events.TypeOrderTimeOut
	evFinished    = events.TypeOrderFinished
	evCollected   = events.TypeOrderCollected
)

func TestOpen(t *testing.T) {
	scan := func(b *bar, _ string) (Order, error) { return b.orders.Open(b.ctx, customer(1), "Sam", b.code()) }
	run(t, []scenario{
		{name: "accepted", act: scan, wantState: Waiting, wantEvents: []string{evNewOrder, evStarted},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				if o.TimeLeftMs != 900_000 || o.Number != 0 || o.CustomerName != "Sam" {
					t.Errorf("order %+v", o)
				}
				if b.drinksLeft() != 9 {
					t.Errorf("drinks left %d, want 9", b.drinksLeft())
				}
				nw := details[*events.NewOrder](t, b, 0)
				if len(nw) != 1 || nw[0].Period.DrinksLeft != 9 || nw[0].UserID != "cust-1" {
					t.Errorf("NewOrder %+v", nw)
				}
			}},
		{name: "shop closed",
			arrange: func(b *bar) string { b.shop.SetOpen(b.ctx, barista, false); return "" },
			act:     scan, wantErr: apperr.ShopClosed, wantEvents: []string{evUnavailable},
			check: func(t *testing.T, b *bar, _ string, _ Order) {
				if b.drinksLeft() != 10 {
					t.Errorf("a refusal took a drink: %d left", b.drinksLeft())
				}
				if d := details[*events.ShopUnavailable](t, b, 0); d[0].Reason != "shop_closed" {
					t.Errorf("reason %q", d[0].Reason)
				}
			}},
		{name: "the 20th order is accepted",
			arrange: func(b *bar) string {
				b.settings(func(s *shop.Settings) { s.DrinksPerCode = 100 })
				for i := 2; i <= 20; i++ {
					b.open(customer(i))
				}
				return ""
			},
			act: scan, wantState: Waiting, wantEvents: []string{evNewOrder, evStarted}},
		{name: "the 21st order is refused, counting those still choosing",
			arrange: func(b *bar) string {
				b.settings(func(s *shop.Settings) { s.DrinksPerCode = 100 })
				for i := 2; i <= 21; i++ {
					if i%2 == 0 {
						b.queued(customer(i))
					} else {
						b.open(customer(i))
					}
				}
				return ""
			},
			act: scan, wantErr: apperr.QueueFull, wantEvents: []string{evUnavailable},
			check: func(t *testing.T, b *bar, _ string, _ Order) {
				if b.drinksLeft() != 80 {
					t.Errorf("drinks left %d, want 80", b.drinksLeft())
				}
			}},
		{name: "finished orders free their place",
			arrange: func(b *bar) string {
				b.settings(func(s *shop.Settings) { s.DrinksPerCode = 100; s.MaxInFlight = 2 })
				o := b.queued(customer(2))
				b.orders.CancelOwn(b.ctx, customer(2), o.ID)
				b.ready(customer(3), barista)
				b.open(customer(4))
				return ""
			},
			act: scan, wantState: Waiting, wantEvents: []string{evNewOrder, evStarted}},
		{name: "the customer already has an order in progress",
			arrange: func(b *bar) string { return b.queued(customer(1)).ID },
			act: func(b *bar, _ string) (Order, error) {
				return b.orders.Open(b.ctx, customer(1), "Sam", b.code())
			},
			wantErr: apperr.OpenOrderExists, wantState: Queued, wantEvents: []string{evUnavailable},
			check: func(t *testing.T, b *bar, id string, _ Order) {
				d := details[*events.ShopUnavailable](t, b, 0)
				if d[len(d)-1].OpenOrderID != id {
					t.Errorf("refusal does not point at the open order: %+v", d)
				}
			}},
		{name: "daily limit reached",
			arrange: func(b *bar) string {
				o := b.ready(customer(1), barista)
				return o.ID
			},
			act: scan, wantErr: apperr.DailyLimit, wantEvents: []string{evUnavailable}},
		{name: "a cancelled order does not count towards the daily limit",
			arrange: func(b *bar) string {
				o := b.queued(customer(1))
				b.orders.CancelOwn(b.ctx, customer(1), o.ID)
				return ""
			},
			act: scan, wantState: Waiting, wantEvents: []string{evNewOrder, evStarted}},
		{name: "no daily limit when set to 0",
			arrange: func(b *bar) string {
				b.settings(func(s *shop.Settings) { s.DrinksPerCustomerPerDay = 0 })
				b.ready(customer(1), barista)
				b.ready(customer(1), barista)
				return ""
			},
			act: scan, wantState: Waiting, wantEvents: []string{evNewOrder, evStarted}},
		{name: "a new booth day resets the daily limit",
			arrange: func(b *bar) string {
				b.ready(customer(1), barista)
				b.shop.StartBoothDay(b.ctx, barista)
				return ""
			},
			act: scan, wantState: Waiting, wantEvents: []string{evNewOrder, evStarted}},
		{name: "forged code",
			act: func(b *bar, _ string) (Order, error) {
				b.code()
				return b.orders.Open(b.ctx, customer(1), "Sam", "aaaaaaaaaaaaaaaa")
			},
			wantErr: apperr.CodeInvalid, wantEvents: []string{evScanRefused}},
		{name: "code of an earlier period",
			act: func(b *bar, _ string) (Order, error) {
				old := b.code()
				b.env.Clock.Advance(5 * time.Minute)
				b.code()
				return b.orders.Open(b.ctx, customer(1), "Sam", old)
			},
			wantErr: apperr.CodeExpired, wantEvents: []string{evScanRefused}},
		{name: "code used up",
			arrange: func(b *bar) string {
				for i := 2; i <= 11; i++ {
					b.open(customer(i))
				}
				return ""
			},
			act: scan, wantErr: apperr.CodeUsedUp, wantEvents: []string{evScanRefused},
			check: func(t *testing.T, b *bar, _ string, _ Order) {
				if b.drinksLeft() != 0 {
					t.Errorf("drinks left %d", b.drinksLeft())
				}
			}},
		{name: "no name",
			act: func(b *bar, _ string) (Order, error) {
				return b.orders.Open(b.ctx, customer(1), "   ", b.code())
			},
			wantErr: apperr.NameInvalid},
		{name: "a name with control characters",
			act: func(b *bar, _ string) (Order, error) {
				return b.orders.Open(b.ctx, customer(1), "Sam\x1b[31m", b.code())
			},
			wantErr: apperr.NameInvalid},
		{name: "a name with markup is kept as text",
			act: func(b *bar, _ string) (Order, error) {
				return b.orders.Open(b.ctx, customer(1), "<script>alert(1)</script>", b.code())
			},
			wantState: Waiting, wantEvents: []string{evNewOrder, evStarted},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				if o.CustomerName != "<script>alert(1)</script>" {
					t.Errorf("name stored as %q", o.CustomerName)
				}
			}},
		{name: "staff cannot open orders as customers",
			act: func(b *bar, _ string) (Order, error) {
				return b.orders.Open(b.ctx, barista, "Sam", b.code())
			},
			wantErr: apperr.Forbidden},
	})
}

func TestSubmit(t *testing.T) {
	waiting := func(b *bar) string { return b.open(customer(1)).ID }
	submit := func(sel Selection) func(*bar, string) (Order, error) {
		return func(b *bar, id string) (Order, error) { return b.orders.Submit(b.ctx, customer(1), id, sel) }
	}
	run(t, []scenario{
		{name: "accepted", arrange: waiting, act: submit(flatWhite), wantState: Queued,
			wantEvents: []string{evPWaiting, evMWaiting},
			check: func(t *testing.T, b *bar, id string, o Order) {
				if o.Number != 1 || o.TimeLeftMs != 900_000 || o.Drink == nil || o.Drink.Drink != "Flat White" {
					t.Errorf("order %+v", o)
				}
				mw := details[*events.ManagerWaiting](t, b, 0)
				if len(mw) != 1 || mw[0].CustomerName != "Sam" || mw[0].DrinkOrder.Options[0] != (events.Choice{Group: "Milk", Choice: "Oat"}) {
					t.Errorf("ManagerWaiting %+v", mw)
				}
			}},
		{name: "someone else's order", arrange: waiting, wantState: Waiting,
			act: func(b *bar, id string) (Order, error) {
				return b.orders.Submit(b.ctx, customer(2), id, flatWhite)
			},
			wantErr: apperr.NotYourOrder},
		{name: "no such order", act: submit(flatWhite), wantErr: apperr.OrderNotFound},
		{name: "a drink not on the menu", arrange: waiting, act: submit(Selection{DrinkID: "milkshake"}),
			wantErr: apperr.DrinkUnknown, wantState: Waiting},
		{name: "a sold-out drink",
			arrange: func(b *bar) string {
				b.shop.SetAvailable(b.ctx, barista, "flat-white", false)
				return waiting(b)
			},
			act: submit(flatWhite), wantErr: apperr.DrinkSoldOut, wantState: Waiting},
		{name: "an option of another drink", arrange: waiting,
			act:     submit(Selection{DrinkID: "flat-white", Options: []events.Choice{{Group: "Syrup", Choice: "Vanilla"}}}),
			wantErr: apperr.OptionInvalid, wantState: Waiting},
		{name: "two options of one group", arrange: waiting,
			act: submit(Selection{DrinkID: "flat-white", Options: []events.Choice{
				{Group: "Milk", Choice: "Oat"}, {Group: "Milk", Choice: "Regular"}}}),
			wantErr: apperr.OptionRepeated, wantState: Waiting},
		{name: "submitted twice",
			arrange: func(b *bar) string { return b.queued(customer(1)).ID },
			act:     submit(flatWhite), wantErr: apperr.OrderSubmitted, wantState: Queued},
		{name: "after cancelling",
			arrange: func(b *bar) string {
				id := waiting(b)
				b.orders.CancelOwn(b.ctx, customer(1), id)
				return id
			},
			act: submit(flatWhite), wantErr: apperr.OrderFinished, wantState: Cancelled},
		{name: "after timing out",
			arrange: func(b *bar) string {
				id := waiting(b)
				b.env.Clock.Advance(15 * time.Minute)
				b.fire()
				return id
			},
			act: submit(flatWhite), wantErr: apperr.OrderFinished, wantState: Cancelled},
		{name: "a barista cannot submit", arrange: waiting, wantState: Waiting,
			act: func(b *bar, id string) (Order, error) {
				return b.orders.Submit(b.ctx, barista, id, flatWhite)
			},
			wantErr: apperr.Forbidden},
	})
}

func TestOrderNumbersCountPerBoothDay(t *testing.T) {
	b := newBar(t)
	var got []int
	for i := 1; i <= 3; i++ {
		got = append(got, b.queued(customer(i)).Number)
	}
	if _, err := b.shop.StartBoothDay(b.ctx, admin); err != nil {
		t.Fatal(err)
	}
	got = append(got, b.queued(customer(4)).Number)
	want := []int{1, 2, 3, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("numbers %v, want %v", got, want)
		}
	}
	// An order cancelled before choosing never takes a number.
	o := b.open(customer(5))
	b.orders.CancelOwn(b.ctx, customer(5), o.ID)
	if n := b.queued(customer(6)).Number; n != 2 {
		t.Fatalf("next number %d, want 2", n)
	}
}

func TestBaristaActions(t *testing.T) {
	queued := func(b *bar) string { return b.queued(customer(1)).ID }
	making := func(b *bar) string { return b.making(customer(1), barista).ID }
	ready := func(b *bar) string { return b.ready(customer(1), barista).ID }
	as := func(a access.Actor, f func(*Service) func(ctx, access.Actor, string) (Order, error)) func(*bar, string) (Order, error) {
		return func(b *bar, id string) (Order, error) { return f(b.orders)(b.ctx, a, id) }
	}
	mk := func(s *Service) func(ctx, access.Actor, string) (Order, error) { return s.Make }
	unmk := func(s *Service) func(ctx, access.Actor, string) (Order, error) { return s.Unmake }
	done := func(s *Service) func(ctx, access.Actor, string) (Order, error) { return s.Complete }
	cncl := func(s *Service) func(ctx, access.Actor, string) (Order, error) { return s.Cancel }
	coll := func(s *Service) func(ctx, access.Actor, string) (Order, error) { return s.Collect }
	run(t, []scenario{
		{name: "make", arrange: queued, act: as(barista, mk), wantState: Making, wantEvents: []string{evMake},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				if o.BaristaID != barista.ID {
					t.Errorf("claimed by %q", o.BaristaID)
				}
				if m := details[*events.MakeOrder](t, b, 0); m[0].Action != "make" || m[0].BaristaUserID != barista.ID {
					t.Errorf("MakeOrder %+v", m[0])
				}
			}},
		{name: "make twice", arrange: making, act: as(barista, mk), wantErr: apperr.OrderNotQueued, wantState: Making},
		{name: "make an order another barista makes", arrange: making, act: as(barista2, mk), wantErr: apperr.ClaimedByOther, wantState: Making},
		{name: "make an order still choosing", arrange: func(b *bar) string { return b.open(customer(1)).ID },
			act: as(barista, mk), wantErr: apperr.OrderNotQueued, wantState: Waiting},
		{name: "a customer cannot make", arrange: queued, act: as(customer(1), mk), wantErr: apperr.Forbidden, wantState: Queued},
		{name: "the display cannot make", arrange: queued, act: as(display, mk), wantErr: apperr.Forbidden, wantState: Queued},
		{name: "unmake", arrange: making, act: as(barista, unmk), wantState: Queued, wantEvents: []string{evMake},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				if o.BaristaID != "" {
					t.Errorf("still claimed by %q", o.BaristaID)
				}
				m := details[*events.MakeOrder](t, b, 0)
				if last := m[len(m)-1]; last.Action != "unmake" || last.BaristaUserID != "" {
					t.Errorf("MakeOrder %+v", last)
				}
			}},
		{name: "unmake another barista's order", arrange: making, act: as(barista2, unmk), wantErr: apperr.ClaimedByOther, wantState: Making},
		{name: "an admin may unmake any", arrange: making, act: as(admin, unmk), wantState: Queued, wantEvents: []string{evMake}},
		{name: "unmake a queued order", arrange: queued, act: as(barista, unmk), wantErr: apperr.OrderNotMaking, wantState: Queued},
		{name: "complete", arrange: making, act: as(barista, done), wantState: Completed,
			wantEvents: []string{evCompleted, evFinished},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				if !o.Ready || o.EndReason != EndCompleted || o.TimeLeftMs != 0 {
					t.Errorf("order %+v", o)
				}
				if f := details[*events.OrderFinished](t, b, 0); f[0].Outcome != "completed" || f[0].OrderNumber != 1 {
					t.Errorf("finished %+v", f[0])
				}
			}},
		{name: "complete twice (a double tap)", arrange: ready, act: as(barista, done), wantErr: apperr.OrderFinished, wantState: Completed},
		{name: "complete before making", arrange: queued, act: as(barista, done), wantErr: apperr.OrderNotMaking, wantState: Queued},
		{name: "complete another barista's order", arrange: making, act: as(barista2, done), wantErr: apperr.ClaimedByOther, wantState: Making},
		{name: "a customer cannot complete", arrange: making, act: as(customer(1), done), wantErr: apperr.Forbidden, wantState: Making},
		{name: "cancel a queued order", arrange: queued, act: as(barista2, cncl), wantState: Cancelled,
			wantEvents: []string{evCancelled, evFinished},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				c := details[*events.OrderCancelled](t, b, 0)
				if c[0].CancelledBy != "staff" || c[0].ActorID != barista2.ID || c[0].PreviousState != "queued" {
					t.Errorf("cancelled %+v", c[0])
				}
				if o.EndReason != EndCancelledByStaff || o.EndedBy != barista2.ID {
					t.Errorf("order %+v", o)
				}
			}},
		{name: "cancel my order being made", arrange: making, act: as(barista, cncl), wantState: Cancelled,
			wantEvents: []string{evCancelled, evFinished}},
		{name: "cancel another barista's order being made", arrange: making, act: as(barista2, cncl), wantErr: apperr.ClaimedByOther, wantState: Making},
		{name: "cancel a finished order", arrange: ready, act: as(barista, cncl), wantErr: apperr.OrderFinished, wantState: Completed},
		{name: "collect", arrange: ready, act: as(barista2, coll), wantState: Completed, wantEvents: []string{evCollected},
			check: func(t *testing.T, b *bar, _ string, o Order) {
				if o.Ready || o.CollectedAt == nil {
					t.Errorf("order %+v", o)
				}
			}},
		{name: "collect twice", arrange: func(b *bar) string {
			id := ready(b)
			b.orders.Collect(b.ctx, barista, id)
			return id
		}, act: as(barista, coll), wantErr: apperr.OrderNotReady, wantState: Completed},
		{name: "collect an order being made", arrange: making, act: as(barista, coll), wantErr: apperr.OrderNotReady, wantState: Making},
		{name: "no such order", act: as(barista, mk), wantErr: apperr.OrderNotFound},
	})
}

func TestCustomerCancel(t *testing.T) {
	cancelAs := func(a access.Actor) func(*bar, string) (Order, error) {
		return func(b *bar, id string) (Order, error) { return b.orders.CancelOwn(b.ctx, a, id) }
	}
	run(t, []scenario{
		{name: "before choosing a drink ends the order at once",
			arrange: func(b *bar) string { return b.open(customer(1)).ID },
			act:     cancelAs(customer(1)), wantState: Cancelled, wantEvents: []string{evCancelled, evFinished},
			check: func(t *testing.T, b *bar, id string, o Order) {
				if o.Number != 0 || o.EndReason != EndCancelledByCustomer || o.TimeLeftMs != 0 {
					t.Errorf("order %+v", o)
				}
				from := b.env.Head(t)
				b.env.Clock.Advance(time.Hour)
				if n := b.fire(); n != 0 {
					t.Errorf("%d deadlines fired for a cancelled order", n)
				}
				if got := b.env.Types(t, from); len(got) != 0 {
					t.Errorf("events after cancel: %v", got)
				}
			}},
		{name: "while queued",
			arrange: func(b *bar) string { return b.queued(customer(1)).ID },
			act:     cancelAs(customer(1)), wantState: Cancelled, wantEvents: []string{evCancelled, evFinished},
			check: func(t *testing.T, b *bar, _ string, _ Order) {
				c := details[*events.OrderCancelled](t, b, 0)
				if c[0].CancelledBy != "customer" || c[0].OrderNumber != 1 {
					t.Errorf("cancelled %+v", c[0])
				}
			}},
		{name: "once it is being made",
			arrange: func(b *bar) string { return b.making(customer(1), barista).ID },
			act:     cancelAs(customer(1)), wantErr: apperr.OrderBeingMade, wantState: Making},
		{name: "someone else's order",
			arrange: func(b *bar) string { return b.queued(customer(1)).ID },
			act:     cancelAs(customer(2)), wantErr: apperr.NotYourOrder, wantState: Queued},
		{name: "twice",
			arrange: func(b *bar) string {
				o := b.queued(customer(1))
				b.orders.CancelOwn(b.ctx, customer(1), o.ID)
				return o.ID
			},
			act: cancelAs(customer(1)), wantErr: apperr.OrderFinished, wantState: Cancelled},
	})
}

// ctx shortens the method-value signatures in TestBaristaActions.
type ctx = context.Context
