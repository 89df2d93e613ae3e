package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/shop"
)

// subscriberName is the projection's durable name in the event store.
const subscriberName = "realtime"

// Qualities of service. Events go at least once. Retained state goes at
// most once: only its latest value matters, and a client gets it again on
// every subscribe. Keeping it out of the broker's in-flight window also
// matters because the broker keeps one window of packet ids per client for
// both directions: a SUBSCRIBE whose id equals that of a message still in
// flight to the client is refused with 0x91.
const (
	qosEvents   = 1
	qosRetained = 0
)

// qrRecheck bounds how long the QR timer sleeps. Periods are aligned to the
// wall clock, which may be corrected while the kiosk runs; looking again
// every few seconds shows the right code soon after a jump.
const qrRecheck = 5 * time.Second

// retryPause is how long a failed rebuild of the queue or the QR code waits
// before it tries again.
const retryPause = time.Second

// StaffEvent is an event as staff receive it on kiosk/staff/events.
type StaffEvent struct {
	Type      string          `json:"type"`
	Version   int             `json:"version"`
	Seq       int64           `json:"seq"`
	Time      time.Time       `json:"time"`
	RunTimeMs int64           `json:"runTimeMs"`
	Detail    json.RawMessage `json:"detail"`
}

// CustomerEvent is an event of a customer's own order as they receive it:
// what happened and the state it left the order in, without any other
// person's id (no barista, no staff actor, no other customer).
type CustomerEvent struct {
	Type        string    `json:"type"`
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	OrderID     string    `json:"orderId"`
	OrderNumber int       `json:"orderNumber,omitempty"`
	// State is the order's state after the event: waiting, queued,
	// making, completed or cancelled.
	State   string `json:"state"`
	Message string `json:"message"`
	// TimeoutSeconds is the customer's time to choose (WorkflowStarted) or
	// the baristas' time (OrderProcessor.WaitingCompletion).
	TimeoutSeconds int    `json:"timeoutSeconds,omitempty"`
	Action         string `json:"action,omitempty"`      // MakeOrder: make or unmake
	CancelledBy    string `json:"cancelledBy,omitempty"` // OrderCancelled: customer or staff
	Cause          string `json:"cause,omitempty"`       // OrderTimeOut: customer or barista
	Outcome        string `json:"outcome,omitempty"`     // orderFinished: completed, cancelled or timed_out
	By             string `json:"by,omitempty"`          // OrderCollected: staff or expired
}

// CustomerOrder is the retained snapshot of a customer's latest order: the
// order as the API shows its owner, without staff ids, and its place in the
// queue (1 is next; 0 when it is not waiting in the queue). Times left and
// ages are as of the snapshot.
type CustomerOrder struct {
	order.Order
	Position int `json:"position"`
}

// ShopState is the retained shop topic.
type ShopState struct {
	Open     bool         `json:"open"`
	Menu     shop.Menu    `json:"menu"`
	Revision int64        `json:"revision"`
	BoothDay int64        `json:"boothDay"`
	Settings PublicConfig `json:"settings"`
}

// PublicConfig is the part of the settings a customer's app needs.
type PublicConfig struct {
	CustomerTimeoutSeconds  int `json:"customerTimeoutSeconds"`
	DrinksPerCustomerPerDay int `json:"drinksPerCustomerPerDay"`
	ReadySeconds            int `json:"readySeconds"`
}

// QueueState is the retained public queue. Ages are as of the publish.
type QueueState struct {
	Orders []order.QueueEntry `json:"orders"`
}

// QRState is the retained QR topic, for the display and staff only.
type QRState struct {
	Code       string `json:"code"`
	URL        string `json:"url"`
	StartsAt   int64  `json:"startsAt"` // Unix milliseconds
	EndsAt     int64  `json:"endsAt"`   // Unix milliseconds
	DrinksLeft int    `json:"drinksLeft"`
	Drinks     int    `json:"drinks"`
	// Wifi names the booth's Wi-Fi when an admin set one; the display then
	// shows a join code from /api/display/wifi.png.
	Wifi *WifiState `json:"wifi,omitempty"`
}

