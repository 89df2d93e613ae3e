package order

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
)

// The rule for time: deadlines are set and checked on the kiosk's running
// time, which advances with the monotonic clock while the kiosk runs and
// resumes where it stopped after a restart.
//
//   - A wall-clock jump forwards (the Pi's clock set right, hours or months
//     ahead) fires nothing early: no storm of false timeouts.
//   - A wall-clock jump backwards delays nothing: every deadline still fires
//     after its full time.
//   - Time the box is switched off does not count: after a power cut, an
//     order has the rest of its time, and each deadline fires once.

// maxWait bounds how long the deadline loop sleeps, so it looks again even
// if a wake-up were missed.
const maxWait = 30 * time.Second

// fireBatch bounds how many due orders one pass handles before looking again.
const fireBatch = 100

// wakeDeadlines tells the loop that a deadline was set for running time
// at (ms), unless the loop wakes by then anyway: most deadlines lie minutes
// ahead, and a look at the database after every scan, submit and complete
// would cost more than the rest of the loop.
func (s *Service) wakeDeadlines(at int64) {
	if at >= s.sleepsUntil.Load() {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// FireDue handles every deadline that has passed: a customer who did not
// choose and an order the baristas did not finish end cancelled with
// OrderProcessor.OrderTimeOut and orderFinished; a ready drink that was not
// collected leaves the ready list. Each order is handled in its own short
// transaction that checks the deadline again, so each deadline fires exactly
// once even if FireDue runs twice. It returns how many fired.
func (s *Service) FireDue(ctx context.Context) (int, error) {
	fired := 0
	for {
		rows, err := s.store.DB().Read().QueryContext(ctx, sqlDue, ms(s.store.RunTime()), fireBatch)
		if err != nil {
			return fired, fmt.Errorf("find due deadlines: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fired, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fired, err
		}
		for _, id := range ids {
			ok, err := s.fire(ctx, id)
			if err != nil {
				return fired, fmt.Errorf("deadline of order %s: %w", id, err)
			}
			if ok {
				fired++
			}
		}
		if len(ids) < fireBatch {
			return fired, nil
		}
	}
}

func (s *Service) fire(ctx context.Context, id string) (bool, error) {
	fired := false
	_, err := s.transition(ctx, id, func(tx *events.Tx, o Order) (Order, error) {
		if !o.hasDeadline || o.deadlineRun > ms(tx.RunTime()) {
			return o, nil // handled already, or moved
		}
		fired = true
		switch o.deadlineKind {
		case deadlineCustomer:
			return s.timeOut(ctx, tx, o, events.CauseCustomer, EndCustomerTimeout)
		case deadlineBarista:
			return s.timeOut(ctx, tx, o, events.CauseBarista, EndBaristaTimeout)
		case deadlineReady:
			return s.collect(ctx, tx, o, events.ByExpiry, "")
		default:
			return o, fmt.Errorf("unknown deadline kind %q", o.deadlineKind)
		}
	})
	return fired, err
}

func (s *Service) timeOut(ctx context.Context, tx *events.Tx, o Order, cause, reason string) (Order, error) {
	ended, err := s.endCancelled(ctx, tx, o, reason, access.SystemActor.ID)
	if err != nil {
		return o, err
	}
	if _, err := tx.Emit(&events.OrderTimeOut{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
		Cause: cause}); err != nil {
		return o, err
	}
	_, err = tx.Emit(&events.OrderFinished{OrderID: o.ID, UserID: o.CustomerID, OrderNumber: o.Number,
		Outcome: events.OutcomeTimedOut})
	return ended, err
}

// nextDeadline is the running time of the earliest deadline, if any.
func (s *Service) nextDeadline(ctx context.Context) (time.Duration, bool, error) {
	var next sql.NullInt64
	err := s.store.DB().Read().QueryRowContext(ctx, sqlNextDeadline).Scan(&next)
	if err != nil || !next.Valid {
		return 0, false, err
	}
	return time.Duration(next.Int64) * time.Millisecond, true, nil
}

// Run fires deadlines as they fall due, until ctx is done. On start it
// first fires whatever fell due while the kiosk was stopped (with the rule
// above, only what was due within the last moments before the stop).
func (s *Service) Run(ctx context.Context) {
	clk := s.store.Clock()
	for {
		// Looking: every deadline set from now on wakes the loop again.
		s.sleepsUntil.Store(math.MaxInt64)
		wait := maxWait
		if _, err := s.FireDue(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("firing deadlines", "err", err)
			wait = time.Second
		} else if next, ok, err := s.nextDeadline(ctx); err != nil {
			s.log.Error("reading the next deadline", "err", err)
			wait = time.Second
		} else if ok {
			wait = min(max(next-s.store.RunTime(), time.Millisecond), maxWait)
		}
		s.sleepsUntil.Store(ms(s.store.RunTime() + wait))
		select {
		case <-ctx.Done():
			return
		case <-clk.After(wait):
		case <-s.wake:
		}
	}
}
