package order

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

var (
	admin    = access.Actor{ID: "admin-1", Role: access.Admin}
	barista  = access.Actor{ID: "barista-1", Role: access.Barista}
	barista2 = access.Actor{ID: "barista-2", Role: access.Barista}
	display  = access.Actor{ID: "display-1", Role: access.Display}
)

func customer(n int) access.Actor {
	return access.Actor{ID: fmt.Sprintf("cust-%d", n), Role: access.Customer}
}

// bar is a booth under test: a real database, the config service, the QR
// validator and the workflow, with a fake clock.
type bar struct {
	t      testing.TB
	env    *testkit.Env
	shop   *shop.Service
	qr     *qr.Validator
	orders *Service
	ctx    context.Context
}

func newBar(t testing.TB) *bar {
	t.Helper()
	b := &bar{t: t, env: testkit.New(t), ctx: context.Background()}
	b.wire()
	if err := b.shop.Init(b.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.shop.SetOpen(b.ctx, barista, true); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bar) wire() {
	b.shop = shop.New(b.env.Store)
	b.qr = qr.New(b.env.Store)
	b.orders = New(b.env.Store, testkit.Quiet)
}

// restart reopens everything on the same file.
func (b *bar) restart() {
	b.env.Reopen(b.t)
	b.wire()
}

func (b *bar) code() string {
	b.t.Helper()
	c, err := b.qr.Current(b.ctx, display)
	if err != nil {
		b.t.Fatal(err)
	}
	return c.Code
}

func (b *bar) settings(edit func(*shop.Settings)) {
	b.t.Helper()
	cfg, err := b.shop.Config(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	s := cfg.Settings
	edit(&s)
	if _, err := b.shop.SetSettings(b.ctx, admin, s); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bar) open(who access.Actor) Order {
	b.t.Helper()
	o, err := b.orders.Open(b.ctx, who, "Sam", b.code())
	if err != nil {
		b.t.Fatalf("open for %s: %v", who.ID, err)
	}
	return o
}

var flatWhite = Selection{DrinkID: "flat-white", Options: []events.Choice{{Group: "Milk", Choice: "Oat"}}}

func (b *bar) queued(who access.Actor) Order {
	b.t.Helper()
	o := b.open(who)
	o, err := b.orders.Submit(b.ctx, who, o.ID, flatWhite)
	if err != nil {
		b.t.Fatalf("submit: %v", err)
	}
	return o
}

func (b *bar) making(who, by access.Actor) Order {
	b.t.Helper()
	o := b.queued(who)
	o, err := b.orders.Make(b.ctx, by, o.ID)
	if err != nil {
		b.t.Fatalf("make: %v", err)
	}
	return o
}

func (b *bar) ready(who, by access.Actor) Order {
	b.t.Helper()
	o := b.making(who, by)
	o, err := b.orders.Complete(b.ctx, by, o.ID)
	if err != nil {
		b.t.Fatalf("complete: %v", err)
	}
	return o
}

func (b *bar) state(id string) Order {
	b.t.Helper()
	o, err := b.orders.get(b.ctx, id)
	if err != nil {
		b.t.Fatal(err)
	}
	return o
}

func (b *bar) drinksLeft() int {
	b.t.Helper()
	c, err := b.qr.Current(b.ctx, display)
	if err != nil {
		b.t.Fatal(err)
	}
	return c.DrinksLeft
}

func (b *bar) fire() int {
	b.t.Helper()
	n, err := b.orders.FireDue(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// scenario is one table row: arrange the bar, act once, and check the error,
// the order's state and exactly the events the act wrote.
type scenario struct {
	name       string
	arrange    func(b *bar) string // returns the order id the act is about, if any
	act        func(b *bar, id string) (Order, error)
	wantErr    error
	wantState  State // of the order the act returned, or of the arranged order on error
	wantEvents []string
	check      func(t *testing.T, b *bar, id string, o Order)
}

func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			b := newBar(t)
			id := ""
			if sc.arrange != nil {
				id = sc.arrange(b)
			}
			before := b.env.Head(t)
			var beforeOrder Order
			if id != "" {
				beforeOrder = b.state(id)
			}
			o, err := sc.act(b, id)
			if sc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if sc.wantErr != nil {
				if !errors.Is(err, sc.wantErr) {
					t.Fatalf("err = %v, want %v", err, sc.wantErr)
				}
				if _, ok := apperr.As(err); !ok {
					t.Fatalf("error %v is not a public error", err)
				}
				if id != "" {
					after := b.state(id)
					if after.State != beforeOrder.State || after.Number != beforeOrder.Number ||
						after.BaristaID != beforeOrder.BaristaID || after.EndReason != beforeOrder.EndReason {
						t.Fatalf("a refused act changed the order: %+v → %+v", beforeOrder, after)
					}
				}
			}
			if err == nil && o.ID != "" {
				// The action answers with the row its transaction wrote:
				// exactly what reading the order afterwards gives.
				if again := b.state(o.ID); !reflect.DeepEqual(o, again) {
					t.Errorf("the action answered\n%+v\nbut the order reads\n%+v", o, again)
				}
			}
			if sc.wantState != "" {
				got := o.State
				if err != nil && id != "" {
					got = b.state(id).State
				}
				if got != sc.wantState {
					t.Errorf("state = %s, want %s", got, sc.wantState)
				}
			}
			if got := b.env.Types(t, before); !slices.Equal(got, sc.wantEvents) {
				t.Errorf("events = %v, want %v", got, sc.wantEvents)
			}
			if sc.check != nil {
				sc.check(t, b, id, o)
			}
		})
	}
}

// detail decodes the events written after position from that have type typ.
func details[T events.Detail](t *testing.T, b *bar, from int64) []T {
	t.Helper()
	var out []T
	for _, e := range b.env.Since(t, from) {
		d, err := e.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if x, ok := d.(T); ok {
			out = append(out, x)
		}
	}
	return out
}
