package qr

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

var display = access.Actor{ID: "display-1", Role: access.Display}

func setup(t *testing.T) (*testkit.Env, *Validator) {
	t.Helper()
	env := testkit.New(t)
	if err := shop.New(env.Store).Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env, New(env.Store)
}

func take(t *testing.T, env *testkit.Env, code string) (Code, error) {
	t.Helper()
	var c Code
	err := env.Store.Write(context.Background(), func(tx *events.Tx) error {
		var err error
		c, err = Take(context.Background(), tx, code, shop.Defaults)
		return err
	})
	return c, err
}

func TestCurrentIsStableWithinAPeriodAndAligned(t *testing.T) {
	env, v := setup(t)
	ctx := context.Background()
	env.Clock.Advance(2*time.Minute + 10*time.Second) // 09:02:10
	a, err := v.Current(ctx, display)
	if err != nil {
		t.Fatal(err)
	}
	if !a.StartsAt.Equal(testkit.Start) || !a.EndsAt.Equal(testkit.Start.Add(5*time.Minute)) {
		t.Fatalf("period %v – %v, want 09:00 – 09:05", a.StartsAt, a.EndsAt)
	}
	if a.Drinks != 10 || a.DrinksLeft != 10 || len(a.Code) != 16 {
		t.Fatalf("code %+v", a)
	}
	env.Clock.Advance(2 * time.Minute)
	b, _ := v.Current(ctx, display)
	if b.Code != a.Code {
		t.Fatal("the code changed within its period")
	}
	env.Clock.Advance(time.Minute) // 09:05:10
	c, _ := v.Current(ctx, display)
	if c.Code == a.Code || !c.StartsAt.Equal(a.EndsAt) {
		t.Fatalf("new period: %+v", c)
	}
}

func TestOnlyDisplayAndStaffSeeTheCode(t *testing.T) {
	_, v := setup(t)
	for _, a := range []access.Actor{{ID: "c", Role: access.Customer}, {Role: access.Display}} {
		if _, err := v.Current(context.Background(), a); !errors.Is(err, apperr.Forbidden) {
			t.Errorf("%+v: err = %v", a, err)
		}
	}
}

func TestTakeCountsDownAndRefusesWithReasons(t *testing.T) {
	env, v := setup(t)
	ctx := context.Background()
	c, _ := v.Current(ctx, display)
	for i := 9; i >= 0; i-- {
		got, err := take(t, env, c.Code)
		if err != nil || got.DrinksLeft != i {
			t.Fatalf("take: %+v, %v; want %d left", got, err, i)
		}
	}
	if _, err := take(t, env, c.Code); !errors.Is(err, apperr.CodeUsedUp) {
		t.Fatalf("11th take: %v", err)
	}
	if _, err := take(t, env, "aaaaaaaaaaaaaaaa"); !errors.Is(err, apperr.CodeInvalid) {
		t.Fatalf("forged: %v", err)
	}
	if _, err := take(t, env, ""); !errors.Is(err, apperr.CodeInvalid) {
		t.Fatalf("empty: %v", err)
	}
	env.Clock.Advance(5 * time.Minute)
	next, _ := v.Current(ctx, display)
	if _, err := take(t, env, c.Code); !errors.Is(err, apperr.CodeExpired) {
		t.Fatalf("old code: %v", err)
	}
	if got, err := take(t, env, next.Code); err != nil || got.DrinksLeft != 9 {
		t.Fatalf("new code: %+v %v", got, err)
	}
	// An expired code is refused even before anyone asked for the new one.
	env.Clock.Advance(5 * time.Minute)
	if _, err := take(t, env, next.Code); !errors.Is(err, apperr.CodeExpired) {
		t.Fatalf("code of the last period: %v", err)
	}
}

func TestAFailedTransactionGivesTheDrinkBack(t *testing.T) {
	env, v := setup(t)
	ctx := context.Background()
	c, _ := v.Current(ctx, display)
	refused := errors.New("queue full")
	err := env.Store.Write(ctx, func(tx *events.Tx) error {
		if _, err := Take(ctx, tx, c.Code, shop.Defaults); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	now, _ := v.Current(ctx, display)
	if now.DrinksLeft != 10 {
		t.Fatalf("%d drinks left after a rolled-back take", now.DrinksLeft)
	}
}

func TestPeriodStartIsFloor(t *testing.T) {
	for _, c := range []struct{ unix, want int64 }{{0, 0}, {299, 0}, {300, 300}, {-1, -300}, {-300, -300}} {
		if got := periodStart(time.Unix(c.unix, 0), 300); got != c.want {
			t.Errorf("periodStart(%d) = %d, want %d", c.unix, got, c.want)
		}
	}
}

func TestChangingDrinksPerCodeAppliesToTheCurrentCode(t *testing.T) {
	env, v := setup(t)
	ctx := context.Background()
	c, _ := v.Current(ctx, display)
	for range 4 {
		take(t, env, c.Code)
	}
	admin := access.Actor{ID: "admin", Role: access.Admin}
	s := shop.Defaults
	s.DrinksPerCode = 25
	if _, err := shop.New(env.Store).SetSettings(ctx, admin, s); err != nil {
		t.Fatal(err)
	}
	now, _ := v.Current(ctx, display)
	if now.Code != c.Code || now.Drinks != 25 || now.DrinksLeft != 21 {
		t.Fatalf("after raising to 25: %+v (was 6 of 10 left)", now)
	}
	s.DrinksPerCode = 3
	shop.New(env.Store).SetSettings(ctx, admin, s)
	now, _ = v.Current(ctx, display)
	if now.Drinks != 3 || now.DrinksLeft != 0 {
		t.Fatalf("after lowering to 3: %+v (4 were taken)", now)
	}
	var err error
	err = env.Store.Write(ctx, func(tx *events.Tx) error {
		_, err := Take(ctx, tx, c.Code, s)
		return err
	})
	if !errors.Is(err, apperr.CodeUsedUp) {
		t.Fatalf("take after lowering: %v", err)
	}
}
