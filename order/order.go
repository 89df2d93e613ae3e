// Package order is the order workflow: one durable state machine per order,
// from the QR scan to the drink on the counter. It plays both services of the
// well-known cloud design: the order processor (open? room? wait for the
// customer; a number; wait for the barista; finished, timed out or cancelled)
// and the order manager (the customer's submit, the barista's make, unmake,
// complete and cancel). Every transition checks the actor's role and
// ownership, writes the new state and its events in one transaction, and sets
// or clears the order's deadline there too, so a pulled plug loses nothing.
//
//	scan ──► waiting ──submit──► queued ──make──► making ──complete──► completed ──collect/expire──► (collected)
//	           │                  │  ▲               │
//	           │                  │  └────unmake─────┘
//	           └─cancel/timeout───┴────cancel/timeout┴──► cancelled
//
// Deadlines are measured on the kiosk's running time (see package events):
// a wall-clock jump, forwards or backwards, moves no deadline, and time the
// box spends switched off does not count.
package order

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/coffeebar/kiosk/events"
)

// State is where an order is in its life.
type State string

// The states of an order.
const (
	Waiting   State = "waiting"   // opened; waits for the customer to choose a drink
	Queued    State = "queued"    // has its number; waits for a barista
	Making    State = "making"    // a barista is making it
	Completed State = "completed" // ready for collection (and later collected)
	Cancelled State = "cancelled" // ended without a drink: cancelled or timed out
)

// Open reports whether the order is still in progress.
func (s State) Open() bool { return s == Waiting || s == Queued || s == Making }

// Why an order ended.
const (
	EndCompleted           = "completed"
	EndCancelledByCustomer = "cancelled_by_customer"
	EndCancelledByStaff    = "cancelled_by_staff"
	EndCustomerTimeout     = "customer_timeout"
	EndBaristaTimeout      = "barista_timeout"
)

// Deadline kinds: what the order waits for.
const (
	deadlineCustomer = "customer" // the customer's choice
	deadlineBarista  = "barista"  // the barista's completion
	deadlineReady    = "ready"    // collection, before it leaves the ready list
)

// Order is one order as its owner and staff see it.
type Order struct {
	ID           string             `json:"id"`
	CustomerID   string             `json:"-"`
	CustomerName string             `json:"customerName"`
	BoothDay     int64              `json:"boothDay"`
	Number       int                `json:"number,omitempty"`
	State        State              `json:"state"`
	Ready        bool               `json:"ready"` // completed and not yet collected
	Drink        *events.DrinkOrder `json:"drink,omitempty"`
	BaristaID    string             `json:"baristaId,omitempty"`
	EndReason    string             `json:"endReason,omitempty"`
	EndedBy      string             `json:"endedBy,omitempty"`

	CreatedAt   time.Time  `json:"createdAt"`
	SubmittedAt *time.Time `json:"submittedAt,omitempty"`
	MadeAt      *time.Time `json:"madeAt,omitempty"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	EndedAt     *time.Time `json:"endedAt,omitempty"`
	CollectedAt *time.Time `json:"collectedAt,omitempty"`

	// TimeLeftMs is how long until the order's deadline (the customer's time
	// to choose while waiting, the baristas' time while queued or making).
	TimeLeftMs int64 `json:"timeLeftMs,omitempty"`
	// SinceSubmittedMs and SinceCompletedMs are ages on the kiosk's running
	// time, right whatever the wall clock says.
	SinceSubmittedMs int64 `json:"sinceSubmittedMs,omitempty"`
	SinceCompletedMs int64 `json:"sinceCompletedMs,omitempty"`

	deadlineKind string
	deadlineRun  int64
	hasDeadline  bool
	// submittedRun and completedRun are the running times (ms) the ages
	// count from; -1 when the order has none.
	submittedRun, completedRun int64
}

const orderColumns = `id, customer_id, customer_name, booth_day, coalesce(number, 0), state, drink,
	coalesce(barista_id, ''), coalesce(end_reason, ''), coalesce(ended_by, ''),
	coalesce(deadline_kind, ''), deadline_run,
	created_at, submitted_at, made_at, completed_at, ended_at, collected_at,
	submitted_run, completed_run`

type scanner interface{ Scan(dest ...any) error }

// scanOrder reads one row of orderColumns; nowRun is the running time in
// milliseconds the ages and time left are measured at.
func scanOrder(r scanner, nowRun int64) (Order, error) {
	var o Order
	var drink sql.NullString
	var deadline, submittedRun, completedRun sql.NullInt64
	var created int64
	var submitted, made, completed, ended, collected sql.NullInt64
	err := r.Scan(&o.ID, &o.CustomerID, &o.CustomerName, &o.BoothDay, &o.Number, &o.State, &drink,
		&o.BaristaID, &o.EndReason, &o.EndedBy, &o.deadlineKind, &deadline,
		&created, &submitted, &made, &completed, &ended, &collected, &submittedRun, &completedRun)
	if err != nil {
		return Order{}, err
	}
	if drink.Valid {
		o.Drink = &events.DrinkOrder{}
		if err := json.Unmarshal([]byte(drink.String), o.Drink); err != nil {
			return Order{}, err
		}
	}
	o.CreatedAt = time.UnixMilli(created).UTC()
	o.SubmittedAt, o.MadeAt, o.CompletedAt = wall(submitted), wall(made), wall(completed)
	o.EndedAt, o.CollectedAt = wall(ended), wall(collected)
	o.Ready = o.State == Completed && !collected.Valid
	if deadline.Valid {
		o.hasDeadline, o.deadlineRun = true, deadline.Int64
	}
	o.submittedRun, o.completedRun = -1, -1
	if submittedRun.Valid {
		o.submittedRun = submittedRun.Int64
	}
	if completedRun.Valid {
		o.completedRun = completedRun.Int64
	}
	o.at(nowRun)
	return o, nil
}

// at sets the fields that depend on when the order is read: its time left
// and its ages as of the running time nowRun (ms).
func (o *Order) at(nowRun int64) {
	o.TimeLeftMs, o.SinceSubmittedMs, o.SinceCompletedMs = 0, 0, 0
	if o.hasDeadline && o.State.Open() {
		o.TimeLeftMs = max(o.deadlineRun-nowRun, 0)
	}
	if o.submittedRun >= 0 && o.State.Open() {
		o.SinceSubmittedMs = max(nowRun-o.submittedRun, 0)
	}
	if o.completedRun >= 0 && o.Ready {
		o.SinceCompletedMs = max(nowRun-o.completedRun, 0)
	}
}

func wall(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := time.UnixMilli(ms.Int64).UTC()
	return &t
}
