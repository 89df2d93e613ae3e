package hardware

import (
	"context"
	"fmt"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/coffeebar/kiosk/access"
	kgpio "github.com/coffeebar/kiosk/hardware/gpio"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

var barista = access.Actor{ID: "barista-1", Role: access.Barista}

// recordingPin is a fake GPIO pin that tells the test each level written.
type recordingPin struct {
	*gpiotest.Pin
	levels chan gpio.Level
}

func (p *recordingPin) Out(l gpio.Level) error {
	p.levels <- l
	return p.Pin.Out(l)
}

func TestTheLightFollowsTheRealOrderFlow(t *testing.T) {
	env := testkit.New(t)
	ctx := context.Background()
	shops, validator, orders := shop.New(env.Store), qr.New(env.Store), order.New(env.Store, testkit.Quiet)
	shops.Init(ctx)
	shops.SetOpen(ctx, barista, true)

	pin := &recordingPin{Pin: &gpiotest.Pin{N: "GPIO17"}, levels: make(chan gpio.Level, 64)}
	light, err := kgpio.NewLight(pin, false, kgpio.Options{Clock: env.Clock, Logger: testkit.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	<-pin.levels // switched off at creation
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go light.Run(runCtx)
	if err := FollowReady(ctx, env.Store, orders, shops, light, testkit.Quiet); err != nil {
		t.Fatal(err)
	}
	go env.Store.Run(runCtx)

	level := func() gpio.Level {
		t.Helper()
		select {
		case l := <-pin.levels:
			return l
		case <-time.After(5 * time.Second):
			t.Fatal("the light did not change")
			return gpio.Low
		}
	}

	code, _ := validator.Current(ctx, access.SystemActor)
	cust := access.Actor{ID: "cust-1", Role: access.Customer}
	o, err := orders.Open(ctx, cust, "Sam", code.Code)
	if err != nil {
		t.Fatal(err)
	}
	orders.Submit(ctx, cust, o.ID, order.Selection{DrinkID: "latte"})
	orders.Make(ctx, barista, o.ID)
	if _, err := orders.Complete(ctx, barista, o.ID); err != nil {
		t.Fatal(err)
	}
	// Ready: on, then the blink (off/on three times), on the fake clock.
	if l := level(); l != gpio.High {
		t.Fatalf("light %v when a drink became ready", l)
	}
	var blink []gpio.Level
	for range 6 {
		env.Clock.BlockUntil(1)
		env.Clock.Advance(200 * time.Millisecond)
		blink = append(blink, level())
	}
	if fmt.Sprint(blink) != fmt.Sprint([]gpio.Level{gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low, gpio.High}) {
		t.Fatalf("blink %v", blink)
	}
	// Collected: off.
	orders.Collect(ctx, barista, o.ID)
	if l := level(); l != gpio.Low {
		t.Fatalf("light %v after collection", l)
	}
	// Ready again, then the shop closes: off, though a drink is ready.
	o2, _ := orders.Open(ctx, access.Actor{ID: "cust-2", Role: access.Customer}, "Kim", code.Code)
	orders.Submit(ctx, access.Actor{ID: "cust-2", Role: access.Customer}, o2.ID, order.Selection{DrinkID: "mocha"})
	orders.Make(ctx, barista, o2.ID)
	orders.Complete(ctx, barista, o2.ID)
	if l := level(); l != gpio.High {
		t.Fatalf("light %v for the second drink", l)
	}
	shops.SetOpen(ctx, barista, false)
	for {
		if l := level(); l == gpio.Low {
			break
		}
	}
}
