// Package robot plays customers and baristas against a running kiosk,
// through its public HTTP API and MQTT only, as the phones and the barista
// tablets do. It is a load and soak tool for the booth owner and for tests:
// every robot customer scans the code the display shows, chooses a drink,
// and waits for it to be READY on its own realtime topic; the barista
// robots work the queue. The robot obeys the bar's rules: a refused scan
// waits for the next QR period or a free place, as a person would.
//
// At the end it reports how every order ended, what was refused and why,
// and the latencies: scan to READY, and a barista's complete to the
// customer's screen.
package robot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Defaults of a run, with the reason for each.
const (
	// Two baristas is the bar's usual crew.
	DefaultBaristas = 2
	// Customers at once: enough to fill the default queue of 20 twice over,
	// well below the broker's default of 500 clients.
	DefaultConcurrency = 50
	// A robot customer waits at most this long for its order to end: longer
	// than the kiosk's default barista timeout, so the kiosk's own timeout
	// is what a stuck order meets first.
	DefaultOrderTimeout = 20 * time.Minute
)

// The limits --raise-limits sets: the highest the kiosk accepts, and no
// daily limit.
const (
	raisedDrinksPerCode = 1000
	raisedMaxInFlight   = 1000
	raisedDailyLimit    = 0
)

// actionTimeout bounds one request that changes an order.
const actionTimeout = 30 * time.Second

// idleConnTimeout closes a kept-alive connection before the kiosk's read
// timeout (30 seconds) ends it from its side.
const idleConnTimeout = 20 * time.Second

// cleanupTimeout bounds the clean-up at the end of a run (restoring
// settings, closing the shop, removing robot accounts), which runs even
// after Ctrl-C.
const cleanupTimeout = 15 * time.Second

// Config is one run of the robot.
type Config struct {
	// URL is the kiosk's address, e.g. http://10.42.0.1/.
	URL string
	// StaffUser and StaffPassword sign in the staff account the robot uses
	// to read the QR code and to work the queue. With admin rights the
	// robot creates one account per barista robot.
	StaffUser     string
	StaffPassword string
	// Orders is how many orders the robot customers place.
	Orders int
	// Rate is orders started per second; 0 starts them as fast as
	// Concurrency allows.
	Rate float64
	// CancelPercent is the chance, in percent, that a customer cancels its
	// own order while it waits in the queue.
	CancelPercent float64
	// Baristas is how many barista robots work the queue.
	Baristas int
	// RaiseLimits raises drinksPerCode, maxInFlight and
	// drinksPerCustomerPerDay for the run (admin only) and restores them at
	// the end.
	RaiseLimits bool
	// Concurrency is the most robot customers active at once.
	Concurrency int
	// MakeTime is how long a barista robot takes to make one drink, on
	// average; 0 makes drinks at once.
	MakeTime time.Duration
	// OrderTimeout is the longest a robot customer waits for its order to end.
	OrderTimeout time.Duration
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// Journal, when set, receives one JSON line (a Confirmation) for every
	// change to an order the kiosk confirmed.
	Journal io.Writer
}

