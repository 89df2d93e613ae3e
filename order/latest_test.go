package order

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/shop"
)

// sameAsStored checks that a customer's newest order, as Latest gives it
// from memory, is what the database gives at the same moment, and that it
// did come from memory.
func (b *bar) sameAsStored(customerID, wantID string) {
	b.t.Helper()
	if _, kept := b.orders.latest.get(customerID); !kept {
		b.t.Fatalf("%s's newest order is not kept in memory", customerID)
	}
	got, ok, err := b.orders.Latest(b.ctx, customerID)
	if err != nil || !ok {
		b.t.Fatalf("latest of %s: %v %v", customerID, ok, err)
	}
	want, ok, err := b.orders.latestStored(b.ctx, customerID)
	if err != nil || !ok {
		b.t.Fatalf("stored latest of %s: %v %v", customerID, ok, err)
	}
	if got.ID != wantID {
		b.t.Fatalf("latest of %s is %s, want %s", customerID, got.ID, wantID)
	}
	if !reflect.DeepEqual(got, want) {
		b.t.Fatalf("latest of %s from memory\n%+v\nfrom the database\n%+v", customerID, got, want)
	}
}

func TestLatestFromMemoryIsTheStoredOrder(t *testing.T) {
	b := newBar(t)
	b.settings(func(s *shop.Settings) { s.DrinksPerCustomerPerDay = 0 }) // no daily limit
	c := customer(1)
	tick := func() { b.env.Clock.Advance(7*time.Second + 3*time.Millisecond) }

	first := b.open(c)
	b.sameAsStored(c.ID, first.ID)
	tick() // the time left and ages are those of the read, not of the write
	b.sameAsStored(c.ID, first.ID)
	if _, err := b.orders.Submit(b.ctx, c, first.ID, flatWhite); err != nil {
		t.Fatal(err)
	}
	tick()
	b.sameAsStored(c.ID, first.ID)
	for _, step := range []func() (Order, error){
		func() (Order, error) { return b.orders.Make(b.ctx, barista, first.ID) },
		func() (Order, error) { return b.orders.Make(b.ctx, barista2, first.ID) }, // refused: claimed
		func() (Order, error) { return b.orders.Unmake(b.ctx, barista, first.ID) },
		func() (Order, error) { return b.orders.Make(b.ctx, barista2, first.ID) },
		func() (Order, error) { return b.orders.Complete(b.ctx, barista2, first.ID) },
		func() (Order, error) { return b.orders.Complete(b.ctx, barista2, first.ID) }, // the double tap
	} {
		step()
		tick()
		b.sameAsStored(c.ID, first.ID)
	}

	// A second order while the first waits on the counter: it is the newest,
	// and collecting the older one leaves it so.
	second := b.open(c)
	b.sameAsStored(c.ID, second.ID)
	if _, err := b.orders.Collect(b.ctx, barista, first.ID); err != nil {
		t.Fatal(err)
	}
	b.sameAsStored(c.ID, second.ID)
	if _, err := b.orders.CancelOwn(b.ctx, c, second.ID); err != nil {
		t.Fatal(err)
	}
	b.sameAsStored(c.ID, second.ID)

	// A deadline that fires writes the order too.
	third := b.open(c)
	b.env.Clock.Advance(15 * time.Minute)
	if n := b.fire(); n != 1 {
		t.Fatalf("%d deadlines fired, want 1", n)
	}
	b.sameAsStored(c.ID, third.ID)
	if got := b.state(third.ID); got.EndReason != EndCustomerTimeout {
		t.Fatalf("third order %+v", got)
	}

	// A refused scan writes nothing and changes nothing kept.
	b.shop.SetOpen(b.ctx, barista, false)
	if _, err := b.orders.Open(b.ctx, c, "Sam", b.code()); !errors.Is(err, apperr.ShopClosed) {
		t.Fatalf("scan while closed: %v", err)
	}
	b.sameAsStored(c.ID, third.ID)

	// After a restart nothing is kept, and Latest reads the database.
	b.restart()
	if _, kept := b.orders.latest.get(c.ID); kept {
		t.Fatal("a new process had the order in memory")
	}
	if o, ok, err := b.orders.Latest(b.ctx, c.ID); err != nil || !ok || o.ID != third.ID {
		t.Fatalf("latest after a restart: %+v %v %v", o, ok, err)
	}
}

func TestLatestKeepsTheNewestCustomers(t *testing.T) {
	l := newLatestOrders(2)
	put := func(customer, id string, isNew bool) {
		l.written(Order{ID: id, CustomerID: customer}, isNew)
	}
	kept := func(customer string) string {
		o, ok := l.get(customer)
		if !ok {
			return ""
		}
		return o.ID
	}
	put("a", "a1", true)
	put("b", "b1", true)
	put("a", "a0", false) // an older order of a's, written later
	if kept("a") != "a1" || kept("b") != "b1" {
		t.Fatalf("kept a=%q b=%q", kept("a"), kept("b"))
	}
	put("a", "a2", true) // pushes out a's own older entry, not a2
	if kept("a") != "a2" || kept("b") != "b1" {
		t.Fatalf("after a2: kept a=%q b=%q", kept("a"), kept("b"))
	}
	put("c", "c1", true) // pushes out b
	if kept("b") != "" || kept("a") != "a2" || kept("c") != "c1" {
		t.Fatalf("after c1: kept a=%q b=%q c=%q", kept("a"), kept("b"), kept("c"))
	}
	put("b", "b1", false) // an update of an order no longer kept is not kept
	if kept("b") != "" {
		t.Fatalf("b came back as %q from an update", kept("b"))
	}
}
