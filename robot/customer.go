package robot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Pauses and bounds of a robot customer.
const (
	// qrHideBefore is how long before its period ends the display stops
	// showing a code, so nobody scans one about to expire; the robot does
	// not scan it either.
	qrHideBefore = 5 * time.Second
	// qrCacheFor lets customers who start together share one reading of
	// the code, as people in front of one screen do.
	qrCacheFor = 250 * time.Millisecond
	// rolloverPoll bounds how long a waiting customer goes without looking
	// at the display again.
	rolloverPoll = time.Second
	// expiredPause is the pause after a code expired between reading and
	// scanning it: the next period has just begun.
	expiredPause = 200 * time.Millisecond
	// queuePause is the longest a customer refused for a full queue waits
	// before trying again; a robot order ending wakes it sooner.
	queuePause = 2 * time.Second
	// shopPause is how often a customer refused for a closed shop looks
	// whether it opened.
	shopPause = 2 * time.Second
	// orderPoll is how often a waiting customer also reads its order over
	// HTTP, to notice an end whose event never arrives.
	orderPoll = 5 * time.Second
	// eventGrace is how long an event may lag behind an end the customer
	// already read over HTTP before it counts as lost. It is generous: a
	// late event is measured in the latencies, only a lost one is an error.
	eventGrace = 30 * time.Second
	// submitTries bounds the tries to submit when drinks sell out meanwhile.
	submitTries = 3
)

// firstNames are the names robot customers give at the scan.
var firstNames = []string{"Ada", "Grace", "Linus", "Zoë", "José", "Søren", "Amara", "Kenji", "Priya", "Olu",
	"Mateo", "Ingrid", "Chen", "Fatima", "Noah", "Élodie", "Ravi", "Aoife", "Tomasz", "Leila"}

// outcome is how one robot customer's order ended.
type outcome int

const (
	outCompleted outcome = iota
	outCancelled
	outStaffCancelled
	outTimedOut
	outGaveUp
	outFailed
)

// customerEvent is an event on a customer's own topic, as the robot reads it.
type customerEvent struct {
	Type        string `json:"type"`
	OrderID     string `json:"orderId"`
	State       string `json:"state"`
	CancelledBy string `json:"cancelledBy"`
	Cause       string `json:"cause"`
	Outcome     string `json:"outcome"`
}

// customer is one robot customer: one phone with its own cookies.
type customer struct {
	r    *run
	n    int
	c    *client
	name string
}

// customer plays one customer from the scan to the end of its order and
// tallies how it went.
func (r *run) customer(ctx context.Context, n int) {
	cu := &customer{r: r, n: n, c: newClient(r.base, r.transport), name: firstNames[rand.IntN(len(firstNames))]}
	out, err := cu.play(ctx)
	if ctx.Err() != nil && out == outFailed {
		out, err = outGaveUp, nil // stopped by Ctrl-C, not a failure of the kiosk
	}
	if err != nil {
		r.tally.error(fmt.Errorf("customer %d: %w", n, err))
		r.log.Warn("robot customer failed", "customer", n, "err", err)
	}
	r.tally.add(func(rep *Report) {
		switch out {
		case outCompleted:
			rep.Completed++
		case outCancelled:
			rep.Cancelled++
		case outStaffCancelled:
			rep.CancelledByStaff++
		case outTimedOut:
			rep.TimedOut++
		case outGaveUp:
			rep.GaveUp++
		case outFailed:
			rep.Failed++
		}
	})
	r.freed.fire()
}

func (cu *customer) play(ctx context.Context) (outcome, error) {
	menu, err := cu.c.prime(ctx)
	if err != nil {
		return outFailed, fmt.Errorf("open the ordering page: %w", err)
	}
	o, scanAt, out, err := cu.scan(ctx)
	if err != nil || o.ID == "" {
		return out, err
	}

	// Listen before choosing, so no event of the order is missed.
	events := make(chan message, 64)
	var rt realtimeView
	if err := cu.c.get(ctx, "/api/realtime", &rt); err != nil {
		return cu.abandon(ctx, o.ID, fmt.Errorf("read the realtime credentials: %w", err))
	}
	if rt.CustomerTopic == "" {
		return cu.abandon(ctx, o.ID, errors.New("the realtime answer names no customer topic"))
	}
	sub, err := subscribe(ctx, cu.r.base, rt, fmt.Sprintf("customer%d", cu.n), rt.CustomerTopic+"/events", func(m message) {
		select {
		case events <- m:
		default: // a customer's order has a handful of events; a full buffer means something is wrong
		}
	})
	if err != nil {
		return cu.abandon(ctx, o.ID, err)
	}
	defer sub.close()

	if err := cu.submit(ctx, o.ID, menu); err != nil {
		return cu.abandon(ctx, o.ID, err)
	}
	if rand.Float64()*100 < cu.r.cfg.CancelPercent {
		// The customer changes their mind as soon as the order is queued;
		// a barista may still be quicker.
		fctx, cancel := finishing(ctx)
		err := cu.c.do(fctx, http.MethodPost, "/api/orders/"+o.ID+"/cancel", nil, nil)
		cancel()
		switch code := errorCode(err); {
		case err == nil:
			return outCancelled, nil
		case code == "order_being_made" || code == "order_finished":
			// A barista was quicker: the drink is on its way.
			cu.r.tally.add(func(rep *Report) { rep.CancelTooLate++ })
		case ctx.Err() != nil:
			return outGaveUp, nil
		default:
			cu.r.tally.error(fmt.Errorf("customer %d: cancel: %w", cu.n, err))
		}
	}
	return cu.wait(ctx, o.ID, scanAt, events)
}

