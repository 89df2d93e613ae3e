package closeout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/testkit"
)

var barista = access.Actor{ID: "barista-1", Role: access.Barista}

type booth struct {
	env    *testkit.Env
	shop   *shop.Service
	orders *order.Service
	close  *Service
	cancel context.CancelFunc
	done   chan struct{}
}

func newBooth(t *testing.T, env *testkit.Env, usb string) *booth {
	t.Helper()
	ctx := context.Background()
	b := &booth{env: env, shop: shop.New(env.Store), orders: order.New(env.Store, testkit.Quiet)}
	b.shop.Init(ctx)
	b.close = New(env.Store, b.shop, env.Dir, []string{usb, "/no/such/drive"}, testkit.Quiet)
	if err := b.close.Subscribe(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	b.cancel, b.done = cancel, make(chan struct{})
	storeDone := make(chan struct{})
	go func() { env.Store.Run(runCtx); close(storeDone) }()
	go func() { b.close.Run(runCtx); <-storeDone; close(b.done) }()
	t.Cleanup(b.stop)
	return b
}

func (b *booth) stop() {
	b.cancel()
	<-b.done
}

func (b *booth) status(t *testing.T) Status {
	t.Helper()
	st, err := b.close.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// until waits for closing, which runs in its own goroutine, to reach state.
func (b *booth) until(t *testing.T, state string) Status {
	t.Helper()
	guard := time.Now().Add(10 * time.Second)
	for {
		if st := b.status(t); st.State == state {
			return st
		}
		if time.Now().After(guard) {
			t.Fatalf("closing never reached %s: %+v", state, b.status(t))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func customer(n string) access.Actor { return access.Actor{ID: n, Role: access.Customer} }

func TestClosingWaitsForOpenOrdersThenBacksUp(t *testing.T) {
	env := testkit.New(t)
	usb := t.TempDir()
	b := newBooth(t, env, usb)
	ctx := context.Background()
	b.shop.SetOpen(ctx, barista, true)
	code, _ := qr.New(env.Store).Current(ctx, access.SystemActor)
	making, _ := b.orders.Open(ctx, customer("a"), "Ann", code.Code)
	b.orders.Submit(ctx, customer("a"), making.ID, order.Selection{DrinkID: "latte"})
	b.orders.Make(ctx, barista, making.ID)
	b.orders.Open(ctx, customer("b"), "Ben", code.Code) // still choosing

	if _, err := b.close.Close(ctx, customer("c")); !errors.Is(err, apperr.Forbidden) {
		t.Fatalf("a customer closed the booth: %v", err)
	}
	head := env.Head(t)
	st, err := b.close.Close(ctx, barista)
	if err != nil || st.State != StateClosing || st.OpenOrders != 2 {
		t.Fatalf("close: %+v %v", st, err)
	}
	if got := env.Types(t, head); !slices.Equal(got, []string{events.TypeConfigChanged, events.TypeBoothClosing}) {
		t.Fatalf("events %v", got)
	}
	if _, err := b.orders.Open(ctx, customer("c"), "Cat", code.Code); !errors.Is(err, apperr.ShopClosed) {
		t.Fatalf("a new order while closing: %v", err)
	}
	if st, _ := b.close.Close(ctx, barista); st.State != StateClosing {
		t.Fatalf("second close: %+v", st)
	}

	// The open orders end: one is completed, one times out.
	b.orders.Complete(ctx, barista, making.ID)
	if st := b.status(t); st.State != StateClosing || st.OpenOrders != 1 {
		t.Fatalf("with one order left: %+v", st)
	}
	env.Clock.Advance(15 * time.Minute)
	if _, err := b.orders.FireDue(ctx); err != nil {
		t.Fatal(err)
	}
	st = b.until(t, StateClosed)
	if st.Backup == "" || len(st.Copies) != 1 || filepath.Dir(st.Copies[0]) != usb {
		t.Fatalf("closed: %+v", st)
	}

	// The backup is a whole database, in the data directory and on the "USB drive".
	for _, path := range []string{filepath.Join(env.Dir, "backups", st.Backup), st.Copies[0]} {
		dir := t.TempDir()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, storage.FileName), raw, 0o600)
		db, err := storage.Open(ctx, dir, testkit.Quiet)
		if err != nil {
			t.Fatalf("backup %s: %v", path, err)
		}
		var n int
		db.Read().QueryRow("SELECT count(*) FROM orders").Scan(&n)
		db.Close()
		if n != 2 {
			t.Fatalf("backup %s holds %d orders", path, n)
		}
	}
	all := env.Since(t, head)
	if last := all[len(all)-1]; last.DetailType != events.TypeBoothClosed {
		t.Fatalf("last event %s", last.DetailType)
	}

	// Opening the shop again ends the closed state.
	b.shop.SetOpen(ctx, barista, true)
	b.until(t, StateOpen)
}

func TestClosingCarriesOnAfterARestart(t *testing.T) {
	env := testkit.New(t)
	b := newBooth(t, env, t.TempDir())
	ctx := context.Background()
	b.shop.SetOpen(ctx, barista, true)
	code, _ := qr.New(env.Store).Current(ctx, access.SystemActor)
	o, _ := b.orders.Open(ctx, customer("a"), "Ann", code.Code)
	b.close.Close(ctx, barista)
	b.stop()

	env.Reopen(t)
	b = newBooth(t, env, t.TempDir())
	if st := b.status(t); st.State != StateClosing || st.OpenOrders != 1 {
		t.Fatalf("after restart: %+v", st)
	}
	b.orders.CancelOwn(ctx, customer("a"), o.ID)
	b.until(t, StateClosed)
}

func TestReopeningShowsAtOnce(t *testing.T) {
	env := testkit.New(t)
	b := newBooth(t, env, t.TempDir())
	ctx := context.Background()
	b.shop.SetOpen(ctx, barista, true)
	b.close.Close(ctx, barista)
	b.until(t, StateClosed)
	// Stop the subscriber, so only the shop's state can say it reopened.
	b.stop()
	b.shop.SetOpen(ctx, barista, true)
	if st := b.status(t); st.State != StateOpen || st.Backup != "" {
		t.Fatalf("right after reopening: %+v", st)
	}
}

func TestAnOpeningSeenLateDoesNotStopANewerClosing(t *testing.T) {
	env := testkit.New(t)
	b := newBooth(t, env, t.TempDir())
	ctx := context.Background()
	// The subscriber is down while the shop opens, takes an order and
	// starts closing, so it reads the opening only after the closing began.
	b.stop()
	if _, err := b.shop.SetOpen(ctx, barista, true); err != nil {
		t.Fatal(err)
	}
	code, _ := qr.New(env.Store).Current(ctx, access.SystemActor)
	o, err := b.orders.Open(ctx, customer("a"), "Ann", code.Code)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := b.close.Close(ctx, barista); err != nil || st.State != StateClosing {
		t.Fatalf("close: %+v, %v", st, err)
	}
	env.Reopen(t)
	b = newBooth(t, env, t.TempDir())
	// The last order ends after the late opening was read: the closing
	// must still finish.
	if _, err := b.orders.CancelOwn(ctx, customer("a"), o.ID); err != nil {
		t.Fatal(err)
	}
	b.until(t, StateClosed)
}
