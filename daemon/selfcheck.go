package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/ui"
	"github.com/coffeebar/kiosk/version"
)

// SelfCheck runs one order through every part of the core on a scratch
// database in a temporary directory, on this machine's architecture, and
// says what it found. It is what a freshly built binary for the Pi is asked
// first (under qemu in CI, on the Pi itself after installing).
func SelfCheck(ctx context.Context, out io.Writer) error {
	start := time.Now()
	fmt.Fprintf(out, "kiosk %s selfcheck on %s/%s\n", version.Version, runtime.GOOS, runtime.GOARCH)
	dir, err := os.MkdirTemp("", "kiosk-selfcheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.DiscardHandler)
	step := func(name string, err error) error {
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: %v\n", name, err)
			return fmt.Errorf("selfcheck %s: %w", name, err)
		}
		fmt.Fprintf(out, "ok   %s\n", name)
		return nil
	}

	db, err := storage.Open(ctx, dir, log)
	if err := step("database: open, check and migrate (schema "+fmt.Sprint(storage.SchemaVersion())+")", err); err != nil {
		return err
	}
	defer db.Close()
	store, err := events.Open(ctx, db, clock.NewReal(), log)
	if err := step("event log", err); err != nil {
		return err
	}
	shops := shop.New(store)
	staff := access.Actor{ID: "selfcheck", Role: access.Admin}
	err = shops.Init(ctx)
	if err == nil {
		_, err = shops.SetOpen(ctx, staff, true)
	}
	if err := step("shop: demo menu, open", err); err != nil {
		return err
	}
	code, err := qr.New(store).Current(ctx, access.SystemActor)
	if err := step("QR code issued", err); err != nil {
		return err
	}
	orders := order.New(store, log)
	customer := access.Actor{ID: "selfcheck-customer", Role: access.Customer}
	o, err := orders.Open(ctx, customer, "Selfcheck", code.Code)
	if err == nil {
		_, err = orders.Submit(ctx, customer, o.ID, order.Selection{DrinkID: "flat-white"})
	}
	if err == nil {
		_, err = orders.Make(ctx, staff, o.ID)
	}
	if err == nil {
		o, err = orders.Complete(ctx, staff, o.ID)
	}
	if err == nil && (!o.Ready || o.Number != 1) {
		err = fmt.Errorf("the order ended as %+v", o)
	}
	if err := step("an order: scan, choose, make, complete", err); err != nil {
		return err
	}
	evs, err := store.ForOrder(ctx, o.ID)
	if err == nil && len(evs) != 7 {
		err = fmt.Errorf("%d events for the order, want 7", len(evs))
	}
	if err := step("the order's events", err); err != nil {
		return err
	}
	backup := dir + "/backup.db"
	if err := step("online backup", db.Backup(ctx, backup)); err != nil {
		return err
	}
	fmt.Fprintf(out, "ok   web apps embedded: %v\n", ui.Built())
	fmt.Fprintf(out, "selfcheck passed in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
