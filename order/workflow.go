package order

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/text"
)

// MaxNameRunes is the longest first name a customer may give.
const MaxNameRunes = 30

// Service runs the order workflow.
type Service struct {
	store *events.Store
	log   *slog.Logger
	wake  chan struct{}
	// sleepsUntil is the running time (ms) the deadline loop sleeps until,
	// or math.MaxInt64 while it is looking: a deadline set later than it
	// needs no wake-up (see wakeDeadlines).
	sleepsUntil atomic.Int64
	latest      latestOrders
}

// New returns the workflow over the event store.
func New(store *events.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{store: store, log: log, wake: make(chan struct{}, 1), latest: newLatestOrders(latestKeep)}
	s.sleepsUntil.Store(math.MaxInt64)
	return s
}

func newOrderID() string {
	var b [15]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// Open is a customer's scan: it checks the QR code, then the bar's rules
// (shop open, no order of theirs in progress, their daily limit, room in the
// queue), and only if all pass takes one drink of the code and opens the
// order, waiting for the customer's choice. A refusal is returned as an
// apperr error, recorded as an event, and takes nothing.
func (s *Service) Open(ctx context.Context, actor access.Actor, name, code string) (Order, error) {
	if err := access.Require(actor, access.Customer); err != nil {
		return Order{}, err
	}
	name, ok := text.Clean(name, MaxNameRunes)
	if !ok {
		return Order{}, apperr.NameInvalid
	}
	var opened Order
	var refusal error
	var deadline int64
	err := s.store.Write(ctx, func(tx *events.Tx) error {
		cfg, err := shop.Load(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := qr.Check(ctx, tx, code, cfg.Settings); err != nil {
			e, ok := apperr.As(err)
			if !ok {
				return err
			}
			refusal = e
			_, err = tx.Emit(&events.ScanRefused{UserID: actor.ID, Reason: e.Code})
			return err
		}
		if e, openID, err := admit(ctx, tx, cfg, actor.ID); err != nil {
			return err
		} else if e != nil {
			refusal = e
			_, err = tx.Emit(&events.ShopUnavailable{UserID: actor.ID, Reason: e.Code, OpenOrderID: openID})
			return err
		}
		c, err := qr.Take(ctx, tx, code, cfg.Settings)
		if err != nil {
			return err
		}
		id := newOrderID()
		deadline = ms(tx.RunTime() + time.Duration(cfg.Settings.CustomerTimeoutSeconds)*time.Second)
		if opened, err = s.insertOrder(ctx, tx, `INSERT INTO orders (id, customer_id, customer_name, booth_day, state, qr_code,
			deadline_kind, deadline_run, created_at, created_run) VALUES (?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?)`+returningOrder,
			id, actor.ID, name, cfg.BoothDay, c.Code, deadlineCustomer, deadline,
			tx.Now().UnixMilli(), ms(tx.RunTime())); err != nil {
			return err
		}
		if _, err := tx.Emit(&events.NewOrder{OrderID: id, UserID: actor.ID, Period: c.Period()}); err != nil {
			return err
		}
		_, err = tx.Emit(&events.WorkflowStarted{OrderID: id, UserID: actor.ID, TimeoutSeconds: cfg.Settings.CustomerTimeoutSeconds})
		return err
	})
	if err != nil {
		return Order{}, err
	}
	if refusal != nil {
		return Order{}, refusal
	}
	s.wakeDeadlines(deadline)
	return opened, nil
}

// admit applies the bar's rules to a new order. It returns the refusal, if
// any, and the customer's order in progress when that is the reason.
func admit(ctx context.Context, tx *events.Tx, cfg shop.Config, customerID string) (*apperr.Error, string, error) {
	if !cfg.Open {
		return apperr.ShopClosed, "", nil
	}
	var openID string
	err := tx.QueryRowContext(ctx, `SELECT id FROM orders WHERE customer_id = ? AND state IN ('waiting', 'queued', 'making')
		ORDER BY created_run LIMIT 1`, customerID).Scan(&openID)
	if err == nil {
		return apperr.OpenOrderExists, openID, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	if limit := cfg.Settings.DrinksPerCustomerPerDay; limit > 0 {
		var had int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE customer_id = ? AND booth_day = ? AND state = 'completed'`,
			customerID, cfg.BoothDay).Scan(&had); err != nil {
			return nil, "", err
		}
		if had >= limit {
			return apperr.DailyLimit, "", nil
		}
	}
	var inFlight int
	if err := tx.QueryRowContext(ctx, InFlightSQL).Scan(&inFlight); err != nil {
		return nil, "", err
	}
	if inFlight >= cfg.Settings.MaxInFlight {
		return apperr.QueueFull, "", nil
	}
	return nil, "", nil
}

// Selection is the customer's choice: a drink of the menu and, for any of
// its option groups, one option.
type Selection struct {
	DrinkID string          `json:"drinkId"`
	Options []events.Choice `json:"options"`
}

// Submit places the customer's drink: only the order's owner, only while
// the order waits for it, and only a drink of the current menu that is
// available, with options that belong to it. The order gets the next number
// of the booth day and joins the baristas' queue.
func (s *Service) Submit(ctx context.Context, actor access.Actor, orderID string, sel Selection) (Order, error) {
	if err := access.Require(actor, access.Customer); err != nil {
		return Order{}, err
	}
	var deadline int64
	o, err := s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		if o.CustomerID != actor.ID {
			return o, apperr.NotYourOrder
		}
		switch o.State {
		case Waiting:
		case Queued, Making:
			return o, apperr.OrderSubmitted
		default:
			return o, apperr.OrderFinished
		}
		cfg, err := shop.Load(ctx, tx)
		if err != nil {
			return o, err
		}
		d, ok := cfg.Menu.Find(sel.DrinkID)
		if !ok {
			return o, apperr.DrinkUnknown
		}
		if !d.Available {
			return o, apperr.DrinkSoldOut.With("Sorry, %s is sold out right now. Please choose another drink.", d.Name)
		}
		drink, err := d.Resolve(sel.Options)
		if err != nil {
			return o, err
		}
		raw, err := json.Marshal(drink)
		if err != nil {
			return o, err
		}
		var number int
		if err := tx.QueryRowContext(ctx, `UPDATE booth_days SET last_number = last_number + 1 WHERE id = ? RETURNING last_number`,
			cfg.BoothDay).Scan(&number); err != nil {
			return o, fmt.Errorf("next order number: %w", err)
		}
		deadline = ms(tx.RunTime() + time.Duration(cfg.Settings.BaristaTimeoutSeconds)*time.Second)
		queued, err := s.writeOrder(ctx, tx, `UPDATE orders SET state = 'queued', number = ?, booth_day = ?, drink = ?,
			submitted_at = ?, submitted_run = ?, deadline_kind = ?, deadline_run = ? WHERE id = ?`+returningOrder,
			number, cfg.BoothDay, string(raw), tx.Now().UnixMilli(), ms(tx.RunTime()), deadlineBarista, deadline, o.ID)
		if err != nil {
			return o, err
		}
		if _, err := tx.Emit(&events.ProcessorWaiting{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: number,
			TimeoutSeconds: cfg.Settings.BaristaTimeoutSeconds}); err != nil {
			return o, err
		}
		_, err = tx.Emit(&events.ManagerWaiting{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: number,
			BoothDay: cfg.BoothDay, CustomerName: o.CustomerName, DrinkOrder: drink})
		return queued, err
	})
	if err != nil {
		return Order{}, err
	}
	s.wakeDeadlines(deadline)
	return o, nil
}

// claimedByOther reports whether a barista other than actor holds the order;
// an admin may act on any claim.
func claimedByOther(o Order, actor access.Actor) bool {
	return o.BaristaID != "" && o.BaristaID != actor.ID && actor.Role != access.Admin
}

// Make claims a queued order for the acting barista.
func (s *Service) Make(ctx context.Context, actor access.Actor, orderID string) (Order, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Order{}, err
	}
	return s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		switch {
		case o.State == Making && o.BaristaID != actor.ID:
			return o, apperr.ClaimedByOther
		case o.State == Making:
			return o, apperr.OrderNotQueued.With("You are already making this order.")
		case !o.State.Open():
			return o, apperr.OrderFinished
		case o.State != Queued:
			return o, apperr.OrderNotQueued
		}
		making, err := s.writeOrder(ctx, tx, `UPDATE orders SET state = 'making', barista_id = ?, made_at = ?, made_run = ?
			WHERE id = ?`+returningOrder, actor.ID, tx.Now().UnixMilli(), ms(tx.RunTime()), o.ID)
		if err != nil {
			return o, err
		}
		_, err = tx.Emit(&events.MakeOrder{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
			Action: events.ActionMake, BaristaUserID: actor.ID})
		return making, err
	})
}

// Unmake puts an order being made back in the queue. Only the barista
// making it, or an admin, may.
func (s *Service) Unmake(ctx context.Context, actor access.Actor, orderID string) (Order, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Order{}, err
	}
	return s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		switch {
		case !o.State.Open():
			return o, apperr.OrderFinished
		case o.State != Making:
			return o, apperr.OrderNotMaking
		case claimedByOther(o, actor):
			return o, apperr.ClaimedByOther
		}
		queued, err := s.writeOrder(ctx, tx, `UPDATE orders SET state = 'queued', barista_id = NULL WHERE id = ?`+returningOrder, o.ID)
		if err != nil {
			return o, err
		}
		_, err = tx.Emit(&events.MakeOrder{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
			Action: events.ActionUnmake})
		return queued, err
	})
}

// Complete marks an order being made as ready for collection. Only the
// barista making it, or an admin, may; a second tap is an error that
// changes nothing. The workflow ends here; the order stays on the ready list
// until it is collected or its ready time passes.
func (s *Service) Complete(ctx context.Context, actor access.Actor, orderID string) (Order, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Order{}, err
	}
	var deadline int64
	o, err := s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		switch {
		case !o.State.Open():
			return o, apperr.OrderFinished
		case o.State != Making:
			return o, apperr.OrderNotMaking
		case claimedByOther(o, actor):
			return o, apperr.ClaimedByOther
		}
		cfg, err := shop.Load(ctx, tx)
		if err != nil {
			return o, err
		}
		now, run := tx.Now().UnixMilli(), ms(tx.RunTime())
		deadline = ms(tx.RunTime() + time.Duration(cfg.Settings.ReadySeconds)*time.Second)
		completed, err := s.writeOrder(ctx, tx, `UPDATE orders SET state = 'completed', end_reason = ?, ended_by = ?,
			completed_at = ?, completed_run = ?, ended_at = ?, ended_run = ?, deadline_kind = ?, deadline_run = ?
			WHERE id = ?`+returningOrder,
			EndCompleted, actor.ID, now, run, now, run, deadlineReady, deadline, o.ID)
		if err != nil {
			return o, err
		}
		if _, err := tx.Emit(&events.OrderCompleted{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
			BaristaUserID: actor.ID}); err != nil {
			return o, err
		}
		_, err = tx.Emit(&events.OrderFinished{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
			Outcome: events.OutcomeCompleted})
		return completed, err
	})
	if err == nil {
		s.wakeDeadlines(deadline)
	}
	return o, err
}

// Cancel is staff cancelling an order in progress. An order being made may
// be cancelled only by the barista making it, or an admin.
func (s *Service) Cancel(ctx context.Context, actor access.Actor, orderID string) (Order, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Order{}, err
	}
	return s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		switch {
		case !o.State.Open():
			return o, apperr.OrderFinished
		case o.State == Making && claimedByOther(o, actor):
			return o, apperr.ClaimedByOther
		}
		return s.cancel(ctx, tx, o, actor, events.ByStaff, EndCancelledByStaff)
	})
}

// CancelOwn is a customer cancelling their own order, which they may until
// a barista starts making it. Cancelling before choosing a drink simply ends
// the order: it never gets a number.
func (s *Service) CancelOwn(ctx context.Context, actor access.Actor, orderID string) (Order, error) {
	if err := access.Require(actor, access.Customer); err != nil {
		return Order{}, err
	}
	return s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		switch {
		case o.CustomerID != actor.ID:
			return o, apperr.NotYourOrder
		case !o.State.Open():
			return o, apperr.OrderFinished
		case o.State == Making:
			return o, apperr.OrderBeingMade
		}
		return s.cancel(ctx, tx, o, actor, events.ByCustomer, EndCancelledByCustomer)
	})
}

// endCancelled ends an order without a drink: cancelled by someone, or
// timed out; its deadline goes with it.
func (s *Service) endCancelled(ctx context.Context, tx *events.Tx, o Order, reason, by string) (Order, error) {
	return s.writeOrder(ctx, tx, `UPDATE orders SET state = 'cancelled', end_reason = ?, ended_by = ?,
		ended_at = ?, ended_run = ?, deadline_kind = NULL, deadline_run = NULL WHERE id = ?`+returningOrder,
		reason, by, tx.Now().UnixMilli(), ms(tx.RunTime()), o.ID)
}

func (s *Service) cancel(ctx context.Context, tx *events.Tx, o Order, actor access.Actor, by, reason string) (Order, error) {
	cancelled, err := s.endCancelled(ctx, tx, o, reason, actor.ID)
	if err != nil {
		return o, err
	}
	if _, err := tx.Emit(&events.OrderCancelled{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
		CancelledBy: by, ActorID: actor.ID, PreviousState: string(o.State)}); err != nil {
		return o, err
	}
	_, err = tx.Emit(&events.OrderFinished{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
		Outcome: events.OutcomeCancelled})
	return cancelled, err
}

// Collect records that a ready drink was handed over, taking it off the
// ready list. Staff only.
func (s *Service) Collect(ctx context.Context, actor access.Actor, orderID string) (Order, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Order{}, err
	}
	return s.transition(ctx, orderID, func(tx *events.Tx, o Order) (Order, error) {
		if !o.Ready {
			return o, apperr.OrderNotReady
		}
		return s.collect(ctx, tx, o, events.ByStaff, actor.ID)
	})
}

func (s *Service) collect(ctx context.Context, tx *events.Tx, o Order, by, actorID string) (Order, error) {
	collected, err := s.writeOrder(ctx, tx, `UPDATE orders SET collected_at = ?, collected_run = ?,
		deadline_kind = NULL, deadline_run = NULL WHERE id = ?`+returningOrder,
		tx.Now().UnixMilli(), ms(tx.RunTime()), o.ID)
	if err != nil {
		return o, err
	}
	_, err = tx.Emit(&events.OrderCollected{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
		By: by, ActorID: actorID})
	return collected, err
}

// returningOrder ends a statement that writes one order's row so that it
// gives the row back as the transaction leaves it (see writeOrder).
const returningOrder = " RETURNING " + orderColumns

// writeOrder runs query, an INSERT or UPDATE of one order ending in
// returningOrder, and returns the order as written: an action answers with
// what its own transaction wrote, without reading the order again.
// Once committed, the order is also the one its customer's phone follows
// if it is their newest (see latestOrders).
func (s *Service) writeOrder(ctx context.Context, tx *events.Tx, query string, args ...any) (Order, error) {
	return s.written(ctx, tx, false, query, args...)
}

// insertOrder is writeOrder for the INSERT of a new order, which is its
// customer's newest.
func (s *Service) insertOrder(ctx context.Context, tx *events.Tx, query string, args ...any) (Order, error) {
	return s.written(ctx, tx, true, query, args...)
}

func (s *Service) written(ctx context.Context, tx *events.Tx, isNew bool, query string, args ...any) (Order, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, query, args...), ms(tx.RunTime()))
	if err != nil {
		return Order{}, fmt.Errorf("write order: %w", err)
	}
	tx.OnCommit(func() { s.latest.written(o, isNew) })
	return o, nil
}

// transition loads the order inside a write transaction and applies fn,
// which returns the order as it leaves it; an error from fn rolls
// everything back.
func (s *Service) transition(ctx context.Context, orderID string, fn func(*events.Tx, Order) (Order, error)) (Order, error) {
	var after Order
	err := s.store.Write(ctx, func(tx *events.Tx) error {
		o, err := scanOrder(tx.QueryRowContext(ctx, "SELECT "+orderColumns+" FROM orders WHERE id = ?", orderID),
			ms(tx.RunTime()))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.OrderNotFound
		}
		if err != nil {
			return fmt.Errorf("load order: %w", err)
		}
		after, err = fn(tx, o)
		return err
	})
	if err != nil {
		return Order{}, err
	}
	return after, nil
}