func (c Config) withDefaults() Config {
	if c.StaffUser == "" {
		c.StaffUser = "admin"
	}
	if c.Baristas == 0 {
		c.Baristas = DefaultBaristas
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.OrderTimeout == 0 {
		c.OrderTimeout = DefaultOrderTimeout
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() (*url.URL, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the kiosk URL %q must be an http:// or https:// address", c.URL)
	}
	u.RawQuery, u.Fragment = "", ""
	switch {
	case c.StaffPassword == "":
		return nil, errors.New("the staff password must be given")
	case c.Orders < 1:
		return nil, errors.New("the number of orders must be at least 1")
	case c.Rate < 0:
		return nil, errors.New("the rate cannot be negative")
	case c.CancelPercent < 0 || c.CancelPercent > 100:
		return nil, errors.New("the cancel percentage must be from 0 to 100")
	case c.Baristas < 1:
		return nil, errors.New("there must be at least one barista")
	case c.Concurrency < 1:
		return nil, errors.New("the concurrency must be at least 1")
	case c.MakeTime < 0 || c.OrderTimeout < 0:
		return nil, errors.New("durations cannot be negative")
	}
	return u, nil
}

// run is the state every robot of one run shares.
type run struct {
	cfg       Config
	base      *url.URL
	transport http.RoundTripper
	log       *slog.Logger
	tally     *tally

	// staff is the robot's own staff session: it reads the QR code as the
	// display does, and lets customers wait for the shop.
	staff *client

	// completeSent holds, per order id, when a barista robot sent its
	// complete: the start of the event-to-screen latency.
	completeSent sync.Map
	// freed fires whenever a robot customer's order ends: a place in the
	// queue may be free.
	freed broadcast
	// collect takes the ids of drinks their customers have seen READY, for
	// the baristas to hand over.
	collect chan string

	qrMu   sync.Mutex
	qrLast qrView
	qrAt   time.Time

	noteMu sync.Mutex
	noted  map[string]bool

	undoMu sync.Mutex
	undo   []func(context.Context)

	lastProgress string // guarded by tally.mu
}

// Run plays cfg.Orders customers and cfg.Baristas baristas against the
// kiosk at cfg.URL until every order has ended or ctx is done (Ctrl-C),
// then puts back what it changed and returns the report. The error is for
// a run that could not start (a wrong URL or password, a kiosk that cannot
// be reached); what goes wrong during the run is in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.Concurrency + 2*cfg.Baristas + 4
	// The kiosk times out a connection that sends no request for 30
	// seconds, answering 400 on it; closing idle ones sooner avoids that.
	transport.IdleConnTimeout = idleConnTimeout
	defer transport.CloseIdleConnections()
	var rt http.RoundTripper = transport
	if cfg.Journal != nil {
		rt = &journal{next: transport, w: cfg.Journal}
	}
	r := &run{cfg: cfg, base: base, transport: rt, log: cfg.Log, tally: newTally(cfg.Orders),
		collect: make(chan string, cfg.Orders), noted: map[string]bool{}}

	start := time.Now()
	defer r.undoAll(ctx) // after an early return; a no-op after the one below
	r.staff = newClient(base, rt)
	sess, err := r.staff.signIn(ctx, cfg.StaffUser, cfg.StaffPassword)
	if err != nil {
		return nil, fmt.Errorf("sign in as %q at %s: %w", cfg.StaffUser, base, err)
	}
	r.onUndo(func(ctx context.Context) { r.staff.signOut(ctx) })
	admin := sess.Role == "admin"
	var conf configView
	if err := r.staff.get(ctx, "/api/config", &conf); err != nil {
		return nil, fmt.Errorf("read the kiosk's configuration: %w", err)
	}

	if cfg.RaiseLimits {
		if !admin {
			return nil, fmt.Errorf("--raise-limits needs an admin account; %q is a %s", cfg.StaffUser, sess.Role)
		}
		if err := r.raiseLimits(ctx, conf.Settings); err != nil {
			return nil, err
		}
	}
	if !conf.Open {
		fctx, cancel := finishing(ctx)
		err := r.setOpen(fctx, true)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("open the shop: %w", err)
		}
		r.tally.note("The shop was closed: the robot opened it for the run and closes it again at the end.")
		r.log.Info("the shop was closed; opened it for the run")
		r.onUndo(func(ctx context.Context) {
			if err := r.setOpen(ctx, false); err != nil {
				r.tally.error(fmt.Errorf("close the shop again: %w", err))
			}
		})
	}

	baristas, err := r.signInBaristas(ctx, admin)
	if err != nil {
		return nil, err
	}

	bctx, stopBaristas := context.WithCancel(ctx)
	defer stopBaristas()
	var bwg sync.WaitGroup
	for i, b := range baristas {
		bwg.Go(func() { r.barista(bctx, i+1, b) })
	}

	r.customers(ctx)

	stopBaristas()
	bwg.Wait()
	if ctx.Err() == nil {
		r.collectSome(ctx, baristas[0]) // what the baristas had no time left to hand over
	}
	interrupted := ctx.Err() != nil
	r.undoAll(ctx)
	rep := r.tally.report(time.Since(start))
	rep.Interrupted = interrupted
	return rep, nil
}

// onUndo registers what puts back a change the run made to the kiosk.
func (r *run) onUndo(f func(context.Context)) {
	r.undoMu.Lock()
	defer r.undoMu.Unlock()
	r.undo = append(r.undo, f)
}

// undoAll puts back every change, newest first, once. It runs even after
// Ctrl-C, within cleanupTimeout.
func (r *run) undoAll(ctx context.Context) {
	r.undoMu.Lock()
	undo := r.undo
	r.undo = nil
	r.undoMu.Unlock()
	if len(undo) == 0 {
		return
	}
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i](c)
	}
}

// customers starts the robot customers at the configured rate, at most
// Concurrency at once, and waits for them all.
func (r *run) customers(ctx context.Context) {
	var tick <-chan time.Time
	if r.cfg.Rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.Rate))
		defer t.Stop()
		tick = t.C
	}
	slots := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	progress := time.NewTicker(10 * time.Second)
	defer progress.Stop()