// scan reads the code off the display and scans it until the kiosk opens
// an order, waiting as a person would after each refusal: for the next QR
// period, a free place in the queue, or the shop to open.
func (cu *customer) scan(ctx context.Context) (orderView, time.Time, outcome, error) {
	r := cu.r
	for {
		if ctx.Err() != nil {
			return orderView{}, time.Time{}, outGaveUp, nil
		}
		q, err := r.readQR(ctx)
		if err != nil {
			return orderView{}, time.Time{}, outFailed, fmt.Errorf("read the QR code: %w", err)
		}
		if hidden(q, time.Now()) {
			r.waitRollover(ctx, q, "The QR code was in its last seconds, which the display does not show; customers waited for the next period.")
			continue
		}
		at := time.Now()
		var o orderView
		fctx, cancel := finishing(ctx)
		err = cu.c.do(fctx, http.MethodPost, "/api/orders", map[string]string{"name": cu.name, "code": q.Code}, &o)
		cancel()
		if err == nil {
			if o.ID == "" {
				return o, at, outFailed, errors.New("the scan was accepted without an order id")
			}
			return o, at, outCompleted, nil
		}
		code := errorCode(err)
		switch code {
		case "qr_used_up", "qr_expired", "queue_full", "shop_closed", "daily_limit", "open_order_exists":
			r.tally.add(func(rep *Report) { rep.Refused[code]++ })
		}
		switch code {
		case "qr_used_up":
			r.waitRollover(ctx, q, fmt.Sprintf("A QR code's %d drinks were used up; customers waited for the next period, as people at the booth would.", q.Drinks))
		case "qr_expired":
			sleep(ctx, expiredPause)
		case "queue_full":
			r.noteOnce("queue_full", "The queue was full (maxInFlight); customers waited for a free place.")
			r.waitFreePlace(ctx)
		case "shop_closed":
			r.noteOnce("shop_closed", "The shop closed during the run; customers waited for it to open again.")
			r.waitOpen(ctx, cu.c)
		case "daily_limit", "open_order_exists":
			return orderView{}, time.Time{}, outGaveUp, fmt.Errorf("scan refused for good: %w", err)
		default:
			if ctx.Err() != nil {
				return orderView{}, time.Time{}, outGaveUp, nil
			}
			return orderView{}, time.Time{}, outFailed, fmt.Errorf("scan: %w", err)
		}
	}
}

// submit chooses a drink with options and places it, choosing again if the
// drink sold out meanwhile.
func (cu *customer) submit(ctx context.Context, orderID string, menu shopView) error {
	var err error
	for range submitTries {
		sel, ok := chooseDrink(menu.Menu)
		if !ok {
			return errors.New("no drink on the menu is available")
		}
		fctx, cancel := finishing(ctx)
		err = cu.c.do(fctx, http.MethodPut, "/api/orders/"+orderID+"/drink", sel, nil)
		cancel()
		if errorCode(err) != "drink_unavailable" {
			break
		}
		if menu, err = cu.c.prime(ctx); err != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("submit the drink: %w", err)
	}
	return nil
}

// chooseDrink picks an available drink and, for most of its option groups,
// an option; a group left out gets its default.
func chooseDrink(menu []drink) (selection, bool) {
	var avail []drink
	for _, d := range menu {
		if d.Available {
			avail = append(avail, d)
		}
	}
	if len(avail) == 0 {
		return selection{}, false
	}
	d := avail[rand.IntN(len(avail))]
	sel := selection{DrinkID: d.ID, Options: []choice{}}
	for _, g := range d.Options {
		if len(g.Choices) == 0 || rand.IntN(4) == 0 {
			continue
		}
		sel.Options = append(sel.Options, choice{Group: g.Name, Choice: g.Choices[rand.IntN(len(g.Choices))]})
	}
	return sel, true
}

