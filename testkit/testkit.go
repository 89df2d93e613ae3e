// Package testkit sets up the real parts tests run on: a fresh SQLite file
// in the test's temporary directory, the event store over it, and a fake
// clock. It imports no domain package, so every domain's tests can use it.
package testkit

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/storage"
)

// Start is the fake clock's wall time at the start of every test: a weekday
// morning at the booth.
var Start = time.Date(2026, 6, 3, 9, 0, 0, 0, time.UTC)

// Quiet is a logger that drops everything, for tests whose log is noise.
var Quiet = slog.New(slog.DiscardHandler)

// Env is one test's database, event store and clock.
type Env struct {
	Dir   string
	DB    *storage.DB
	Store *events.Store
	Clock *clock.Fake
}

// New opens a fresh database in t.TempDir().
func New(t testing.TB) *Env { return At(t, t.TempDir()) }

// At opens the database in dir, which may hold one already, with a new fake
// clock.
func At(t testing.TB, dir string) *Env {
	t.Helper()
	e := &Env{Dir: dir, Clock: clock.NewFake(Start)}
	e.Reopen(t)
	return e
}

// Reopen closes the database (if open) and opens it again on the same file,
// as a restart does.
func (e *Env) Reopen(t testing.TB) {
	t.Helper()
	if e.DB != nil {
		e.DB.Close()
	}
	db, err := storage.Open(context.Background(), e.Dir, Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store, err := events.Open(context.Background(), db, e.Clock, Quiet)
	if err != nil {
		t.Fatal(err)
	}
	e.DB, e.Store = db, store
}

// Head is the log's current position, to pass to Since later.
func (e *Env) Head(t testing.TB) int64 {
	t.Helper()
	h, err := e.Store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Since returns every event written after position after.
func (e *Env) Since(t testing.TB, after int64) []events.Event {
	t.Helper()
	evs, err := e.Store.Since(context.Background(), after, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Types returns the detail types of the events written after position after.
func (e *Env) Types(t testing.TB, after int64) []string {
	t.Helper()
	var out []string
	for _, ev := range e.Since(t, after) {
		out = append(out, ev.DetailType)
	}
	return out
}
