package printer

import (
	"context"
	"fmt"
	"sync"

	"github.com/coffeebar/kiosk/hardware/escpos"
)

// Fake is a printer for tests that can be told to fail, to go offline or out
// of paper, and to come back. It records every job it accepts.
type Fake struct {
	mu          sync.Mutex
	printErr    error
	status      escpos.Status
	statusErr   error
	jobs        [][]byte
	attempts    int
	statusCalls int
	changed     chan struct{}
}

var (
	_ Printer      = (*Fake)(nil)
	_ StatusReader = (*Fake)(nil)
)

// NewFake returns a fake printer that is ready and accepts every job.
func NewFake() *Fake { return &Fake{changed: make(chan struct{})} }

// String names the fake in logs.
func (f *Fake) String() string { return "fake" }

// Fail makes every Print fail with err until Fail(nil).
func (f *Fake) Fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.printErr = err
}

// SetStatus sets what Status reports, and err makes Status fail instead.
func (f *Fake) SetStatus(s escpos.Status, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.statusErr = s, err
}

// Print records an attempt and, unless told to fail or not ready, the job.
func (f *Fake) Print(ctx context.Context, job []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.signal()
	f.attempts++
	if f.printErr != nil {
		return f.printErr
	}
	if !f.status.Ready() {
		return fmt.Errorf("fake printer: %w: %s", ErrOffline, f.status)
	}
	f.jobs = append(f.jobs, append([]byte(nil), job...))
	return nil
}

// Status reports the status set by SetStatus.
func (f *Fake) Status(ctx context.Context) (escpos.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.signal()
	f.statusCalls++
	return f.status, f.statusErr
}

// Jobs returns the jobs printed so far.
func (f *Fake) Jobs() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.jobs...)
}

// Attempts counts calls to Print, failed or not.
func (f *Fake) Attempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts
}

// StatusCalls counts calls to Status.
func (f *Fake) StatusCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.statusCalls
}

// WaitAttempts returns once Print has been called n times in all, or with
// ctx's error.
func (f *Fake) WaitAttempts(ctx context.Context, n int) error {
	return f.wait(ctx, func() bool { return f.attempts >= n })
}

// WaitStatusCalls returns once Status has been called n times in all, or
// with ctx's error.
func (f *Fake) WaitStatusCalls(ctx context.Context, n int) error {
	return f.wait(ctx, func() bool { return f.statusCalls >= n })
}

func (f *Fake) wait(ctx context.Context, done func() bool) error {
	for {
		f.mu.Lock()
		ok, ch := done(), f.changed
		f.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// signal wakes waiters; f.mu must be held.
func (f *Fake) signal() {
	close(f.changed)
	f.changed = make(chan struct{})
}
