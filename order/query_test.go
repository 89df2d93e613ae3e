package order

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/apperr"
)

func TestQueriesByStateAndOwner(t *testing.T) {
	b := newBar(t)
	w := b.open(customer(1))
	q1 := b.queued(customer(2))
	q2 := b.queued(customer(3))
	m := b.making(customer(4), barista)
	r := b.ready(customer(5), barista)
	c := b.queued(customer(6))
	b.orders.CancelOwn(b.ctx, customer(6), c.ID)

	ids := func(f Filter) []string {
		os, err := b.orders.List(b.ctx, barista, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	for f, want := range map[Filter][]string{
		FilterWaiting:  {w.ID},
		FilterQueued:   {q1.ID, q2.ID},
		FilterMaking:   {m.ID},
		FilterReady:    {r.ID},
		FilterFinished: {c.ID, r.ID},
	} {
		if got := ids(f); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", f, got, want)
		}
	}
	if _, err := b.orders.List(b.ctx, barista, "everything", 0); !errors.Is(err, apperr.Invalid) {
		t.Errorf("unknown filter: %v", err)
	}
	if _, err := b.orders.List(b.ctx, customer(1), FilterQueued, 0); !errors.Is(err, apperr.Forbidden) {
		t.Errorf("customer listed the queue: %v", err)
	}
	if _, err := b.orders.Get(b.ctx, customer(1), q1.ID); !errors.Is(err, apperr.NotYourOrder) {
		t.Errorf("customer read another's order: %v", err)
	}
	if _, err := b.orders.Get(b.ctx, display, q1.ID); !errors.Is(err, apperr.Forbidden) {
		t.Errorf("display read an order: %v", err)
	}
	if o, err := b.orders.Get(b.ctx, customer(2), q1.ID); err != nil || o.Number != 1 {
		t.Errorf("owner read: %+v %v", o, err)
	}

	mine, err := b.orders.ForCustomer(b.ctx, customer(6))
	if err != nil || len(mine) != 1 || mine[0].State != Cancelled {
		t.Fatalf("history: %+v %v", mine, err)
	}
	again := b.open(customer(6)) // after the cancelled one
	if o, ok, err := b.orders.Latest(b.ctx, customer(6).ID); err != nil || !ok || o.ID != again.ID {
		t.Errorf("latest of a customer with two orders: %+v %v %v, want %s", o, ok, err, again.ID)
	}
	if o, ok, err := b.orders.Latest(b.ctx, "nobody"); err != nil || ok {
		t.Errorf("latest of a customer with none: %+v %v %v", o, ok, err)
	}
	if pos, _ := b.orders.Position(b.ctx, b.state(q2.ID)); pos != 2 {
		t.Errorf("position of the second queued order %d, want 2", pos)
	}
	if pos, _ := b.orders.Position(b.ctx, b.state(m.ID)); pos != 0 {
		t.Errorf("position of an order being made %d, want 0", pos)
	}
}

func TestPublicQueueHasNoPrivateData(t *testing.T) {
	b := newBar(t)
	o, err := b.orders.Open(b.ctx, customer(1), "Maximiliane-Sophie", b.code())
	if err != nil {
		t.Fatal(err)
	}
	b.orders.Submit(b.ctx, customer(1), o.ID, flatWhite)
	b.env.Clock.Advance(2 * time.Minute)
	b.making(customer(2), barista)
	r := b.ready(customer(3), barista)
	b.env.Clock.Advance(30 * time.Second)

	q, err := b.orders.Queue(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 3 || q[0].Number != 1 || q[0].State != "queued" || q[1].State != "making" || q[2].State != "ready" {
		t.Fatalf("queue %+v", q)
	}
	if q[0].Name != "Maximiliane…" || q[0].Drink != "Flat White" || q[0].SinceSubmittedMs != 150_000 {
		t.Fatalf("first entry %+v", q[0])
	}
	if q[2].SinceCompletedMs != 30_000 {
		t.Fatalf("ready entry %+v", q[2])
	}
	raw, _ := json.Marshal(q)
	for _, secret := range []string{"cust-", o.ID, r.ID, "barista-1"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the public queue contains %q: %s", secret, raw)
		}
	}
	// A staff view of an order never carries the customer's id either.
	full, _ := json.Marshal(b.state(o.ID))
	if strings.Contains(string(full), "cust-1") {
		t.Errorf("order JSON carries the customer id: %s", full)
	}
}