// WifiState is the booth's Wi-Fi as the display names it (never the
// password: the join code image carries that).
type WifiState struct {
	SSID string `json:"ssid"`
}

// handle is the projection: it publishes one event to the staff stream and,
// by its type, to its customer, and has the retained topics it changes
// published anew. It is idempotent: an event handled twice publishes the
// same again.
//
// The event goes out at once. The retained topics an order event changes
// (the customer's order, the queue) are read and published by goroutines of
// their own (runOrders, runQueue), so that no database read stands between
// one customer's event and the next; each reads after the event was handed
// over, so the value left retained is always the database's. A failure
// (which makes the store retry the event) comes from reading the shop, the
// QR code or the notice, after the event has gone out.
func (b *Broker) handle(ctx context.Context, e events.Event) (err error) {
	defer func() {
		if err != nil {
			b.projErr.Store(&err)
		} else {
			b.projErr.Store(nil)
		}
	}()
	staff, err := json.Marshal(StaffEvent{Type: e.DetailType, Version: e.Version, Seq: e.Seq,
		Time: e.Time, RunTimeMs: e.RunTimeMs, Detail: e.Detail})
	if err != nil {
		return err
	}
	b.publish(TopicStaffEvents, staff, false)

	d, err := e.Decode()
	if err != nil {
		// The log holds only checked events; one this binary cannot read
		// is from a newer kiosk. Staff have it; the rest is skipped rather
		// than holding up every later event.
		b.log.Error("realtime: cannot decode an event; only staff receive it", "seq", e.Seq,
			"detail-type", e.DetailType, "err", err)
		return nil
	}
	if user, ce, ok := customerView(e, d); ok {
		if !validTopicID(user) {
			b.log.Warn("realtime: customer id unusable in a topic; not published", "seq", e.Seq)
		} else {
			payload, err := json.Marshal(ce)
			if err != nil {
				return err
			}
			b.publish(CustomerEventsTopic(user), payload, false)
			b.kickOrder(user)
		}
	}
	switch e.DetailType {
	case events.TypeManagerWaiting, events.TypeMakeOrder, events.TypeOrderCompleted,
		events.TypeOrderCancelled, events.TypeOrderTimeOut, events.TypeOrderCollected:
		b.kickQueue()
	}
	switch e.DetailType {
	case events.TypeNewOrder:
		return b.publishQR(ctx)
	case events.TypeConfigChanged:
		if err := b.publishShop(ctx); err != nil {
			return err
		}
		return b.publishQR(ctx) // the period or the drinks per code may have changed
	case events.TypeBoothDayStarted:
		return b.publishShop(ctx)
	case events.TypeBroadcast:
		return b.publishNotice(ctx)
	}
	return nil
}

