package order

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/text"
)

// The queries that run on every order, event or screen refresh. A booth
// serves thousands of orders and has a few dozen open, so each one reads an
// index of the open ones, never the whole table: a query by state also says
// "collected_at IS NULL" (true of every order not yet collected), which lets
// SQLite use orders_open. TestHotQueriesUseAnIndex holds them to it.
const (
	sqlListByState = "state = ? AND collected_at IS NULL ORDER BY number, created_run LIMIT ?"
	sqlListReady   = "state = 'completed' AND collected_at IS NULL ORDER BY number LIMIT ?"
	sqlListEnded   = "ended_run IS NOT NULL AND state IN ('completed', 'cancelled') ORDER BY ended_run DESC LIMIT ?"
	sqlListQueue   = "state IN ('queued', 'making', 'completed') AND collected_at IS NULL ORDER BY number, submitted_run"
	// sqlByCustomer lists a customer's orders newest first; rowid breaks a
	// tie between two opened in one millisecond.
	sqlByCustomer = "customer_id = ? ORDER BY created_run DESC, rowid DESC"
	sqlLatest     = sqlByCustomer + " LIMIT 1"
	sqlReadyCount = "SELECT count(*) FROM orders WHERE state = 'completed' AND collected_at IS NULL"
	sqlPosition   = `SELECT count(*) FROM orders AS a, orders AS me
		WHERE me.id = ? AND a.state = 'queued' AND a.collected_at IS NULL AND a.id != me.id
		AND (a.submitted_run < me.submitted_run OR (a.submitted_run = me.submitted_run AND a.number < me.number))`
	sqlDue          = "SELECT id FROM orders WHERE deadline_run <= ? ORDER BY deadline_run LIMIT ?"
	sqlNextDeadline = "SELECT min(deadline_run) FROM orders WHERE deadline_run IS NOT NULL"
)

// InFlightSQL counts the orders not yet finished; the order package and
// closing count them inside their own transactions.
const InFlightSQL = "SELECT count(*) FROM orders WHERE state IN ('waiting', 'queued', 'making') AND collected_at IS NULL"

func (s *Service) get(ctx context.Context, id string) (Order, error) {
	o, err := scanOrder(s.store.DB().Read().QueryRowContext(ctx,
		"SELECT "+orderColumns+" FROM orders WHERE id = ?", id), ms(s.store.RunTime()))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, apperr.OrderNotFound
	}
	if err != nil {
		return Order{}, fmt.Errorf("read order: %w", err)
	}
	return o, nil
}