start:
	for i := range r.cfg.Orders {
		if tick != nil && i > 0 {
			select {
			case <-ctx.Done():
				break start
			case <-tick:
			}
		}
		select {
		case <-ctx.Done():
			break start
		case slots <- struct{}{}:
		}
		r.tally.add(func(rep *Report) { rep.Started++ })
		wg.Go(func() {
			defer func() { <-slots }()
			r.customer(ctx, i+1)
		})
		select {
		case <-progress.C:
			r.progress()
		default:
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-progress.C:
			r.progress()
		}
	}
}

// progress logs how far the run is, when that changed since the last time.
func (r *run) progress() {
	r.tally.add(func(rep *Report) {
		line := fmt.Sprint(rep.Started, rep.Completed, rep.Cancelled, sum(rep.Refused), rep.RolloverWaits, rep.Errors)
		if line == r.lastProgress {
			return
		}
		r.lastProgress = line
		r.log.Info("robot progress", "started", rep.Started, "completed", rep.Completed, "cancelled", rep.Cancelled,
			"refused", sum(rep.Refused), "rolloverWaits", rep.RolloverWaits, "errors", rep.Errors)
	})
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// noteOnce adds a note to the report, and logs it, the first time key comes up.
func (r *run) noteOnce(key, text string) {
	r.noteMu.Lock()
	seen := r.noted[key]
	r.noted[key] = true
	r.noteMu.Unlock()
	if !seen {
		r.tally.note(text)
		r.log.Info(text)
	}
}

// raiseLimits sets the load-run limits and registers putting the previous
// values back. Only the three settings it raised are written back, so a
// change of any other setting meanwhile stands.
func (r *run) raiseLimits(ctx context.Context, prev settings) error {
	raised := map[string]int{"drinksPerCode": raisedDrinksPerCode, "maxInFlight": raisedMaxInFlight,
		"drinksPerCustomerPerDay": raisedDailyLimit}
	old := map[string]int{"drinksPerCode": prev.DrinksPerCode, "maxInFlight": prev.MaxInFlight,
		"drinksPerCustomerPerDay": prev.DrinksPerCustomerPerDay}
	fctx, cancel := finishing(ctx)
	defer cancel()
	if err := r.staff.do(fctx, http.MethodPut, "/api/settings", raised, nil); err != nil {
		return fmt.Errorf("raise the limits: %w", err)
	}
	r.onUndo(func(ctx context.Context) {
		if err := r.staff.do(ctx, http.MethodPut, "/api/settings", old, nil); err != nil {
			r.tally.error(fmt.Errorf("restore the limits (drinksPerCode %d, maxInFlight %d, drinksPerCustomerPerDay %d): %w",
				prev.DrinksPerCode, prev.MaxInFlight, prev.DrinksPerCustomerPerDay, err))
			return
		}
		r.tally.note("Restored the limits.")
		r.log.Info("restored the limits", "drinksPerCode", prev.DrinksPerCode, "maxInFlight", prev.MaxInFlight,
			"drinksPerCustomerPerDay", prev.DrinksPerCustomerPerDay)
	})
	r.tally.note(fmt.Sprintf("Raised the limits for the run (drinksPerCode %d→%d, maxInFlight %d→%d, drinksPerCustomerPerDay %d→%d).",
		prev.DrinksPerCode, raisedDrinksPerCode, prev.MaxInFlight, raisedMaxInFlight, prev.DrinksPerCustomerPerDay, raisedDailyLimit))
	r.log.Info("raised the limits for the run", "drinksPerCode", raisedDrinksPerCode, "maxInFlight", raisedMaxInFlight,
		"drinksPerCustomerPerDay", raisedDailyLimit)
	// The current period's code keeps the budget it was issued with; say
	// so, since a rollover wait would otherwise be a surprise.
	if q, err := r.readQR(ctx); err == nil && q.Drinks < raisedDrinksPerCode {
		r.tally.note(fmt.Sprintf("The current QR code keeps its budget of %d drinks (%d left) until its period ends at %s; the raised budget applies from the next code.",
			q.Drinks, q.DrinksLeft, clockTime(q.EndsAt)))
	}
	return nil
}

func (r *run) setOpen(ctx context.Context, open bool) error {
	return r.staff.do(ctx, http.MethodPut, "/api/shop/open", map[string]bool{"open": open}, nil)
}

// clockTime shows an RFC 3339 time from the API as the local time of day.
func clockTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Local().Format("15:04:05")
}

// finishing returns the context of a request that changes an order. Once
// sent, it runs to its answer even after Ctrl-C, so the robot always knows
// what it changed (an order opened, a drink claimed) and can put it back.
func finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), actionTimeout)
}

// broadcast wakes everyone waiting on it at once.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed at the next fire.
func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *broadcast) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}

// sleep waits d or until ctx is done, and reports whether the whole time passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
