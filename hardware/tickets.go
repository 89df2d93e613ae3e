package hardware

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/hardware/escpos"
	"github.com/coffeebar/kiosk/hardware/printer"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/shop"
)

// When a ticket prints.
const (
	PrintOnMake   = "make"   // when a barista starts making the order (the default)
	PrintOnQueued = "queued" // as soon as the order joins the queue
)

// TicketOptions say what a ticket looks like and when it prints.
type TicketOptions struct {
	When      string
	Layout    escpos.Layout
	Booth     string
	PublicURL string         // the ticket's QR code opens PublicURL?order=<id>
	Location  *time.Location // for the time on the ticket; nil is the machine's
	// Shop, when set, lets the admin's booth name and public address win
	// over Booth and PublicURL.
	Shop *shop.Service
}

// Tickets prints order tickets from the event log. Printing never touches
// an order: the queue retries on its own, and a failure only shows in the
// printer's state.
type Tickets struct {
	store  *events.Store
	orders *order.Service
	queue  *printer.Queue
	opts   TicketOptions
	log    *slog.Logger
}

// NewTickets returns the ticket printer over a print queue.
func NewTickets(store *events.Store, orders *order.Service, queue *printer.Queue, opts TicketOptions, log *slog.Logger) *Tickets {
	if opts.When == "" {
		opts.When = PrintOnMake
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	return &Tickets{store: store, orders: orders, queue: queue, opts: opts, log: log}
}

// Subscribe follows the event log under the durable name "tickets". An
// order gets one ticket: a make after an unmake, or an event delivered again
// after a crash, prints nothing more (reprint is the way to a second one).
func (t *Tickets) Subscribe(ctx context.Context) error {
	return t.store.Subscribe(ctx, "tickets", false, func(ctx context.Context, e events.Event) error {
		if !t.prints(e) {
			return nil
		}
		var printed int
		if err := t.store.DB().Read().QueryRowContext(ctx,
			"SELECT count(*) FROM printed_tickets WHERE order_id = ?", e.OrderID).Scan(&printed); err != nil {
			return err
		}
		if printed > 0 {
			return nil
		}
		if _, err := t.submit(ctx, e.OrderID); err != nil {
			if errors.Is(err, apperr.OrderNotFound) {
				return nil // an injected event of an order this kiosk never had
			}
			return err
		}
		return t.store.DB().Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO printed_tickets (event_id, order_id, at) VALUES (?, ?, ?)",
				e.ID, e.OrderID, t.store.Clock().Now().UnixMilli())
			return err
		})
	})
}

func (t *Tickets) prints(e events.Event) bool {
	switch {
	case t.opts.When == PrintOnQueued:
		return e.DetailType == events.TypeManagerWaiting
	case e.DetailType == events.TypeMakeOrder:
		d, err := e.Decode()
		return err == nil && d.(*events.MakeOrder).Action == events.ActionMake
	}
	return false
}

// Ticket builds the ticket of an order.
func (t *Tickets) Ticket(ctx context.Context, o order.Order) escpos.Ticket {
	booth, base := t.opts.Booth, t.opts.PublicURL
	if t.opts.Shop != nil {
		if cfg, err := t.opts.Shop.Config(ctx); err == nil {
			if cfg.Booth.Name != "" {
				booth = cfg.Booth.Name
			}
			if cfg.Booth.PublicURL != "" {
				base = cfg.Booth.PublicURL
			}
		}
	}
	tk := escpos.Ticket{Number: o.Number, Name: o.CustomerName, Booth: booth,
		StatusURL: strings.TrimSuffix(base, "/") + "/?" + url.Values{"order": {o.ID}}.Encode()}
	if o.SubmittedAt != nil {
		tk.Time = o.SubmittedAt.In(t.opts.Location)
	}
	if o.Drink != nil {
		tk.Drink = o.Drink.Drink
		for _, c := range o.Drink.Options {
			if !strings.EqualFold(c.Choice, "None") {
				tk.Options = append(tk.Options, c.Group+": "+c.Choice)
			}
		}
	}
	return tk
}

func (t *Tickets) submit(ctx context.Context, orderID string) (printer.JobID, error) {
	o, err := t.orders.Lookup(ctx, orderID)
	if err != nil {
		return 0, err
	}
	if o.Number == 0 {
		return 0, apperr.OrderNotQueued.With("Order %s has no number yet, so it has no ticket.", orderID)
	}
	data, err := t.Ticket(ctx, o).Render(t.opts.Layout)
	if err != nil {
		return 0, fmt.Errorf("render the ticket of order %d: %w", o.Number, err)
	}
	return t.queue.Submit(fmt.Sprintf("order %d", o.Number), data), nil
}

// Reprint prints an order's ticket again, as it is now.
func (t *Tickets) Reprint(ctx context.Context, orderID string) (printer.JobID, error) {
	return t.submit(ctx, orderID)
}

// State is the printer's state for the staff screens.
func (t *Tickets) State() printer.State { return t.queue.State() }

// Jobs lists the recent and waiting tickets.
func (t *Tickets) Jobs() []printer.JobInfo { return t.queue.Jobs() }

// Preview renders a ticket's exact bytes as text and as a PNG image.
func (t *Tickets) Preview(id printer.JobID) (text string, png []byte, err error) {
	_, data, err := t.queue.Job(id)
	if errors.Is(err, printer.ErrUnknownJob) {
		return "", nil, apperr.NotFound.With("There is no ticket %d (only recent tickets are kept).", id)
	}
	if err != nil {
		return "", nil, err
	}
	p, err := escpos.Interpret(data, t.opts.Layout.Paper)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := p.PNG(&buf); err != nil {
		return "", nil, err
	}
	return p.Text(), buf.Bytes(), nil
}