// wait waits for the order to end, on the customer's realtime topic, and
// records the latencies of a READY.
func (cu *customer) wait(ctx context.Context, orderID string, scanAt time.Time, events <-chan message) (outcome, error) {
	r := cu.r
	limit := time.NewTimer(r.cfg.OrderTimeout)
	defer limit.Stop()
	poll := time.NewTicker(orderPoll)
	defer poll.Stop()
	var graceC <-chan time.Time
	var polled orderView
	for {
		select {
		case <-ctx.Done():
			return cu.abandon(ctx, orderID, nil)
		case <-limit.C:
			return cu.abandon(ctx, orderID, fmt.Errorf("order %s did not end within %s", shortID(orderID), r.cfg.OrderTimeout))
		case m := <-events:
			var e customerEvent
			if err := json.Unmarshal(m.payload, &e); err != nil {
				return outFailed, fmt.Errorf("an event on %s is not JSON: %w", m.topic, err)
			}
			if e.OrderID != orderID {
				continue
			}
			switch e.State {
			case "completed":
				var sent time.Time
				if v, ok := r.completeSent.Load(orderID); ok {
					sent = v.(time.Time)
				}
				r.tally.latency(m.at.Sub(scanAt), m.at.Sub(sent), !sent.IsZero())
				select {
				case r.collect <- orderID:
				default:
				}
				return outCompleted, nil
			case "cancelled":
				// Not errors of the run, but not how a robot order should
				// end: the report counts them, and the run is not OK.
				if e.Type == "OrderProcessor.OrderTimeOut" || e.Outcome == "timed_out" {
					r.log.Warn("robot order timed out", "customer", cu.n, "order", shortID(orderID), "cause", e.Cause)
					return outTimedOut, nil
				}
				r.log.Warn("robot order cancelled by staff", "customer", cu.n, "order", shortID(orderID))
				return outStaffCancelled, nil
			}
		case <-poll.C:
			if graceC != nil {
				continue
			}
			if err := cu.c.get(ctx, "/api/orders/"+orderID, &polled); err != nil {
				if ctx.Err() == nil {
					r.tally.error(fmt.Errorf("customer %d: read the order: %w", cu.n, err))
				}
				continue
			}
			if polled.State == "completed" || polled.State == "cancelled" {
				graceC = time.After(eventGrace)
			}
		case <-graceC:
			err := fmt.Errorf("order %s ended (%s, %s) but its customer received no event over MQTT within %s",
				shortID(orderID), polled.State, polled.EndReason, eventGrace)
			if polled.State == "completed" {
				return outCompleted, err
			}
			return outFailed, err
		}
	}
}

// abandon cancels the customer's own order when it cannot go on (an error,
// the run's end), so no robot order is left for the baristas, and returns
// why.
func (cu *customer) abandon(ctx context.Context, orderID string, why error) (outcome, error) {
	c, cancel := finishing(ctx)
	defer cancel()
	err := cu.c.do(c, http.MethodPost, "/api/orders/"+orderID+"/cancel", nil, nil)
	if why == nil || ctx.Err() != nil {
		return outGaveUp, nil // the run was stopped
	}
	if err != nil && errorCode(err) != "order_being_made" && errorCode(err) != "order_finished" {
		why = fmt.Errorf("%w (and cancelling the order failed: %v)", why, err)
	}
	return outFailed, why
}

// readQR reads the code the display shows, sharing a fresh reading among
// customers who look at the same moment.
func (r *run) readQR(ctx context.Context) (qrView, error) {
	r.qrMu.Lock()
	defer r.qrMu.Unlock()
	if !r.qrAt.IsZero() && time.Since(r.qrAt) < qrCacheFor {
		return r.qrLast, nil
	}
	var q qrView
	if err := r.staff.get(ctx, "/api/display/qr", &q); err != nil {
		return qrView{}, err
	}
	r.qrLast, r.qrAt = q, time.Now()
	return q, nil
}

// hidden reports whether the display hides the code at now: in the last
// seconds of its period. A code whose end already passed by this machine's
// clock is not hidden: the clocks differ, and the kiosk's says it is current.
func hidden(q qrView, now time.Time) bool {
	end, err := time.Parse(time.RFC3339Nano, q.EndsAt)
	if err != nil {
		return false
	}
	left := end.Sub(now)
	return left > 0 && left < qrHideBefore
}

// waitRollover waits, in real time, until the display shows a code other
// than q's: the next period. It is normal at a busy bar and reported.
func (r *run) waitRollover(ctx context.Context, q qrView, note string) {
	r.noteOnce(note, note)
	start := time.Now()
	defer func() {
		d := time.Since(start)
		r.tally.add(func(rep *Report) { rep.RolloverWaits++; rep.LongestRolloverWait = max(rep.LongestRolloverWait, d) })
	}()
	for {
		d := rolloverPoll
		if end, err := time.Parse(time.RFC3339Nano, q.EndsAt); err == nil {
			d = min(max(time.Until(end), 50*time.Millisecond), rolloverPoll)
		}
		if !sleep(ctx, d) {
			return
		}
		next, err := r.readQR(ctx)
		if err == nil && next.Code != q.Code && !hidden(next, time.Now()) {
			return
		}
	}
}

// waitFreePlace waits until a robot order ends or queuePause passes.
func (r *run) waitFreePlace(ctx context.Context) {
	t := time.NewTimer(queuePause)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-r.freed.wait():
	case <-t.C:
	}
}

// waitOpen waits until the shop is open again.
func (r *run) waitOpen(ctx context.Context, c *client) {
	for sleep(ctx, shopPause) {
		if s, err := c.prime(ctx); err == nil && s.Open {
			return
		}
	}
}

// shortID is the start of an order id, enough to find it in the kiosk's log.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
