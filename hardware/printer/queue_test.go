package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/hardware/escpos"
)

var epoch = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// stateLog records what the queue reports to the staff.
type stateLog struct {
	mu     sync.Mutex
	states []State
	ch     chan State
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan State, 10000)} }

func (l *stateLog) record(s State) {
	l.mu.Lock()
	l.states = append(l.states, s)
	l.mu.Unlock()
	l.ch <- s
}

func (l *stateLog) all() []State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.states)
}

// waitFor returns the first reported state, from now on, that matches. The
// real-time bound only stops a broken test from hanging; nothing waits for
// it to pass.
func (l *stateLog) waitFor(t *testing.T, what string, match func(State) bool) State {
	t.Helper()
	guard := time.After(10 * time.Second)
	for {
		select {
		case s := <-l.ch:
			if match(s) {
				return s
			}
		case <-guard:
			t.Fatalf("no %s state reported; saw %+v", what, l.all())
		}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startQueue runs a queue until the test ends.
func startQueue(t *testing.T, p Printer, opts QueueOptions) *Queue {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	q := NewQueue(p, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		q.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return q
}

func TestQueueRetriesUntilPrinterComesBack(t *testing.T) {
	ctx := testContext(t)
	fc := clock.NewFake(epoch)
	fake := NewFake()
	fake.SetStatus(escpos.Status{}, errors.New("no answer"))
	fake.Fail(fmt.Errorf("unplugged: %w", ErrOffline))
	log := newStateLog()
	q := startQueue(t, fake, QueueOptions{Clock: fc, OnState: log.record})

	ticket := []byte("\x1b@ticket 42\n")
	id := q.Submit("order 42", ticket)

	log.waitFor(t, "offline with the job pending", func(s State) bool {
		return s.Health == HealthOffline && s.Pending == 1
	})
	fc.BlockUntil(1) // the queue is backing off
	if n := len(fake.Jobs()); n != 0 {
		t.Fatalf("%d jobs printed while unplugged", n)
	}

	fake.Fail(nil) // plugged back in
	fc.Advance(DefaultMinBackoff)

	log.waitFor(t, "ok with nothing pending", func(s State) bool {
		return s.Health == HealthOK && s.Pending == 0
	})
	if jobs := fake.Jobs(); len(jobs) != 1 || string(jobs[0]) != string(ticket) {
		t.Fatalf("printed %q, want the ticket once", jobs)
	}
	if got := fake.Attempts(); got != 2 {
		t.Errorf("%d attempts, want 2", got)
	}

	// The staff saw offline, then ok, and nothing else. (The first report,
	// unknown, may be overtaken by the failure: reports carry the latest
	// state, not every step.)
	var seq []Health
	for _, s := range log.all() {
		if s.Health != HealthUnknown && (len(seq) == 0 || seq[len(seq)-1] != s.Health) {
			seq = append(seq, s.Health)
		}
	}
	if want := []Health{HealthOffline, HealthOK}; !slices.Equal(seq, want) {
		t.Errorf("health went %v, want %v", seq, want)
	}

	jobs := q.Jobs()
	if len(jobs) != 1 || jobs[0].ID != id || !jobs[0].Printed || jobs[0].Attempts != 2 || jobs[0].Label != "order 42" || !jobs[0].Submitted.Equal(epoch) {
		t.Errorf("Jobs() = %+v", jobs)
	}

	// Time passing does not print it again.
	fc.Advance(time.Hour)
	if err := fake.WaitAttempts(ctx, 2); err != nil || len(fake.Jobs()) != 1 {
		t.Errorf("after an hour: %d jobs", len(fake.Jobs()))
	}
}

func TestQueueBackoffDoublesAndIsCapped(t *testing.T) {
	ctx := testContext(t)
	fc := clock.NewFake(epoch)
	fake := NewFake()
	fake.SetStatus(escpos.Status{}, errors.New("no answer"))
	fake.Fail(errors.New("cutter jammed"))
	log := newStateLog()
	q := startQueue(t, fake, QueueOptions{
		Clock: fc, OnState: log.record, MinBackoff: time.Second, MaxBackoff: 4 * time.Second,
	})
	q.Submit("order 1", []byte("x"))

	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		attempt := i + 1
		if err := fake.WaitAttempts(ctx, attempt); err != nil {
			t.Fatalf("attempt %d never came: %v", attempt, err)
		}
		fc.BlockUntil(1)
		// Just short of the backoff nothing happens: the one timer is still
		// waiting, and only it can start another attempt.
		fc.Advance(wait - time.Millisecond)
		if fc.Waiters() != 1 || fake.Attempts() != attempt {
			t.Fatalf("backoff %d: retried before %v", attempt, wait)
		}
		fc.Advance(time.Millisecond)
	}
	if err := fake.WaitAttempts(ctx, 5); err != nil {
		t.Fatal(err)
	}
	s := log.waitFor(t, "error", func(s State) bool { return s.Health == HealthError })
	if s.Detail != "cutter jammed" || s.Pending != 1 {
		t.Errorf("state %+v, want the error text and one pending job", s)
	}
	if jobs := q.Jobs(); jobs[0].LastError != "cutter jammed" || jobs[0].Printed {
		t.Errorf("Jobs() = %+v", jobs)
	}
}

func TestQueueWaitsForPaper(t *testing.T) {
	fc := clock.NewFake(epoch)
	fake := NewFake()
	fake.SetStatus(escpos.Status{PaperOut: true, PaperNearEnd: true}, nil)
	log := newStateLog()
	q := startQueue(t, fake, QueueOptions{Clock: fc, OnState: log.record})
	q.Submit("order 7", []byte("ticket 7"))
	q.Submit("order 8", []byte("ticket 8"))

	s := log.waitFor(t, "paper out", func(s State) bool { return s.Health == HealthPaperOut && s.Pending == 2 })
	if !s.PaperNearEnd || s.Detail != "paper out, paper near end" {
		t.Errorf("state %+v", s)
	}
	fc.BlockUntil(1)
	if fake.Attempts() != 0 {
		t.Error("a job was sent to a printer without paper")
	}

	fake.SetStatus(escpos.Status{}, nil) // new roll
	fc.Advance(DefaultMinBackoff)
	log.waitFor(t, "ok and empty", func(s State) bool { return s.Health == HealthOK && s.Pending == 0 && !s.PaperNearEnd })
	if jobs := fake.Jobs(); len(jobs) != 2 || string(jobs[0]) != "ticket 7" || string(jobs[1]) != "ticket 8" {
		t.Errorf("printed %q, want both tickets in order", jobs)
	}
	if calls := fake.StatusCalls(); calls < 3 {
		t.Errorf("%d status checks, want one before each attempt", calls)
	}
}

func TestQueueStopsAskingAPrinterThatDoesNotAnswer(t *testing.T) {
	ctx := testContext(t)
	fake := NewFake()
	fake.SetStatus(escpos.Status{}, fmt.Errorf("status: %w", ErrOffline))
	log := newStateLog()
	q := startQueue(t, fake, QueueOptions{Clock: clock.NewFake(epoch), OnState: log.record})
	q.Submit("one", []byte("1"))
	log.waitFor(t, "ok", func(s State) bool { return s.Health == HealthOK && s.Pending == 0 })
	q.Submit("two", []byte("2"))
	if err := fake.WaitAttempts(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if calls := fake.StatusCalls(); calls != 1 {
		t.Errorf("%d status calls, want 1: the printer printed without answering", calls)
	}
}

func TestQueuePollsWhileIdle(t *testing.T) {
	ctx := testContext(t)
	fc := clock.NewFake(epoch)
	fake := NewFake()
	log := newStateLog()
	startQueue(t, fake, QueueOptions{Clock: fc, OnState: log.record, PollInterval: 10 * time.Second})

	fc.BlockUntil(1)
	fake.SetStatus(escpos.Status{CoverOpen: true}, nil)
	fc.Advance(10 * time.Second)
	if err := fake.WaitStatusCalls(ctx, 1); err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, "cover open", func(s State) bool { return s.Health == HealthCoverOpen && s.Detail == "cover open" })

	fc.BlockUntil(1)
	fake.SetStatus(escpos.Status{}, nil)
	fc.Advance(10 * time.Second)
	log.waitFor(t, "ok", func(s State) bool { return s.Health == HealthOK })
	if n := fake.Attempts(); n != 0 {
		t.Errorf("%d print attempts with nothing queued", n)
	}
}

func TestQueueReprint(t *testing.T) {
	fake := NewFake()
	printed := make(chan JobInfo, 10)
	q := startQueue(t, fake, QueueOptions{
		Clock: clock.NewFake(epoch), Keep: 2,
		OnPrinted: func(j JobInfo) { printed <- j },
	})
	waitPrinted := func(want JobID) {
		t.Helper()
		select {
		case j := <-printed:
			if j.ID != want || !j.Printed {
				t.Fatalf("printed %+v, want job %d", j, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("job %d never printed", want)
		}
	}

	ids := []JobID{q.Submit("order 1", []byte("one")), q.Submit("order 2", []byte("two")), q.Submit("order 3", []byte("three"))}
	for _, id := range ids {
		waitPrinted(id)
	}

	again, err := q.Reprint(ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if again == ids[2] {
		t.Error("a reprint got the original's id")
	}
	waitPrinted(again)
	if jobs := fake.Jobs(); len(jobs) != 4 || string(jobs[3]) != "three" {
		t.Errorf("printed %q, want the third ticket again", jobs)
	}
	if _, err := q.Reprint(ids[0]); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("reprint of a job beyond Keep: err = %v, want ErrUnknownJob", err)
	}
	if _, err := q.Reprint(999); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("reprint of an unknown id: err = %v", err)
	}
	jobs := q.Jobs()
	if len(jobs) != 2 || jobs[0].ID != ids[2] || jobs[1].ID != again || jobs[1].Label != "order 3 (reprint)" {
		t.Errorf("kept jobs %+v, want the last two", jobs)
	}
}

func TestQueueReprintOfWaitingJobIsNotDuplicated(t *testing.T) {
	fake := NewFake()
	fake.Fail(ErrOffline)
	q := NewQueue(fake, QueueOptions{Clock: clock.NewFake(epoch), Logger: testLogger(t)})
	id := q.Submit("order 5", []byte("five"))
	got, err := q.Reprint(id)
	if err != nil || got != id {
		t.Errorf("Reprint = %d, %v; want %d, nil", got, err, id)
	}
	if n := q.State().Pending; n != 1 {
		t.Errorf("%d pending, want 1", n)
	}
}

// Submit must return at once whatever the printer or the staff screen do.
func TestQueueSubmitNeverBlocks(t *testing.T) {
	ctx := testContext(t)
	stuck := make(chan struct{})
	p := printerFunc(func(ctx context.Context, job []byte) error {
		select {
		case <-stuck:
		case <-ctx.Done():
		}
		return ctx.Err()
	})
	called := make(chan struct{}, 1)
	q := startQueue(t, p, QueueOptions{
		Clock: clock.NewFake(epoch),
		OnState: func(State) {
			poke(called)
			<-stuck // a wedged staff screen
		},
	})
	// Cleanups run last first: unwedge before the queue is stopped.
	t.Cleanup(func() { close(stuck) })
	data := make([]byte, 10)
	for i := range 1000 {
		data[0] = byte(i)
		q.Submit(fmt.Sprintf("order %d", i), data)
	}
	data[0] = 0xFF // the queue kept its own copy
	if n := q.State().Pending; n != 1000 {
		t.Errorf("%d pending, want 1000", n)
	}
	select {
	case <-called:
	case <-ctx.Done():
		t.Fatal("state callback never called")
	}
	if jobs := q.Jobs(); jobs[0].Label != "order 0" || len(jobs) != 1000 {
		t.Errorf("first job %+v of %d", jobs[0], len(jobs))
	}
}

// A queue that is not running still accepts jobs, and prints them once it
// runs.
func TestQueueSubmitBeforeRun(t *testing.T) {
	fake := NewFake()
	log := newStateLog()
	q := NewQueue(fake, QueueOptions{Clock: clock.NewFake(epoch), Logger: testLogger(t), OnState: log.record})
	q.Submit("early", []byte("early"))
	if s := q.State(); s.Health != HealthUnknown || s.Pending != 1 {
		t.Errorf("state before Run %+v", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	log.waitFor(t, "printed", func(s State) bool { return s.Health == HealthOK && s.Pending == 0 })
	cancel()
	<-done
	if jobs := fake.Jobs(); len(jobs) != 1 {
		t.Errorf("%d jobs", len(jobs))
	}
}

type printerFunc func(ctx context.Context, job []byte) error

func (f printerFunc) Print(ctx context.Context, job []byte) error { return f(ctx, job) }

func TestJobReturnsTheExactBytes(t *testing.T) {
	fake := NewFake()
	q := NewQueue(fake, QueueOptions{Clock: clock.NewFake(time.Unix(0, 0))})
	id := q.Submit("order 7", []byte{0x1b, 0x40, 'h', 'i'})
	info, data, err := q.Job(id)
	if err != nil || info.Label != "order 7" || string(data) != "\x1b@hi" {
		t.Fatalf("Job = %+v %q %v", info, data, err)
	}
	data[0] = 'X'
	if _, again, _ := q.Job(id); again[0] != 0x1b {
		t.Fatal("Job handed out the queue's own buffer")
	}
	if _, _, err := q.Job(id + 99); !errors.Is(err, ErrUnknownJob) {
		t.Fatalf("unknown job: %v", err)
	}
}
