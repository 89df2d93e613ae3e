package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

// Health is the printer's condition as the staff screen shows it.
type Health string

// The printer conditions.
const (
	HealthUnknown   Health = "unknown"    // nothing sent or asked yet
	HealthOK        Health = "ok"         // the last job or status check succeeded
	HealthOffline   Health = "offline"    // unreachable, switched off or not responding
	HealthPaperOut  Health = "paper_out"  // the roll has run out
	HealthCoverOpen Health = "cover_open" // the paper cover is open
	HealthError     Health = "error"      // anything else; Detail says what
)

// State is what the staff need to know about printing.
type State struct {
	Health Health `json:"health"`
	// Detail is the last error or the printer's own words; empty when ok.
	Detail string `json:"detail,omitempty"`
	// PaperNearEnd warns that the roll needs changing soon.
	PaperNearEnd bool `json:"paperNearEnd"`
	// Pending counts jobs waiting to be printed.
	Pending int `json:"pending"`
}

// JobID identifies a job for reprinting.
type JobID uint64

// JobInfo describes a job for the staff screen.
type JobInfo struct {
	ID        JobID     `json:"id"`
	Label     string    `json:"label"`
	Submitted time.Time `json:"submitted"`
	Printed   bool      `json:"printed"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
}

// ErrUnknownJob means a reprint asked for a job the queue no longer keeps.
var ErrUnknownJob = errors.New("printer: no such job")

// Queue defaults.
const (
	// DefaultKeep is how many printed jobs are kept for reprinting: more
	// than the orders in flight at a busy moment.
	DefaultKeep = 50
	// DefaultMinBackoff is the first wait after a failure: quick enough that
	// a replugged printer prints the ticket while the customer is there.
	DefaultMinBackoff = time.Second
	// DefaultMaxBackoff caps the wait, so a printer that comes back after
	// a long break is noticed within this long.
	DefaultMaxBackoff = 30 * time.Second
)

// QueueOptions configure a Queue. Zero values take the defaults.
type QueueOptions struct {
	// Clock times the backoff and the status polls (default the real clock).
	Clock clock.Clock
	// Logger receives one line per delivery or failure (default slog.Default()).
	Logger *slog.Logger
	// OnState is called with the new State whenever it changes, from a
	// goroutine of the queue's own; a slow callback delays only later calls.
	OnState func(State)
	// OnPrinted is called with each delivered job, from the printing
	// goroutine, before the next job is sent; it must return quickly.
	OnPrinted func(JobInfo)
	// Keep is how many printed jobs are kept for reprinting.
	Keep int
	// MinBackoff and MaxBackoff bound the wait between attempts, which
	// doubles after each failure.
	MinBackoff, MaxBackoff time.Duration
	// PollInterval is how often an idle queue asks a two-way printer for
	// its status, so that "paper out" shows before the next order. Zero
	// means never.
	PollInterval time.Duration
}

// Queue prints jobs one at a time, in order, on one printer. Submitting a
// job never blocks and never fails; the queue keeps trying until the job is
// delivered. A job is delivered once: it is retried only when the printer
// reported a failure.
type Queue struct {
	p    Printer
	opts QueueOptions
	log  *slog.Logger

	mu        sync.Mutex
	nextID    JobID
	pending   []*job
	history   []*job // printed, oldest first, at most opts.Keep
	state     State
	useStatus bool // false once the printer has shown it does not answer

	wake    chan struct{}
	notify  chan struct{}
	running atomic.Bool
}

type job struct {
	id        JobID
	label     string
	data      []byte
	submitted time.Time
	printed   bool
	attempts  int
	lastErr   string
}

func (j *job) info() JobInfo {
	return JobInfo{ID: j.id, Label: j.label, Submitted: j.submitted, Printed: j.printed, Attempts: j.attempts, LastError: j.lastErr}
}

// NewQueue returns a queue for p. Jobs are printed once Run is running.
func NewQueue(p Printer, opts QueueOptions) *Queue {
	if opts.Clock == nil {
		opts.Clock = clock.NewReal()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(opts.MinBackoff, DefaultMaxBackoff)
	}
	_, twoWay := p.(StatusReader)
	return &Queue{
		p:         p,
		opts:      opts,
		log:       opts.Logger.With("printer", Name(p)),
		state:     State{Health: HealthUnknown},
		useStatus: twoWay,
		wake:      make(chan struct{}, 1),
		notify:    make(chan struct{}, 1),
	}
}

// Submit queues job for printing and returns at once. label names the job
// in logs and in Jobs, such as "order 42". The queue keeps its own copy.
func (q *Queue) Submit(label string, data []byte) JobID {
	q.mu.Lock()
	q.nextID++
	j := &job{id: q.nextID, label: label, data: append([]byte(nil), data...), submitted: q.opts.Clock.Now()}
	q.pending = append(q.pending, j)
	q.mu.Unlock()
	poke(q.wake)
	poke(q.notify)
	return j.id
}

// Reprint queues a kept job again and returns the new job's id. A job that
// is still waiting is not queued twice: its own id comes back.
func (q *Queue) Reprint(id JobID) (JobID, error) {
	q.mu.Lock()
	for _, j := range q.pending {
		if j.id == id {
			q.mu.Unlock()
			return id, nil
		}
	}
	var found *job
	for _, j := range q.history {
		if j.id == id {
			found = j
		}
	}
	q.mu.Unlock()
	if found == nil {
		return 0, fmt.Errorf("%w: %d", ErrUnknownJob, id)
	}
	return q.Submit(found.label+" (reprint)", found.data), nil
}

// State returns the printer's current state.
func (q *Queue) State() State {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stateLocked()
}

func (q *Queue) stateLocked() State {
	s := q.state
	s.Pending = len(q.pending)
	return s
}

// Jobs lists the kept printed jobs and the waiting ones, oldest first.
func (q *Queue) Jobs() []JobInfo {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]JobInfo, 0, len(q.history)+len(q.pending))
	for _, j := range q.history {
		out = append(out, j.info())
	}
	for _, j := range q.pending {
		out = append(out, j.info())
	}
	return out
}

// Job returns a kept or waiting job's description and the exact bytes it
// sends to the printer, for a preview.
func (q *Queue) Job(id JobID) (JobInfo, []byte, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, list := range [][]*job{q.history, q.pending} {
		for _, j := range list {
			if j.id == id {
				return j.info(), append([]byte(nil), j.data...), nil
			}
		}
	}
	return JobInfo{}, nil, ErrUnknownJob
}

// Run prints queued jobs until ctx ends. State changes are reported while it
// runs and never after it returns. Run a queue once at a time: two runs
// would print the same job twice, so a second concurrent Run panics.
func (q *Queue) Run(ctx context.Context) {
	if !q.running.CompareAndSwap(false, true) {
		panic("printer: Queue.Run called while the queue is running")
	}
	defer q.running.Store(false)
	var wg sync.WaitGroup
	wg.Go(func() { q.notifier(ctx) })
	defer wg.Wait()
	poke(q.notify)

	backoff := time.Duration(0)
	for {
		q.mu.Lock()
		var next *job
		if len(q.pending) > 0 {
			next = q.pending[0]
		}
		q.mu.Unlock()

		if next == nil {
			if !q.idle(ctx) {
				return
			}
			continue
		}
		if err := q.attempt(ctx, next); err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(2*backoff, q.opts.MinBackoff), q.opts.MaxBackoff)
			select {
			case <-q.opts.Clock.After(backoff):
			case <-ctx.Done():
				return
			}
			continue
		}
		backoff = 0
	}
}

// idle waits for a job, polling the printer's status if asked to. It
// returns false when ctx ends.
func (q *Queue) idle(ctx context.Context) bool {
	var poll <-chan time.Time
	q.mu.Lock()
	if q.opts.PollInterval > 0 && q.useStatus {
		poll = q.opts.Clock.After(q.opts.PollInterval)
	}
	q.mu.Unlock()
	select {
	case <-ctx.Done():
		return false
	case <-q.wake:
	case <-poll:
		if st, err := q.p.(StatusReader).Status(ctx); err == nil {
			q.setStatus(st)
		} else if isOffline(err) {
			q.setError(err)
		}
	}
	return true
}

// attempt tries to deliver j once.
func (q *Queue) attempt(ctx context.Context, j *job) error {
	q.mu.Lock()
	useStatus := q.useStatus
	q.mu.Unlock()

	statusFailed := false
	if useStatus {
		st, err := q.p.(StatusReader).Status(ctx)
		switch {
		case err != nil:
			// Unanswered is not unready: some printers never answer. The
			// print itself will tell.
			statusFailed = true
			q.log.Debug("printer status unavailable", "err", err)
		case !st.Ready():
			q.setStatus(st)
			q.log.Log(ctx, q.retryLevel(j), "printer not ready; ticket waits", "job", j.id, "label", j.label, "status", st.String())
			err := fmt.Errorf("printer not ready: %s", st)
			q.mu.Lock()
			j.lastErr = err.Error()
			q.mu.Unlock()
			return err
		}
		if err == nil {
			// Ready: keep the near-end warning; the print decides the health.
			q.mu.Lock()
			q.state.PaperNearEnd = st.PaperNearEnd
			q.mu.Unlock()
			poke(q.notify)
		}
	}

	err := q.p.Print(ctx, j.data)

	level := q.retryLevel(j)
	q.mu.Lock()
	j.attempts++
	if err != nil {
		j.lastErr = err.Error()
		q.mu.Unlock()
		if ctx.Err() == nil {
			q.setError(err)
			q.log.Log(ctx, level, "ticket not printed; will retry", "job", j.id, "label", j.label, "attempt", j.attempts, "err", err)
		}
		return err
	}
	j.printed, j.lastErr = true, ""
	q.pending = q.pending[1:]
	q.history = append(q.history, j)
	if len(q.history) > q.opts.Keep {
		q.history = q.history[len(q.history)-q.opts.Keep:]
	}
	if statusFailed {
		// It printed, so the printer is fine and just does not answer status
		// requests: stop asking rather than wait for the timeout every time.
		q.useStatus = false
		q.log.Info("printer does not answer status requests; printing without them")
	}
	q.state.Health, q.state.Detail = HealthOK, ""
	info := j.info()
	q.mu.Unlock()
	poke(q.notify)
	q.log.Info("ticket printed", "job", info.ID, "label", info.Label, "attempts", info.Attempts)
	if q.opts.OnPrinted != nil {
		q.opts.OnPrinted(info)
	}
	return nil
}

// retryLevel is the log level for a failed attempt at j: a warning the
// first time, then debug, so a printer that is off all day does not flood
// the log. The delivery line says how many attempts it took.
func (q *Queue) retryLevel(j *job) slog.Level {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.attempts == 0 && j.lastErr == "" {
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// setStatus records what the printer said about itself.
func (q *Queue) setStatus(st escpos.Status) {
	h := HealthOK
	switch {
	case st.PaperOut:
		h = HealthPaperOut
	case st.CoverOpen:
		h = HealthCoverOpen
	case st.Error:
		h = HealthError
	case st.Offline:
		h = HealthOffline
	}
	detail := ""
	if h != HealthOK {
		detail = st.String()
	}
	q.mu.Lock()
	q.state.Health, q.state.Detail, q.state.PaperNearEnd = h, detail, st.PaperNearEnd
	q.mu.Unlock()
	poke(q.notify)
}

// setError records a failed delivery.
func (q *Queue) setError(err error) {
	h := HealthError
	if isOffline(err) {
		h = HealthOffline
	}
	q.mu.Lock()
	q.state.Health, q.state.Detail = h, err.Error()
	q.mu.Unlock()
	poke(q.notify)
}

// notifier calls OnState with each new state. It runs apart from Submit and
// from printing, so a slow callback holds up neither.
func (q *Queue) notifier(ctx context.Context) {
	if q.opts.OnState == nil {
		return
	}
	var last State
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.notify:
		}
		s := q.State()
		if first || s != last {
			first, last = false, s
			q.opts.OnState(s)
		}
	}
}

// poke wakes the reader of c without blocking; one wake-up is enough for
// any number of pokes.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func isOffline(err error) bool { return errors.Is(err, ErrOffline) }

// Name describes p for logs and the staff screen, such as
// "network 192.168.4.20:9100".
func Name(p Printer) string {
	if s, ok := p.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", p)
}