// customerView returns the customer an order event belongs to and the event
// as they may see it; ok is false for events that are not about one order.
func customerView(e events.Event, d events.Detail) (user string, ce CustomerEvent, ok bool) {
	ce = CustomerEvent{Type: e.DetailType, Seq: e.Seq, Time: e.Time}
	switch d := d.(type) {
	case *events.NewOrder:
		user, ce.OrderID, ce.State, ce.Message = d.UserID, d.OrderID, string(order.Waiting), d.Message
	case *events.WorkflowStarted:
		user, ce.OrderID, ce.State, ce.Message = d.UserID, d.OrderID, string(order.Waiting), d.Message
		ce.TimeoutSeconds = d.TimeoutSeconds
	case *events.ProcessorWaiting:
		user, ce.OrderID, ce.OrderNumber, ce.State, ce.Message = d.UserID, d.OrderID, d.OrderNumber, string(order.Queued), d.Message
		ce.TimeoutSeconds = d.TimeoutSeconds
	case *events.ManagerWaiting:
		user, ce.OrderID, ce.OrderNumber, ce.State, ce.Message = d.UserID, d.OrderID, d.OrderNumber, string(order.Queued), d.Message
	case *events.MakeOrder:
		user, ce.OrderID, ce.OrderNumber, ce.Message = d.UserID, d.OrderID, d.OrderNumber, d.Message
		ce.Action, ce.State = d.Action, string(order.Making)
		if d.Action == events.ActionUnmake {
			ce.State = string(order.Queued)
		}
	case *events.OrderCompleted:
		user, ce.OrderID, ce.OrderNumber, ce.State, ce.Message = d.UserID, d.OrderID, d.OrderNumber, string(order.Completed), d.Message
	case *events.OrderCancelled:
		user, ce.OrderID, ce.OrderNumber, ce.State, ce.Message = d.UserID, d.OrderID, d.OrderNumber, string(order.Cancelled), d.Message
		ce.CancelledBy = d.CancelledBy
	case *events.OrderTimeOut:
		user, ce.OrderID, ce.OrderNumber, ce.State, ce.Message = d.UserID, d.OrderID, d.OrderNumber, string(order.Cancelled), d.Message
		ce.Cause = d.Cause
	case *events.OrderFinished:
		user, ce.OrderID, ce.OrderNumber, ce.Message = d.UserID, d.OrderID, d.OrderNumber, d.Message
		ce.Outcome, ce.State = d.Outcome, string(order.Cancelled)
		if d.Outcome == events.OutcomeCompleted {
			ce.State = string(order.Completed)
		}
	case *events.OrderCollected:
		user, ce.OrderID, ce.OrderNumber, ce.State, ce.Message = d.UserID, d.OrderID, d.OrderNumber, string(order.Completed), d.Message
		ce.By = d.By
	default:
		return "", CustomerEvent{}, false
	}
	return user, ce, true
}

// publish sends one message as the kiosk itself, which no ACL restricts:
// events through the MQTT library, retained state directly (see direct).
// The two are serialised apart, so an event never waits for a fan-out of
// the queue to a thousand phones.
func (b *Broker) publish(topic string, payload []byte, retain bool) {
	if retain {
		b.retainMu.Lock()
		defer b.retainMu.Unlock()
		b.direct.publish(b.srv, b.hook.mayReadClient, topic, payload)
		return
	}
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	if err := b.srv.Publish(topic, payload, false, qosEvents); err != nil {
		b.log.Error("realtime: publish failed", "topic", topic, "err", err)
	}
}

// publishRetained publishes v as JSON, retained.
func (b *Broker) publishRetained(topic string, v any) error {
	_, err := b.retain(topic, v)
	return err
}

// retain is publishRetained, returning the bytes it published.
func (b *Broker) retain(topic string, v any) ([]byte, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", topic, err)
	}
	b.publish(topic, payload, true)
	return payload, nil
}

// publishNotice retains staff's current message to everyone waiting.
func (b *Broker) publishNotice(ctx context.Context) error {
	n, err := b.deps.Shop.CurrentNotice(ctx)
	if err != nil {
		return err
	}
	return b.publishRetained(TopicBroadcast, n)
}

// PublishPrinter retains the ticket printer's state on TopicPrinter, where
// only staff may read it. The kiosk calls it on every change of the state.
func (b *Broker) PublishPrinter(state any) error {
	return b.publishRetained(TopicPrinter, state)
}

// publishCustomerOrder retains the customer's latest order, if they have
// one.
func (b *Broker) publishCustomerOrder(ctx context.Context, customerID string) error {
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	o, ok, err := b.deps.Orders.Latest(ctx, customerID)
	if err != nil || !ok {
		return err
	}
	pos, err := b.deps.Orders.Position(ctx, o)
	if err != nil {
		return fmt.Errorf("read the queue position of order %s: %w", o.ID, err)
	}
	// Staff ids are not the customer's business.
	o.BaristaID, o.EndedBy = "", ""
	topic := CustomerOrderTopic(customerID)
	payload, err := b.retain(topic, CustomerOrder{Order: o, Position: pos})
	if err != nil {
		return err
	}
	if o.State == order.Cancelled || (o.State == order.Completed && !o.Ready) {
		b.retireLater(topic, payload)
	}
	return nil
}

