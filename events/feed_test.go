package events

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func TestSubscribersShareOneDecodedDetail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := make(chan Event, 10), make(chan Event, 10)
	f.store.Subscribe(ctx, "a", false, collector(a))
	f.store.Subscribe(ctx, "b", false, collector(b))
	stop := run(f)
	defer stop()
	f.emit(t, started("o1"))
	ea, eb := receive(t, a), receive(t, b)
	da, err := ea.Decode()
	if err != nil {
		t.Fatal(err)
	}
	db, err := eb.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if da != db {
		t.Error("each subscriber got its own decoding of the detail")
	}
	if ws, ok := da.(*WorkflowStarted); !ok || ws.OrderID != "o1" || ws.Message == "" {
		t.Errorf("detail %#v", da)
	}
}

func TestSubscribersFarApartEachGetTheWholeLogInOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const before, after = feedSize + 44, 2*batch + 10
	for i := range before {
		f.emit(t, started(fmt.Sprint("b", i)))
	}
	all, fresh := make(chan Event, before+after+3), make(chan Event, after+3)
	f.store.Subscribe(ctx, "all", FromStart, collector(all))
	f.store.Subscribe(ctx, "fresh", false, collector(fresh))
	stop := run(f)
	defer stop()
	for i := 0; i < after; i += 3 {
		f.emit(t, started(fmt.Sprint("a", i)), started(fmt.Sprint("a", i+1)), started(fmt.Sprint("a", i+2)))
	}
	for i := range before {
		if e := receive(t, all); e.OrderID != fmt.Sprint("b", i) {
			t.Fatalf("all: event %d is %s", i, e.OrderID)
		}
	}
	for i := range (after + 2) / 3 * 3 {
		want := fmt.Sprint("a", i)
		if e := receive(t, all); e.OrderID != want {
			t.Fatalf("all: got %s, want %s", e.OrderID, want)
		}
		if e := receive(t, fresh); e.OrderID != want {
			t.Fatalf("fresh: got %s, want %s", e.OrderID, want)
		}
	}
}

func TestAnUndecodableEventIsStillDelivered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got := make(chan Event, 10)
	f.store.Subscribe(ctx, "screen", false, collector(got))
	stop := run(f)
	defer stop()
	err := f.store.Write(ctx, func(tx *Tx) error {
		// As a newer kiosk would have written it.
		_, err := tx.ExecContext(ctx, `INSERT INTO events (id, source, detail_type, version, time_at, time_run, detail)
			VALUES ('x', 'Future', 'Future.Thing', 9, 0, 0, '{}')`)
		if err != nil {
			return err
		}
		_, err = tx.Emit(started("o1"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := receive(t, got); e.DetailType != "Future.Thing" {
		t.Fatalf("got %s", e.DetailType)
	} else if _, err := e.Decode(); err == nil {
		t.Error("an unknown event decoded")
	}
	if e := receive(t, got); e.OrderID != "o1" {
		t.Fatalf("got %q", e.OrderID)
	}
}

// Events handed over by the commits that wrote them reach subscribers
// exactly as the log holds them, in commit order, even when concurrent
// writes share a commit and return in another order.
func TestCommittedEventsReachSubscribersAsTheLogHasThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const writers, each = 8, 25
	got := make(chan Event, writers*each*2)
	f.store.Subscribe(ctx, "a", false, collector(got))
	stop := run(f)
	defer stop()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := f.store.Write(ctx, func(tx *Tx) error {
					if _, err := tx.Emit(started(fmt.Sprint(w, "-", i))); err != nil {
						return err
					}
					_, err := tx.Emit(&OrderFinished{OrderID: fmt.Sprint(w, "-", i), UserID: "u", OrderNumber: 1,
						Outcome: OutcomeCompleted})
					return err
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	log, err := f.store.Since(ctx, 0, writers*each*2)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != writers*each*2 {
		t.Fatalf("the log has %d events, want %d", len(log), writers*each*2)
	}
	for _, want := range log {
		e := receive(t, got)
		d, err := e.Decode()
		if err != nil {
			t.Fatal(err)
		}
		wantDetail, err := want.Decode()
		if err != nil {
			t.Fatal(err)
		}
		e.decoded = nil
		if !reflect.DeepEqual(e, want) || !reflect.DeepEqual(d, wantDetail) {
			t.Fatalf("delivered\n%+v %+v\nthe log has\n%+v %+v", e, d, want, wantDetail)
		}
	}
}

// A commit whose events follow on from the feed's newest is served from
// memory: with the database closed, the feed still hands them out. Events
// that do not follow on are left for a read.
func TestTheFeedServesCommittedEventsWithoutReading(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emit(t, started("o1"))
	evs, err := f.store.next(ctx, 0) // starts the feed, reading o1
	if err != nil || len(evs) != 1 {
		t.Fatalf("first read: %v %v", evs, err)
	}
	f.emit(t, started("o2"), started("o3"))
	f.db.Close()
	evs, err = f.store.next(ctx, 1)
	if err != nil {
		t.Fatalf("the feed read the closed database: %v", err)
	}
	if len(evs) != 2 || evs[0].OrderID != "o2" || evs[1].OrderID != "o3" || evs[0].decoded == nil {
		t.Fatalf("feed after o1: %+v", evs)
	}
	f.store.committed([]Event{{Seq: 9, OrderID: "gap"}}) // does not follow on: left out
	if _, err := f.store.next(ctx, 3); err == nil {
		t.Error("the feed claimed to hold everything up to a commit it was not handed")
	}
}

// Writes that share a commit answer their callers in any order, but their
// events reach the feed in commit order: the feed holds every one of them
// and reads nothing back.
func TestGroupedCommitsReachTheFeedInOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emit(t, started("o0"))
	if _, err := f.store.next(ctx, 0); err != nil { // starts the feed
		t.Fatal(err)
	}
	const n = 64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f.emit(t, started(fmt.Sprint("g", i)))
		}()
	}
	close(start)
	wg.Wait()
	f.db.Close()
	var got []Event
	for pos := int64(1); len(got) < n; {
		evs, err := f.store.next(ctx, pos)
		if err != nil {
			t.Fatalf("after %d of %d events the feed read the (closed) database: %v", len(got), n, err)
		}
		if len(evs) == 0 {
			t.Fatalf("the feed ended after %d of %d events", len(got), n)
		}
		got = append(got, evs...)
		pos = evs[len(evs)-1].Seq
	}
	for i, e := range got {
		if e.Seq != int64(i+2) || e.decoded == nil {
			t.Fatalf("event %d: seq %d, decoded %v", i, e.Seq, e.decoded != nil)
		}
	}
}
