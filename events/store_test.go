package events

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/storage"
)

var t0 = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	dir   string
	db    *storage.DB
	clk   *clock.Fake
	store *Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), clk: clock.NewFake(t0)}
	f.reopen(t)
	return f
}

func (f *fixture) reopen(t *testing.T) {
	t.Helper()
	if f.db != nil {
		f.db.Close()
	}
	db, err := storage.Open(context.Background(), f.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store, err := Open(context.Background(), db, f.clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.db, f.store = db, store
}

func (f *fixture) emit(t *testing.T, details ...Detail) {
	t.Helper()
	err := f.store.Write(context.Background(), func(tx *Tx) error {
		for _, d := range details {
			if _, err := tx.Emit(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func started(id string) *WorkflowStarted {
	return &WorkflowStarted{OrderID: id, UserID: "u-" + id, TimeoutSeconds: 900}
}

func count(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.db.Read().QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// run starts dispatch and returns a stop function that waits for it to end.
func run(f *fixture) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.store.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func receive(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event delivered")
		return Event{}
	}
}

func collector(ch chan<- Event) Handler {
	return func(ctx context.Context, e Event) error { ch <- e; return nil }
}

func TestCatalogueIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Catalogue() {
		key := fmt.Sprint(e.DetailType, "@", e.Version)
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		if got := e.new().DetailType(); got != e.DetailType {
			t.Errorf("%s builds a %s", e.DetailType, got)
		}
		if e.Source == "" || e.Message == "" {
			t.Errorf("%s lacks a source or message", e.DetailType)
		}
	}
	for _, name := range []string{"Validator.NewOrder", "OrderProcessor.WorkflowStarted", "OrderProcessor.WaitingCompletion",
		"OrderManager.WaitingCompletion", "OrderManager.MakeOrder", "OrderManager.OrderCompleted", "OrderManager.OrderCancelled",
		"OrderProcessor.OrderTimeOut", "OrderProcessor.ShopUnavailable", "OrderProcessor.orderFinished", "ConfigService.ConfigChanged"} {
		if _, ok := Lookup(name, 1); !ok {
			t.Errorf("the design's %s is missing", name)
		}
	}
}

func TestEventsCommitWithTheirTransactionOnly(t *testing.T) {
	f := newFixture(t)
	f.emit(t, started("a"), started("b"))
	boom := errors.New("boom")
	err := f.store.Write(context.Background(), func(tx *Tx) error {
		if _, err := tx.Emit(started("c")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := count(t, f); n != 2 {
		t.Fatalf("%d events in the log, want 2 (the failed transaction's event must not stay)", n)
	}
	evs, err := f.store.ForOrder(context.Background(), "a")
	if err != nil || len(evs) != 1 || evs[0].DetailType != TypeWorkflowStarted || evs[0].Source != SourceOrderProcessor {
		t.Fatalf("ForOrder(a) = %+v, %v", evs, err)
	}
	if !strings.Contains(string(evs[0].Detail), `"message":"The order workflow started`) {
		t.Errorf("catalogue message not filled in: %s", evs[0].Detail)
	}
	if evs[0].Time != t0 || len(evs[0].ID) != 36 {
		t.Errorf("envelope: %+v", evs[0])
	}
}

func TestInvalidDetailIsNotWritten(t *testing.T) {
	f := newFixture(t)
	err := f.store.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Emit(&OrderTimeOut{OrderID: "a", UserID: "u", Cause: "bored"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "cause") {
		t.Fatalf("err = %v, want a complaint about cause", err)
	}
	if n := count(t, f); n != 0 {
		t.Fatalf("%d events written", n)
	}
}

func TestDispatchInCommitOrderToEachSubscriber(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emit(t, started("old"))
	all, fresh := make(chan Event, 10), make(chan Event, 10)
	if err := f.store.Subscribe(ctx, "all", FromStart, collector(all)); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Subscribe(ctx, "fresh", false, collector(fresh)); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Subscribe(ctx, "fresh", false, collector(fresh)); err == nil {
		t.Fatal("a second subscriber took the same name")
	}
	stop := run(f)
	defer stop()
	f.emit(t, started("n1"), started("n2"))
	f.emit(t, started("n3"))

	want := []string{"old", "n1", "n2", "n3"}
	for _, id := range want {
		if got := receive(t, all).OrderID; got != id {
			t.Fatalf("all: got %s, want %s", got, id)
		}
	}
	for _, id := range want[1:] {
		if got := receive(t, fresh).OrderID; got != id {
			t.Fatalf("fresh: got %s, want %s", got, id)
		}
	}
}

func TestSlowSubscriberDoesNotHoldUpOthers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	release := make(chan struct{})
	f.store.Subscribe(ctx, "stuck", false, func(ctx context.Context, e Event) error {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	fast := make(chan Event, 10)
	f.store.Subscribe(ctx, "fast", false, collector(fast))
	stop := run(f)
	defer stop()
	defer close(release)
	f.emit(t, started("a"))
	f.emit(t, started("b"))
	receive(t, fast)
	if got := receive(t, fast).OrderID; got != "b" {
		t.Fatalf("got %s", got)
	}
}

func TestFailingHandlerIsRetriedWithoutSkipping(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got := make(chan Event, 10)
	failures := 2
	f.store.Subscribe(ctx, "flaky", false, func(ctx context.Context, e Event) error {
		if e.OrderID == "a" && failures > 0 {
			failures--
			return errors.New("printer jammed")
		}
		got <- e
		return nil
	})
	stop := run(f)
	defer stop()
	f.emit(t, started("a"), started("b"))
	// Run's checkpoint timer plus the retry pause.
	f.clk.BlockUntil(2)
	f.clk.Advance(100 * time.Millisecond)
	f.clk.BlockUntil(2)
	f.clk.Advance(200 * time.Millisecond)
	if e := receive(t, got); e.OrderID != "a" {
		t.Fatalf("first delivered %s, want a", e.OrderID)
	}
	if e := receive(t, got); e.OrderID != "b" {
		t.Fatalf("second delivered %s, want b", e.OrderID)
	}
}

func TestCursorResumesAfterRestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got := make(chan Event, 10)
	f.store.Subscribe(ctx, "screen", FromStart, collector(got))
	stop := run(f)
	f.emit(t, started("a"))
	receive(t, got)
	stop()

	f.emit(t, started("b")) // committed while nobody dispatches
	f.reopen(t)
	got2 := make(chan Event, 10)
	f.store.Subscribe(ctx, "screen", FromStart, collector(got2))
	stop = run(f)
	defer stop()
	if e := receive(t, got2); e.OrderID != "b" {
		t.Fatalf("after restart got %s first, want b (a was handled already)", e.OrderID)
	}
}

func TestRunTimeIgnoresWallJumpsAndResumesAfterRestart(t *testing.T) {
	f := newFixture(t)
	f.clk.Advance(90 * time.Second)
	f.clk.Jump(-400 * 24 * time.Hour)
	if got := f.store.RunTime(); got != 90*time.Second {
		t.Fatalf("run time = %v, want 90s", got)
	}
	f.emit(t, started("a"))
	f.clk.Advance(5 * time.Second)
	f.reopen(t) // unsaved: resumes from the last event
	if got := f.store.RunTime(); got != 90*time.Second {
		t.Fatalf("after restart run time = %v, want 90s", got)
	}
	f.clk.Advance(20 * time.Second)
	f.store.saveRunTime(context.Background())
	f.reopen(t)
	if got := f.store.RunTime(); got != 110*time.Second {
		t.Fatalf("after saved restart run time = %v, want 110s", got)
	}
	evs, _ := f.store.ForOrder(context.Background(), "a")
	if evs[0].RunTimeMs != 90_000 {
		t.Fatalf("event stamped %d ms", evs[0].RunTimeMs)
	}
}

const goodFile = `[
 {"id": "e1", "source": "order-processor", "detail-type": "OrderProcessor.WorkflowStarted", "version": 1,
  "time": "2026-05-01T10:00:00Z", "detail": {"orderId": "x1", "userId": "c1", "timeoutSeconds": 900, "message": ""}},
 {"id": "e2", "source": "order-manager", "detail-type": "OrderManager.OrderCompleted", "version": 1,
  "time": "2026-05-01T10:03:00Z", "detail": {"orderId": "x1", "userId": "c1", "orderNumber": 4, "baristaUserId": "b1", "message": "done"}}
]`

func TestInjectAddsValidEventsOnceAndDispatchesThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got := make(chan Event, 10)
	f.store.Subscribe(ctx, "screen", false, collector(got))
	stop := run(f)
	defer stop()

	res, err := f.store.Inject(ctx, strings.NewReader(goodFile))
	if err != nil || res != (InjectResult{Added: 2}) {
		t.Fatalf("inject = %+v, %v", res, err)
	}
	if e := receive(t, got); e.ID != "e1" || !e.Time.Equal(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("first injected: %+v", e)
	}
	receive(t, got)
	res, err = f.store.Inject(ctx, strings.NewReader(goodFile))
	if err != nil || res != (InjectResult{Skipped: 2}) {
		t.Fatalf("second inject = %+v, %v", res, err)
	}
	evs, _ := f.store.ForOrder(ctx, "x1")
	if len(evs) != 2 {
		t.Fatalf("log has %d events for x1", len(evs))
	}
	// One object after another works too.
	lines := `{"id": "e3", "source": "config-service", "detail-type": "ConfigService.BoothDayStarted", "version": 1, "time": "2026-05-02T08:00:00Z", "detail": {"boothDay": 2, "actorId": "admin", "message": ""}}
{"id": "e4", "source": "config-service", "detail-type": "ConfigService.BoothDayStarted", "version": 1, "time": "2026-05-03T08:00:00Z", "detail": {"boothDay": 3, "actorId": "admin", "message": ""}}`
	if res, err := f.store.Inject(ctx, strings.NewReader(lines)); err != nil || res.Added != 2 {
		t.Fatalf("json lines: %+v, %v", res, err)
	}
}

func TestInjectRejectsBadFilesWhole(t *testing.T) {
	valid := `{"id": "ok", "source": "order-processor", "detail-type": "OrderProcessor.WorkflowStarted", "version": 1, "time": "2026-05-01T10:00:00Z", "detail": {"orderId": "x", "userId": "c", "timeoutSeconds": 900, "message": ""}}`
	for _, c := range []struct{ name, file, want string }{
		{"empty", "  ", "empty"},
		{"not json", "coffee", "not valid JSON"},
		{"unknown type", `{"id": "e", "source": "validator", "detail-type": "Validator.Teapot", "version": 1, "time": "2026-05-01T10:00:00Z", "detail": {}}`, "not in the catalogue"},
		{"unknown version", strings.Replace(valid, `"version": 1`, `"version": 7`, 1), "not in the catalogue"},
		{"wrong source", strings.Replace(valid, `"order-processor"`, `"validator"`, 1), "source"},
		{"no time", strings.Replace(valid, `"time": "2026-05-01T10:00:00Z", `, "", 1), "time"},
		{"no id", strings.Replace(valid, `"id": "ok"`, `"id": ""`, 1), "id"},
		{"unknown envelope field", strings.Replace(valid, `"version": 1`, `"version": 1, "region": "eu"`, 1), "unknown field"},
		{"unknown detail field", strings.Replace(valid, `"timeoutSeconds": 900`, `"timeoutSeconds": 900, "TaskToken": "t"`, 1), "unknown field"},
		{"missing detail field", strings.Replace(valid, `"userId": "c", `, "", 1), "userId"},
		{"wrong type", strings.Replace(valid, `900`, `"soon"`, 1), "timeoutSeconds"},
		{"duplicate id", "[" + valid + "," + valid + "]", "twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			file := c.file
			if c.name != "duplicate id" && c.name != "empty" && c.name != "not json" {
				file = "[" + valid + "," + c.file + "]"
			}
			_, err := f.store.Inject(context.Background(), strings.NewReader(file))
			if !errors.Is(err, apperr.EventInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want event_invalid mentioning %q", err, c.want)
			}
			if n := count(t, f); n != 0 {
				t.Fatalf("%d events written from a rejected file", n)
			}
		})
	}
}

func TestEveryEventIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/order-core.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Catalogue() {
		if !strings.Contains(string(doc), "`"+e.DetailType+"`") {
			t.Errorf("docs/order-core.md does not describe %s", e.DetailType)
		}
	}
}

func TestOnCommitRunsBeforeSubscribersAndOnlyOnCommit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var mu sync.Mutex
	var kept []string // what OnCommit put in memory
	snapshot := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(kept) }
	seen := make(chan []string, 4) // kept, as each delivery found it
	f.store.Subscribe(ctx, "s", false, func(ctx context.Context, e Event) error {
		seen <- snapshot()
		return nil
	})
	stop := run(f)
	defer stop()
	write := func(id string, fail error) error {
		return f.store.Write(ctx, func(tx *Tx) error {
			tx.OnCommit(func() { mu.Lock(); kept = append(kept, id); mu.Unlock() })
			if _, err := tx.Emit(started(id)); err != nil {
				return err
			}
			return fail
		})
	}
	boom := errors.New("refused")
	if err := write("o1", nil); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(); !slices.Equal(got, []string{"o1"}) {
		t.Fatalf("after the commit returned, memory has %v", got)
	}
	if got := <-seen; !slices.Equal(got, []string{"o1"}) {
		t.Fatalf("the subscriber got o1's event while memory had %v", got)
	}
	if err := write("o2", boom); !errors.Is(err, boom) {
		t.Fatalf("the refused write answered %v", err)
	}
	if err := write("o3", nil); err != nil {
		t.Fatal(err)
	}
	if got := <-seen; !slices.Equal(got, []string{"o1", "o3"}) {
		t.Fatalf("the subscriber got o3's event while memory had %v (o2 was not committed)", got)
	}
}