// finishedRetention is how long a customer's finished order (collected,
// cancelled or timed out) stays retained after its last publish. Every
// customer of the day has a topic of their own, and a retained message kept
// for each would pile up all day, in the library's index and in the
// broker's own copy, and cost every collection more; a finished order has
// nothing more to say. A phone that follows it live has the final state at
// once; a lane still has this long to write it to a slow one; a phone that
// reconnects later reads its orders over HTTP, as it does on every
// reconnect.
const finishedRetention = 10 * time.Second

// retiring is a finished order's retained message, due to be dropped.
type retiring struct {
	topic   string
	payload []byte
	at      time.Duration // the clock's Elapsed when it was published
}

// retireLater has the retained message payload of topic dropped
// finishedRetention from now, unless the topic has a newer one by then (the
// customer opened another order).
func (b *Broker) retireLater(topic string, payload []byte) {
	b.retireMu.Lock()
	b.retiring = append(b.retiring, retiring{topic: topic, payload: payload, at: b.deps.Clock.Elapsed()})
	b.retireMu.Unlock()
}

// runRetire drops the finished orders' retained messages once they are
// finishedRetention old, looking every half of it.
func (b *Broker) runRetire(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.deps.Clock.After(finishedRetention / 2):
		}
		b.retire(b.deps.Clock.Elapsed() - finishedRetention)
	}
}

// retire drops the retained messages published at or before cutoff.
func (b *Broker) retire(cutoff time.Duration) {
	b.retireMu.Lock()
	n := 0
	for n < len(b.retiring) && b.retiring[n].at <= cutoff {
		n++
	}
	due := slices.Clone(b.retiring[:n])
	b.retiring = slices.Delete(b.retiring, 0, n)
	b.retireMu.Unlock()
	for _, r := range due {
		b.retainMu.Lock()
		b.direct.drop(b.srv, r.topic, r.payload)
		b.retainMu.Unlock()
	}
}

// publishShop retains the shop's configuration.
func (b *Broker) publishShop(ctx context.Context) error {
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	c, err := b.deps.Shop.Config(ctx)
	if err != nil {
		return err
	}
	return b.publishRetained(TopicShop, ShopState{Open: c.Open, Menu: c.Menu, Revision: c.Revision,
		BoothDay: c.BoothDay, Settings: PublicConfig{
			CustomerTimeoutSeconds:  c.Settings.CustomerTimeoutSeconds,
			DrinksPerCustomerPerDay: c.Settings.DrinksPerCustomerPerDay,
			ReadySeconds:            c.Settings.ReadySeconds,
		}})
}

// publishQueue retains the public queue.
func (b *Broker) publishQueue(ctx context.Context) error {
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	q, err := b.deps.Orders.Queue(ctx)
	if err != nil {
		return err
	}
	return b.publishRetained(TopicQueue, QueueState{Orders: q})
}

// publishQR retains the current QR code, issuing it if the period is new,
// unless it is what was published last.
func (b *Broker) publishQR(ctx context.Context) error {
	_, err := b.refreshQR(ctx)
	return err
}

func (b *Broker) refreshQR(ctx context.Context) (endsAt time.Time, err error) {
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	c, err := b.deps.QR.Current(ctx, access.SystemActor)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the QR code: %w", err)
	}
	cfg, err := b.deps.Shop.Config(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the booth settings: %w", err)
	}
	u := *b.publicURL
	if cfg.Booth.PublicURL != "" {
		if booth, err := url.Parse(cfg.Booth.PublicURL); err == nil {
			u = *booth
		}
	}
	q := u.Query()
	q.Set("code", c.Code)
	u.RawQuery = q.Encode()
	state := QRState{Code: c.Code, URL: u.String(), StartsAt: c.StartsAt.UnixMilli(),
		EndsAt: c.EndsAt.UnixMilli(), DrinksLeft: c.DrinksLeft, Drinks: c.Drinks}
	if cfg.Booth.WifiSSID != "" {
		state.Wifi = &WifiState{SSID: cfg.Booth.WifiSSID}
	}
	payload, err := json.Marshal(state)
	if err != nil {
		return time.Time{}, err
	}
	if string(payload) != string(b.lastQR) {
		b.publish(TopicQR, payload, true)
		b.lastQR = payload
	}
	return c.EndsAt, nil
}

