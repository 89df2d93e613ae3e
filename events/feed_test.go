package events

import (
	"context"
	"fmt"
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