// Get returns one order: to its owner, or to staff.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (Order, error) {
	if err := access.Require(actor, access.Customer, access.Barista, access.Admin); err != nil {
		return Order{}, err
	}
	o, err := s.get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if actor.Role == access.Customer && o.CustomerID != actor.ID {
		return Order{}, apperr.NotYourOrder
	}
	return o, nil
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Order, error) {
	rows, err := s.store.DB().Read().QueryContext(ctx, "SELECT "+orderColumns+" FROM orders WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	now := ms(s.store.RunTime())
	out := []Order{}
	for rows.Next() {
		o, err := scanOrder(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ForCustomer returns the acting customer's own orders, newest first.
func (s *Service) ForCustomer(ctx context.Context, actor access.Actor) ([]Order, error) {
	if err := access.Require(actor, access.Customer); err != nil {
		return nil, err
	}
	return s.list(ctx, sqlByCustomer+" LIMIT 100", actor.ID)
}

// Latest returns the customer's newest order, the one their phone follows,
// and false when they have none.
func (s *Service) Latest(ctx context.Context, customerID string) (Order, bool, error) {
	if o, ok := s.latest.get(customerID); ok {
		o.at(ms(s.store.RunTime()))
		return o, true, nil
	}
	return s.latestStored(ctx, customerID)
}

// latestStored is Latest read from the database.
func (s *Service) latestStored(ctx context.Context, customerID string) (Order, bool, error) {
	o, err := scanOrder(s.store.DB().Read().QueryRowContext(ctx,
		"SELECT "+orderColumns+" FROM orders WHERE "+sqlLatest, customerID),
		ms(s.store.RunTime()))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("read the newest order of a customer: %w", err)
	}
	return o, true, nil
}

// Filter selects orders for the read side.
type Filter string

// The filters staff can list by.
const (
	FilterWaiting  Filter = "waiting"  // opened, the customer is still choosing
	FilterQueued   Filter = "queued"   // numbered, no barista yet
	FilterMaking   Filter = "making"   // a barista is making it
	FilterReady    Filter = "ready"    // completed, not yet collected
	FilterFinished Filter = "finished" // completed or cancelled, newest first
)

// List returns orders by state, for staff: open ones in number order,
// finished ones newest first, at most limit of those.
func (s *Service) List(ctx context.Context, actor access.Actor, f Filter, limit int) ([]Order, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	switch f {
	case FilterWaiting, FilterQueued, FilterMaking:
		return s.list(ctx, sqlListByState, string(f), limit)
	case FilterReady:
		return s.list(ctx, sqlListReady, limit)
	case FilterFinished:
		return s.list(ctx, sqlListEnded, limit)
	default:
		return nil, apperr.Invalid.With("Unknown order filter %q; use waiting, queued, making, ready or finished.", f)
	}
}

// QueueEntry is an order as the overhead display shows it: no customer id,
// a shortened first name, and nothing else private.
type QueueEntry struct {
	Number           int    `json:"number"`
	Name             string `json:"name"`
	Drink            string `json:"drink"`
	Icon             string `json:"icon"`
	State            string `json:"state"` // queued, making or ready
	SinceSubmittedMs int64  `json:"sinceSubmittedMs"`
	SinceCompletedMs int64  `json:"sinceCompletedMs,omitempty"`
}

// DisplayNameRunes is how much of a first name the display shows.
const DisplayNameRunes = 12

// Queue is the public queue: orders being prepared and drinks ready for
// collection, in number order.
func (s *Service) Queue(ctx context.Context) ([]QueueEntry, error) {
	orders, err := s.list(ctx, sqlListQueue)
	if err != nil {
		return nil, err
	}
	out := make([]QueueEntry, 0, len(orders))
	for _, o := range orders {
		e := QueueEntry{Number: o.Number, Name: text.Shorten(o.CustomerName, DisplayNameRunes),
			State: string(o.State), SinceSubmittedMs: o.SinceSubmittedMs, SinceCompletedMs: o.SinceCompletedMs}
		if o.Drink != nil {
			e.Drink, e.Icon = o.Drink.Drink, o.Drink.Icon
		}
		if o.Ready {
			e.State = "ready"
		}
		out = append(out, e)
	}
	return out, nil
}

// Position is how many orders are ahead of this one in the queue, plus one:
// 1 means next. It is 0 for an order not waiting in the queue.
func (s *Service) Position(ctx context.Context, o Order) (int, error) {
	if o.State != Queued {
		return 0, nil
	}
	var ahead int
	err := s.store.DB().Read().QueryRowContext(ctx, sqlPosition, o.ID).Scan(&ahead)
	return ahead + 1, err
}

// ReadyCount is how many drinks wait for collection now. It is public
// knowledge (the display shows them), so it takes no actor.
func (s *Service) ReadyCount(ctx context.Context) (int, error) {
	var n int
	err := s.store.DB().Read().QueryRowContext(ctx, sqlReadyCount).Scan(&n)
	return n, err
}

// Lookup reads one order for the kiosk's own in-process subscribers (the
// ticket printer), which act on events rather than for a person. Transports
// must use Get, which checks who is asking.
func (s *Service) Lookup(ctx context.Context, id string) (Order, error) { return s.get(ctx, id) }
