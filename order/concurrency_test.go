package order

import (
	"errors"
	"sync"
	"testing"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
)

func TestManyPhonesScanningOneCodeGetExactlyItsDrinks(t *testing.T) {
	b := newBar(t)
	code := b.code()
	const phones = 60
	var wg sync.WaitGroup
	errs := make([]error, phones)
	for i := range phones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.orders.Open(b.ctx, customer(i), "Sam", code)
		}()
	}
	wg.Wait()
	accepted, usedUp := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, apperr.CodeUsedUp):
			usedUp++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if accepted != 10 || usedUp != phones-10 {
		t.Fatalf("accepted %d, used up %d; want 10 and %d", accepted, usedUp, phones-10)
	}
	if b.drinksLeft() != 0 {
		t.Fatalf("drinks left %d", b.drinksLeft())
	}
	if n := len(details[*events.NewOrder](t, b, 0)); n != 10 {
		t.Fatalf("%d NewOrder events", n)
	}
}

func TestConcurrentScansNeverOverfillTheQueue(t *testing.T) {
	b := newBar(t)
	b.settings(func(s *shop.Settings) { s.DrinksPerCode = 100 })
	code := b.code()
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, full := 0, 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.orders.Open(b.ctx, customer(i), "Sam", code)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				accepted++
			case errors.Is(err, apperr.QueueFull):
				full++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if accepted != 20 || full != 20 || b.drinksLeft() != 80 {
		t.Fatalf("accepted %d, refused %d, drinks left %d", accepted, full, b.drinksLeft())
	}
}

func TestManyBaristasCompletingOneOrderCompleteItOnce(t *testing.T) {
	b := newBar(t)
	o := b.making(customer(1), admin)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, finished := 0, 0
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := admin
			if i%2 == 1 {
				a = access.Actor{ID: "admin-2", Role: access.Admin}
			}
			_, err := b.orders.Complete(b.ctx, a, o.ID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, apperr.OrderFinished):
				finished++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || finished != 29 {
		t.Fatalf("%d completes succeeded, %d refused", ok, finished)
	}
	if n := len(details[*events.OrderCompleted](t, b, 0)); n != 1 {
		t.Fatalf("%d OrderCompleted events", n)
	}
	if n := len(details[*events.OrderFinished](t, b, 0)); n != 1 {
		t.Fatalf("%d orderFinished events", n)
	}
}
