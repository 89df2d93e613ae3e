package events

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/testkit/cputime"
)

// BenchmarkDispatch is the kiosk's four subscribers (realtime, tickets,
// ready light, closing) each receiving every event of a two-event commit
// and reading its detail.
func BenchmarkDispatch(b *testing.B) {
	ctx := context.Background()
	db, err := storage.Open(ctx, b.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	store, err := Open(ctx, db, clock.NewFake(t0), nil)
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"realtime", "tickets", "ready-light", "closeout"}
	got := make(chan struct{}, 4*2*64)
	for _, name := range names {
		if err := store.Subscribe(ctx, name, false, func(ctx context.Context, e Event) error {
			if _, err := e.Decode(); err != nil {
				return err
			}
			got <- struct{}{}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { store.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	cpu0 := cputime.Used()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		err := store.Write(ctx, func(tx *Tx) error {
			id := fmt.Sprint("o", i)
			if _, err := tx.Emit(&OrderCompleted{OrderID: id, UserID: "u", OrderNumber: 1, BaristaUserID: "b"}); err != nil {
				return err
			}
			_, err := tx.Emit(&OrderFinished{OrderID: id, UserID: "u", OrderNumber: 1, Outcome: OutcomeCompleted})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		for range 2 * len(names) {
			<-got
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Used()-cpu0)/float64(b.N), "cpu-ns/op")
}
