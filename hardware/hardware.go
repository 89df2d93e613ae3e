// Package hardware connects the booth's physical parts to the order flow.
// They follow events, like every screen does; the order core does not know
// they exist.
package hardware

import (
	"context"
	"log/slog"

	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/shop"
)

// ReadyLight is what the light wiring needs of a light: the number of drinks
// ready and whether the shop is open. *gpio.Light is one.
type ReadyLight interface {
	SetReady(n int)
	SetShopOpen(open bool)
}

// FollowReady subscribes the light to the event log under the durable name
// "ready-light". It sets the light from the database at once, and again on
// every event that can change it, recounting rather than counting events, so
// an event delivered twice after a crash changes nothing.
func FollowReady(ctx context.Context, store *events.Store, orders *order.Service, shops *shop.Service,
	light ReadyLight, log *slog.Logger) error {
	sync := func(ctx context.Context) error {
		cfg, err := shops.Config(ctx)
		if err != nil {
			return err
		}
		n, err := orders.ReadyCount(ctx)
		if err != nil {
			return err
		}
		light.SetShopOpen(cfg.Open)
		light.SetReady(n)
		return nil
	}
	if err := sync(ctx); err != nil {
		return err
	}
	return store.Subscribe(ctx, "ready-light", false, func(ctx context.Context, e events.Event) error {
		switch e.DetailType {
		case events.TypeOrderCompleted, events.TypeOrderCollected, events.TypeConfigChanged:
			if err := sync(ctx); err != nil {
				log.Warn("could not update the ready light", "err", err)
				return err
			}
		}
		return nil
	})
}