// kickQueue asks the queue publisher for a new publish. Kicks that come
// while it is busy fold into one: a single event is published at once, a
// burst at most twice.
func (b *Broker) kickQueue() {
	select {
	case b.queueKick <- struct{}{}:
	default:
	}
}

// runQueue publishes the queue whenever it is kicked.
func (b *Broker) runQueue(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.queueKick:
		}
		if err := b.publishQueue(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			b.log.Error("realtime: publish the queue", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-b.deps.Clock.After(retryPause):
				b.kickQueue()
			}
		}
	}
}

// kickOrder asks the order publisher for a new publish of the customer's
// order. Kicks for a customer whose publish has not started yet fold into
// one.
func (b *Broker) kickOrder(customerID string) {
	b.ordersMu.Lock()
	b.ordersDue[customerID] = struct{}{}
	b.ordersMu.Unlock()
	select {
	case b.ordersKick <- struct{}{}:
	default:
	}
}

// runOrders publishes the order of every customer kicked since its last
// round. A customer kicked while their order is read is read again in the
// next round, so the retained order ends as the database has it.
func (b *Broker) runOrders(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.ordersKick:
		}
		b.ordersMu.Lock()
		due := b.ordersDue
		b.ordersDue = make(map[string]struct{}, len(due))
		b.ordersMu.Unlock()
		var failed error
		for id := range due {
			if failed == nil {
				failed = b.publishCustomerOrder(ctx, id)
			}
			if failed != nil {
				// Left for the next round, with the ones not yet read.
				b.ordersMu.Lock()
				b.ordersDue[id] = struct{}{}
				b.ordersMu.Unlock()
			}
		}
		if failed == nil {
			b.ordersErr.Store(nil)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		b.ordersErr.Store(&failed)
		b.log.Error("realtime: publish a customer's order", "err", failed)
		select {
		case <-ctx.Done():
			return
		case <-b.deps.Clock.After(retryPause):
			select {
			case b.ordersKick <- struct{}{}:
			default:
			}
		}
	}
}

// runQR republishes the QR code when its period ends, and looks again every
// qrRecheck in case the wall clock was corrected.
func (b *Broker) runQR(ctx context.Context) {
	clk := b.deps.Clock
	for {
		// Time that passes while the code is read counts against the
		// wait, so a clock that moves meanwhile is never missed.
		mark := clk.Elapsed()
		wait := retryPause
		end, err := b.refreshQR(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			b.log.Error("realtime: publish the QR code", "err", err)
		default:
			wait = min(max(end.Sub(clk.Now()), 0), qrRecheck)
		}
		wait -= clk.Elapsed() - mark
		select {
		case <-ctx.Done():
			return
		case <-clk.After(wait):
		}
	}
}

// rebuild publishes every retained topic from the database: the shop, the
// queue, the QR code, and the latest order of every customer with an order
// in the current booth day.
func (b *Broker) rebuild(ctx context.Context) error {
	if err := b.publishShop(ctx); err != nil {
		return err
	}
	if err := b.publishQueue(ctx); err != nil {
		return err
	}
	if err := b.publishQR(ctx); err != nil {
		return err
	}
	if err := b.publishNotice(ctx); err != nil {
		return err
	}
	customers, err := b.customersToday(ctx)
	if err != nil {
		return err
	}
	for _, id := range customers {
		if !validTopicID(id) {
			continue
		}
		if err := b.publishCustomerOrder(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// customersToday lists the customers with an order in the current booth
// day. The order package has no query for this, and it is the broker's
// need alone, so it reads the table itself.
func (b *Broker) customersToday(ctx context.Context) ([]string, error) {
	rows, err := b.deps.Store.DB().Read().QueryContext(ctx, `SELECT DISTINCT customer_id FROM orders
		WHERE booth_day = (SELECT max(id) FROM booth_days)`)
	if err != nil {
		return nil, fmt.Errorf("list today's customers: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
