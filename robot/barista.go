package robot

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Pauses of a barista robot.
const (
	// baristaPoll is how often a barista looks at the queue even when no
	// event says there is work: it catches up after a dropped connection.
	baristaPoll = 2 * time.Second
	// errorPause keeps a barista that meets an unexpected error from
	// spinning on it.
	errorPause = time.Second
	// queuedPage is how much of the queue a barista reads at a time.
	queuedPage = 20
)

// baristaName is the account the n-th barista robot signs in with when the
// robot may create accounts.
func baristaName(n int) string { return fmt.Sprintf("robot-barista-%d", n) }

// races are the barista errors that are normal at a busy bar: another
// barista was quicker, or the customer cancelled first.
var races = map[string]bool{"claimed_by_other": true, "order_finished": true, "order_not_queued": true,
	"order_not_making": true}

// signInBaristas signs in one staff session per barista robot. With admin
// rights each robot gets its own barista account (created if missing, its
// password set to a fresh random one each run, so no password is ever
// stored); without, they all share the given account.
func (r *run) signInBaristas(ctx context.Context, admin bool) ([]*client, error) {
	var out []*client
	signIn := func(user, password string) error {
		c := newClient(r.base, r.transport)
		if _, err := c.signIn(ctx, user, password); err != nil {
			return fmt.Errorf("sign in barista %q: %w", user, err)
		}
		r.onUndo(func(ctx context.Context) { c.signOut(ctx) })
		out = append(out, c)
		return nil
	}
	if !admin {
		for range r.cfg.Baristas {
			if err := signIn(r.cfg.StaffUser, r.cfg.StaffPassword); err != nil {
				return nil, err
			}
		}
		if r.cfg.Baristas > 1 {
			r.tally.note(fmt.Sprintf("%q is not an admin, so all %d barista robots share its account.", r.cfg.StaffUser, r.cfg.Baristas))
		}
		return out, nil
	}
	var list struct {
		Accounts []accountView `json:"accounts"`
	}
	if err := r.staff.get(ctx, "/api/staff", &list); err != nil {
		return nil, fmt.Errorf("list the staff accounts: %w", err)
	}
	existing := map[string]string{}
	for _, a := range list.Accounts {
		existing[a.Username] = a.ID
	}
	created := 0
	for n := 1; n <= r.cfg.Baristas; n++ {
		name, password := baristaName(n), crand.Text()
		if id, ok := existing[name]; ok {
			change := map[string]string{"role": "barista", "password": password}
			if err := r.staff.do(ctx, http.MethodPatch, "/api/staff/"+id, change, nil); err != nil {
				return nil, fmt.Errorf("set the password of %q: %w", name, err)
			}
		} else {
			acc := map[string]string{"username": name, "role": "barista", "password": password}
			if err := r.staff.do(ctx, http.MethodPost, "/api/staff", acc, nil); err != nil {
				return nil, fmt.Errorf("create the barista account %q: %w", name, err)
			}
			created++
		}
		if err := signIn(name, password); err != nil {
			return nil, err
		}
	}
	r.tally.note(fmt.Sprintf("Barista robots sign in as %s…%s (%d accounts created now); their passwords are random and not kept.",
		baristaName(1), baristaName(r.cfg.Baristas), created))
	return out, nil
}

// barista works the queue until ctx is done: it listens to the staff
// events to know when there is work, and reads the queue to catch up.
func (r *run) barista(ctx context.Context, n int, c *client) {
	kick := make(chan struct{}, 1)
	var rt realtimeView
	if err := c.get(ctx, "/api/realtime", &rt); err != nil {
		r.tally.error(fmt.Errorf("barista %d: read the realtime credentials: %w", n, err))
	} else {
		sub, err := subscribe(ctx, r.base, rt, fmt.Sprintf("barista%d", n), topicStaffEvents, func(m message) {
			var e struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(m.payload, &e) != nil {
				return
			}
			switch e.Type {
			case "OrderManager.WaitingCompletion", "OrderManager.MakeOrder":
				select {
				case kick <- struct{}{}:
				default:
				}
			}
		})
		switch {
		case err != nil && ctx.Err() == nil:
			// The queue is still read every baristaPoll; the run goes on.
			r.tally.error(fmt.Errorf("barista %d: %w", n, err))
		case err == nil:
			defer sub.close()
		}
	}
	poll := time.NewTicker(baristaPoll)
	defer poll.Stop()
	for ctx.Err() == nil {
		r.collectSome(ctx, c)
		worked, err := r.makeOne(ctx, n, c)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.tally.error(fmt.Errorf("barista %d: %w", n, err))
			sleep(ctx, errorPause)
			continue
		}
		if worked {
			continue
		}
		select {
		case <-ctx.Done():
		case <-kick:
		case <-poll.C:
		}
	}
}

// makeOne claims one queued order, makes it and completes it. It reports
// whether there was an order to try.
func (r *run) makeOne(ctx context.Context, n int, c *client) (bool, error) {
	var list struct {
		Orders []orderView `json:"orders"`
	}
	if err := c.get(ctx, fmt.Sprintf("/api/orders?state=queued&limit=%d", queuedPage), &list); err != nil {
		return false, fmt.Errorf("read the queue: %w", err)
	}
	if len(list.Orders) == 0 {
		return false, nil
	}
	// Baristas mostly take the oldest orders; spreading over the first few
	// keeps two robots from always reaching for the same one.
	o := list.Orders[rand.IntN(min(len(list.Orders), r.cfg.Baristas))]
	path := "/api/orders/" + o.ID
	fctx, cancel := finishing(ctx)
	defer cancel()
	if err := c.do(fctx, http.MethodPost, path+"/make", nil, nil); err != nil {
		return true, r.race(err, "make")
	}
	made := true
	if r.cfg.MakeTime > 0 {
		made = sleep(ctx, r.cfg.MakeTime/2+rand.N(r.cfg.MakeTime+1))
	}
	if !made || ctx.Err() != nil {
		// Stopped mid-drink: cancel it, as a barista closing the bar
		// would, so no robot order is left in the making.
		if err := c.do(fctx, http.MethodPost, path+"/cancel", nil, nil); err != nil {
			return true, r.race(err, "cancel")
		}
		return true, nil
	}
	r.completeSent.Store(o.ID, time.Now())
	if err := c.do(fctx, http.MethodPost, path+"/complete", nil, nil); err != nil {
		return true, r.race(err, "complete")
	}
	r.log.Debug("barista completed an order", "barista", n, "number", o.Number)
	return true, nil
}

// race counts err as a normal race if it is one, and returns it otherwise.
func (r *run) race(err error, what string) error {
	if code := errorCode(err); races[code] {
		r.tally.add(func(rep *Report) { rep.Races[code]++ })
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// collectSome hands over the drinks their customers have seen READY.
func (r *run) collectSome(ctx context.Context, c *client) {
	for {
		select {
		case id := <-r.collect:
			r.collectOne(ctx, c, id)
		default:
			return
		}
	}
}

// collectOne hands over one drink. A hand-over once begun is finished even
// when the barista is told to stop, so no drink taken off the collect list
// is lost.
func (r *run) collectOne(ctx context.Context, c *client, id string) {
	ctx, cancel := finishing(ctx)
	defer cancel()
	err := c.do(ctx, http.MethodPost, "/api/orders/"+id+"/collect", nil, nil)
	switch {
	case err == nil:
		r.tally.add(func(rep *Report) { rep.Collected++ })
	case errorCode(err) == "order_not_ready":
		// Its ready time passed first, or another barista handed it over.
	default:
		r.tally.error(fmt.Errorf("collect: %w", err))
	}
}
