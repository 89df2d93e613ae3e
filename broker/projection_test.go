package broker

import (
	"slices"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
)

// Staff receive every event of an order, in the log's order, with the
// envelope's fields.
func TestStaffReceiveEveryEventInOrder(t *testing.T) {
	transports(t, func(t *testing.T, r *rig, url string) {
		staff := connect(t, url, barista)
		staff.mustSubscribe("kiosk/staff/#")
		o := r.ready(cust1, "Al")

		logged, err := r.env.Store.ForOrder(r.ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{events.TypeNewOrder, events.TypeWorkflowStarted, events.TypeProcessorWaiting,
			events.TypeManagerWaiting, events.TypeMakeOrder, events.TypeOrderCompleted, events.TypeOrderFinished}
		var wantTypes []string
		for _, e := range logged {
			wantTypes = append(wantTypes, e.DetailType)
		}
		if !slices.Equal(wantTypes, want) {
			t.Fatalf("the log holds %v, want %v", wantTypes, want)
		}
		staff.wait(TopicStaffEvents, func(m msg) bool { return has(m, events.TypeOrderFinished) && has(m, o.ID) })

		var got []StaffEvent
		for _, m := range staff.on(TopicStaffEvents) {
			if e := decode[StaffEvent](t, m); has(m, o.ID) {
				got = append(got, e)
			}
		}
		if len(got) != len(logged) {
			t.Fatalf("staff got %d events of the order, want %d", len(got), len(logged))
		}
		for i, e := range logged {
			g := got[i]
			if g.Type != e.DetailType || g.Seq != e.Seq || g.RunTimeMs != e.RunTimeMs || !g.Time.Equal(e.Time) ||
				string(g.Detail) != string(e.Detail) {
				t.Errorf("staff event %d = %+v, want the log's %+v", i, g, e)
			}
		}
		// Staff see who made it.
		if !has(staff.on(TopicStaffEvents)[len(staff.on(TopicStaffEvents))-2], barista.ID) {
			t.Error("staff event of the completion lacks the barista's id")
		}
	})
}

// A customer follows their own order to READY, and learns nothing about
// anyone else's.
func TestCustomerFollowsOwnOrder(t *testing.T) {
	transports(t, func(t *testing.T, r *rig, url string) {
		c := connect(t, url, cust1)
		c.mustSubscribe(CustomerEventsTopic(cust1.ID), CustomerOrderTopic(cust1.ID), TopicQueue, TopicShop)

		other := r.queued(cust2, "Bo") // someone else, first in the queue
		o := r.queued(cust1, "Al")
		// Queued behind cust-2's order, the snapshot shows place 2.
		c.wait(CustomerOrderTopic(cust1.ID), func(m msg) bool {
			s := decode[CustomerOrder](t, m)
			return s.State == order.Queued && s.Position == 2 && s.Number == 2
		})
		if _, err := r.orders.Make(r.ctx, barista, o.ID); err != nil {
			t.Fatal(err)
		}
		o, err := r.orders.Complete(r.ctx, barista, o.ID)
		if err != nil {
			t.Fatal(err)
		}

		c.wait(CustomerEventsTopic(cust1.ID), func(m msg) bool { return has(m, events.TypeOrderFinished) })
		var types []string
		for _, m := range c.on(CustomerEventsTopic(cust1.ID)) {
			e := decode[CustomerEvent](t, m)
			if e.OrderID != o.ID {
				t.Errorf("customer event of order %s, want only %s", e.OrderID, o.ID)
			}
			if e.Message == "" || e.Seq == 0 {
				t.Errorf("customer event without message or seq: %s", m.payload)
			}
			types = append(types, e.Type)
			if e.Type == events.TypeOrderCompleted && (e.State != string(order.Completed) || e.OrderNumber != o.Number) {
				t.Errorf("completion seen as %+v", e)
			}
		}
		want := []string{events.TypeNewOrder, events.TypeWorkflowStarted, events.TypeProcessorWaiting,
			events.TypeManagerWaiting, events.TypeMakeOrder, events.TypeOrderCompleted, events.TypeOrderFinished}
		if !slices.Equal(types, want) {
			t.Errorf("customer events = %v, want %v", types, want)
		}

		snap := decode[CustomerOrder](t, c.wait(CustomerOrderTopic(cust1.ID), func(m msg) bool {
			return has(m, `"state":"completed"`)
		}))
		if snap.ID != o.ID || !snap.Ready || snap.Number != o.Number || snap.Position != 0 {
			t.Errorf("order snapshot = %+v, want order %s ready", snap, o.ID)
		}

		code := r.code().Code
		for _, m := range c.received() {
			for _, secret := range []string{cust2.ID, other.ID, barista.ID, code, `"userId"`, `"actorId"`, `"baristaId"`} {
				if has(m, secret) {
					t.Errorf("customer payload on %s holds %q: %s", m.topic, secret, m.payload)
				}
			}
		}
	})
}

// The customer sees staff's cancellation, with who cancelled but not which
// staff member.
func TestCustomerSeesCancellation(t *testing.T) {
	r := newRig(t)
	c := connect(t, r.tcpURL, cust1)
	c.mustSubscribe(CustomerEventsTopic(cust1.ID))
	o := r.queued(cust1, "Al")
	if _, err := r.orders.Cancel(r.ctx, admin, o.ID); err != nil {
		t.Fatal(err)
	}
	m := c.wait(CustomerEventsTopic(cust1.ID), func(m msg) bool { return has(m, events.TypeOrderCancelled) })
	e := decode[CustomerEvent](t, m)
	if e.CancelledBy != events.ByStaff || e.State != string(order.Cancelled) {
		t.Errorf("cancellation seen as %+v", e)
	}
	if has(m, admin.ID) {
		t.Errorf("the customer learnt the admin's id: %s", m.payload)
	}
	fin := decode[CustomerEvent](t, c.wait(CustomerEventsTopic(cust1.ID), func(m msg) bool {
		return has(m, events.TypeOrderFinished)
	}))
	if fin.Outcome != events.OutcomeCancelled {
		t.Errorf("finish seen as %+v", fin)
	}
}

// Retained topics are there for a client that connects after the fact, and
// again after a restart on the same database, rebuilt from SQLite.
func TestRetainedTopics(t *testing.T) {
	r := newRig(t)
	staff := connect(t, r.tcpURL, admin)
	staff.mustSubscribe(TopicQueue)
	phone := connect(t, r.tcpURL, cust1)
	phone.mustSubscribe(CustomerOrderTopic(cust1.ID))
	waiting := r.queued(cust1, "Alexandrina-Maximiliana")
	making := r.queued(cust2, "Bo")
	if _, err := r.orders.Make(r.ctx, barista, making.ID); err != nil {
		t.Fatal(err)
	}
	// Let the projection settle, so a late client's first messages are
	// the retained ones: the queue shows the make, the last event, and the
	// customer's order is queued. The two are published independently.
	staff.wait(TopicQueue, func(m msg) bool { return has(m, `"making"`) })
	phone.wait(CustomerOrderTopic(cust1.ID), func(m msg) bool { return has(m, `"queued"`) })
	code := r.code()

	check := func(t *testing.T, url string) {
		t.Helper()
		c := connect(t, url, cust1)
		c.mustSubscribe(TopicShop, TopicQueue, CustomerOrderTopic(cust1.ID))
		shopState := decode[ShopState](t, c.wait(TopicShop, nil))
		if !shopState.Open || len(shopState.Menu) == 0 || shopState.BoothDay != 1 || shopState.Revision < 2 ||
			shopState.Settings.CustomerTimeoutSeconds != 900 {
			t.Errorf("retained shop = %+v", shopState)
		}
		queue := decode[QueueState](t, c.wait(TopicQueue, func(m msg) bool { return has(m, `"making"`) }))
		if len(queue.Orders) != 2 || queue.Orders[0].Number != waiting.Number || queue.Orders[0].State != "queued" ||
			queue.Orders[1].State != "making" || queue.Orders[0].Drink != "Flat White" {
			t.Errorf("retained queue = %+v", queue)
		}
		if name := queue.Orders[0].Name; len([]rune(name)) > order.DisplayNameRunes {
			t.Errorf("queue shows the name %q, longer than %d", name, order.DisplayNameRunes)
		}
		snap := decode[CustomerOrder](t, c.wait(CustomerOrderTopic(cust1.ID), nil))
		if snap.ID != waiting.ID || snap.State != order.Queued || snap.Position != 1 {
			t.Errorf("retained order snapshot = %+v", snap)
		}
		for _, topic := range []string{TopicShop, TopicQueue, CustomerOrderTopic(cust1.ID)} {
			if m := c.on(topic)[0]; !m.retained {
				t.Errorf("first message on %s not retained", topic)
			}
		}
		for _, m := range c.received() {
			if has(m, cust2.ID) || has(m, code.Code) {
				t.Errorf("customer payload on %s leaks: %s", m.topic, m.payload)
			}
		}
		d := connect(t, url, display)
		d.mustSubscribe(TopicQR)
		q := decode[QRState](t, d.wait(TopicQR, nil))
		if q.Code != code.Code || q.DrinksLeft != code.DrinksLeft || q.Drinks != 10 ||
			q.EndsAt != code.EndsAt.UnixMilli() || q.URL != "http://10.42.0.1/?code="+code.Code {
			t.Errorf("retained QR = %+v, want code %+v", q, code)
		}
	}
	t.Run("late client", func(t *testing.T) { check(t, r.tcpURL) })
	r.restart()
	t.Run("after restart", func(t *testing.T) { check(t, r.wsURL) })
}

// The QR topic follows the drinks left and changes when the fake clock
// passes the end of the period.
func TestQRTopic(t *testing.T) {
	r := newRig(t)
	d := connect(t, r.wsURL, display)
	d.mustSubscribe(TopicQR)
	first := decode[QRState](t, d.wait(TopicQR, nil))
	if first.DrinksLeft != 10 || first.Code == "" {
		t.Fatalf("first QR = %+v", first)
	}

	r.queued(cust1, "Al")
	if got := decode[QRState](t, d.wait(TopicQR, func(m msg) bool { return has(m, `"drinksLeft":9`) })); got.Code != first.Code {
		t.Errorf("after an order the code changed: %+v", got)
	}

	// Move to the end of the period: the next code appears.
	r.env.Clock.Advance(time.UnixMilli(first.EndsAt).Sub(r.env.Clock.Now()))
	next := decode[QRState](t, d.wait(TopicQR, func(m msg) bool { return !has(m, first.Code) }))
	if next.StartsAt != first.EndsAt || next.DrinksLeft != 10 || next.Code == first.Code {
		t.Errorf("next QR = %+v after %+v", next, first)
	}
	if cur := r.code(); cur.Code != next.Code {
		t.Errorf("published code %q, the validator's current is %q", next.Code, cur.Code)
	}
}

// A wall clock set right while the kiosk runs starts a new period; the
// display shows its code within a few seconds, not at the old period's end.
func TestQRFollowsWallClockJump(t *testing.T) {
	r := newRig(t)
	d := connect(t, r.tcpURL, display)
	d.mustSubscribe(TopicQR)
	first := decode[QRState](t, d.wait(TopicQR, nil))
	r.env.Clock.Jump(3 * time.Hour)
	r.env.Clock.Advance(qrRecheck)
	next := decode[QRState](t, d.wait(TopicQR, func(m msg) bool { return !has(m, first.Code) }))
	if want := time.UnixMilli(first.StartsAt).Add(3 * time.Hour).UnixMilli(); next.StartsAt != want {
		t.Errorf("after the jump the QR starts at %d, want %d", next.StartsAt, want)
	}
}

// The customer's retained order is published beside the projection, not
// in it; after a burst of events it still ends as the database has it.
func TestCustomerOrderEndsAsTheDatabase(t *testing.T) {
	r := newRig(t)
	live := connect(t, r.wsURL, cust1)
	live.mustSubscribe(CustomerOrderTopic(cust1.ID))
	o := r.queued(cust1, "Al")
	for range 10 {
		if _, err := r.orders.Make(r.ctx, barista, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.orders.Unmake(r.ctx, barista, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.orders.Make(r.ctx, barista, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.orders.Complete(r.ctx, barista, o.ID); err != nil {
		t.Fatal(err)
	}
	completed := func(m msg) bool { return decode[CustomerOrder](t, m).State == order.Completed }
	live.wait(CustomerOrderTopic(cust1.ID), completed)

	late := connect(t, r.tcpURL, cust1)
	late.mustSubscribe(CustomerOrderTopic(cust1.ID))
	snap := decode[CustomerOrder](t, late.wait(CustomerOrderTopic(cust1.ID), nil))
	if snap.ID != o.ID || snap.State != order.Completed || !snap.Ready {
		t.Errorf("retained order = %+v, want order %s completed", snap, o.ID)
	}
}

// Every customer has an order topic of their own. A finished order's
// retained message is dropped finishedRetention after it, from the library
// and from the broker's own copy, so a day of customers does not pile up;
// an order still open or waiting on the counter stays, and so does a
// customer's next order when their last one finishes.
func TestFinishedOrdersAreNotRetainedForever(t *testing.T) {
	r := newRig(t)
	cfg, err := r.shop.Config(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Settings.DrinksPerCustomerPerDay = 0 // three orders for one customer
	if _, err := r.shop.SetSettings(r.ctx, admin, cfg.Settings); err != nil {
		t.Fatal(err)
	}
	topic1, topic2 := CustomerOrderTopic(cust1.ID), CustomerOrderTopic(cust2.ID)
	live := connect(t, r.wsURL, cust1)
	live.mustSubscribe(topic1)
	retained := func(topic string) bool {
		_, mine := r.broker.direct.newest(topic)
		_, library := r.broker.srv.Topics.Retained.Get(topic)
		if mine != library {
			t.Fatalf("%s: retained by the broker %v, by the library %v", topic, mine, library)
		}
		return library
	}
	// dropped moves the clock on until topic is no longer retained; the
	// sweep has then also passed over everything published before it.
	dropped := func(topic string) {
		t.Helper()
		for range 10 {
			r.env.Clock.Advance(finishedRetention / 2)
			deadline := time.Now().Add(300 * time.Millisecond)
			for time.Now().Before(deadline) {
				if !retained(topic) {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
		t.Fatalf("%s still retained %v after it finished", topic, 5*finishedRetention)
	}
	cancelled := func(who access.Actor) {
		t.Helper()
		o := r.queued(who, "Bo")
		if _, err := r.orders.CancelOwn(r.ctx, who, o.ID); err != nil {
			t.Fatal(err)
		}
		c := connect(t, r.tcpURL, who)
		c.mustSubscribe(CustomerOrderTopic(who.ID))
		c.wait(CustomerOrderTopic(who.ID), func(m msg) bool { return decode[CustomerOrder](t, m).State == order.Cancelled })
	}

	first := r.ready(cust1, "Al") // on the counter
	live.wait(topic1, func(m msg) bool { return decode[CustomerOrder](t, m).Ready })
	cancelled(cust2)
	dropped(topic2)
	if !retained(topic1) {
		t.Fatal("an order waiting on the counter was dropped")
	}

	// Collected: the live phone has the final state; then it goes.
	if _, err := r.orders.Collect(r.ctx, barista, first.ID); err != nil {
		t.Fatal(err)
	}
	live.wait(topic1, func(m msg) bool { s := decode[CustomerOrder](t, m); return s.ID == first.ID && !s.Ready })
	dropped(topic1)

	// A finished order followed at once by the customer's next: the next
	// one stays.
	second := r.queued(cust1, "Al")
	if _, err := r.orders.CancelOwn(r.ctx, cust1, second.ID); err != nil {
		t.Fatal(err)
	}
	live.wait(topic1, func(m msg) bool { return decode[CustomerOrder](t, m).State == order.Cancelled })
	third := r.queued(cust1, "Al")
	live.wait(topic1, func(m msg) bool { return decode[CustomerOrder](t, m).ID == third.ID })
	cancelled(cust2) // a later finished order, to know the sweep has passed
	dropped(topic2)
	if !retained(topic1) {
		t.Fatal("the customer's new order was dropped with their cancelled one")
	}
	if snap := decode[CustomerOrder](t, live.last(topic1)); snap.ID != third.ID {
		t.Fatalf("retained %s, want the new order %s", snap.ID, third.ID)
	}
}
