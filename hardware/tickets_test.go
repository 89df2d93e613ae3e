package hardware

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/hardware/escpos"
	"github.com/coffeebar/kiosk/hardware/printer"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

type ticketBar struct {
	shop    *shop.Service
	env     *testkit.Env
	orders  *order.Service
	tickets *Tickets
	dir     string
	code    string
	cancel  context.CancelFunc
}

func newTicketBar(t *testing.T, when string) *ticketBar {
	t.Helper()
	env := testkit.New(t)
	ctx := context.Background()
	shops, validator := shop.New(env.Store), qr.New(env.Store)
	shops.Init(ctx)
	shops.SetOpen(ctx, barista, true)
	code, _ := validator.Current(ctx, access.SystemActor)
	b := &ticketBar{env: env, orders: order.New(env.Store, testkit.Quiet), dir: t.TempDir(), code: code.Code}
	p, err := printer.NewFile(b.dir, escpos.Paper58mm)
	if err != nil {
		t.Fatal(err)
	}
	queue := printer.NewQueue(p, printer.QueueOptions{Clock: env.Clock, Logger: testkit.Quiet})
	b.tickets = NewTickets(env.Store, b.orders, queue, TicketOptions{When: when, Layout: escpos.Layout{Paper: escpos.Paper58mm},
		Booth: "Coffee Bar", PublicURL: "http://10.42.0.1/", Location: time.UTC, Shop: shops}, testkit.Quiet)
	b.shop = shops
	if err := b.tickets.Subscribe(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	b.cancel = cancel
	go env.Store.Run(runCtx)
	go queue.Run(runCtx)
	t.Cleanup(cancel)
	return b
}

// printed waits until the file printer holds n tickets and returns them
// as a printer would print them, in text.
func (b *ticketBar) printed(t *testing.T, n int) []string {
	t.Helper()
	guard := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(b.dir, "job-*.bin"))
		if len(files) >= n {
			var out []string
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				p, err := escpos.Interpret(raw, escpos.Paper58mm)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				out = append(out, p.Text())
			}
			return out
		}
		if time.Now().After(guard) {
			t.Fatalf("%d tickets printed, want %d", len(files), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (b *ticketBar) queued(t *testing.T, who int, name string) order.Order {
	t.Helper()
	ctx := context.Background()
	cust := access.Actor{ID: "cust-" + name, Role: access.Customer}
	o, err := b.orders.Open(ctx, cust, name, b.code)
	if err != nil {
		t.Fatal(err)
	}
	o, err = b.orders.Submit(ctx, cust, o.ID, order.Selection{DrinkID: "americano"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestATicketPrintsOnceWhenABaristaStartsMaking(t *testing.T) {
	b := newTicketBar(t, PrintOnMake)
	ctx := context.Background()
	o := b.queued(t, 1, "<b>Zoë</b>")
	files, _ := filepath.Glob(filepath.Join(b.dir, "job-*"))
	if len(files) != 0 {
		t.Fatal("printed before anyone made the order")
	}
	b.orders.Make(ctx, barista, o.ID)
	got := b.printed(t, 1)
	for _, want := range []string{"CoffeeBar", "#1", "<b>Zoë</b>", "Americano"} {
		if !strings.Contains(squash(got[0]), want) {
			t.Errorf("ticket lacks %q:\n%s", want, got[0])
		}
	}
	if strings.Contains(got[0], "Milk: None") {
		t.Errorf("ticket shows a None option:\n%s", got[0])
	}
	// Unmake and make again: still one ticket. Reprint: a second one.
	b.orders.Unmake(ctx, barista, o.ID)
	b.orders.Make(ctx, barista, o.ID)
	o2 := b.queued(t, 2, "Kim")
	b.orders.Make(ctx, barista, o2.ID)
	b.printed(t, 2)
	if _, err := b.tickets.Reprint(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	all := b.printed(t, 3)
	if len(all) != 3 || !strings.Contains(squash(all[1]), "Kim") || !strings.Contains(squash(all[2]), "Zoë") {
		t.Fatalf("tickets: %d\n%s", len(all), strings.Join(all, "\n---\n"))
	}
	jobs := b.tickets.Jobs()
	text, png, err := b.tickets.Preview(jobs[0].ID)
	if err != nil || !strings.Contains(text, "Americano") || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("preview: %q, %d bytes, %v", text, len(png), err)
	}
}

func TestTicketsCanPrintWhenQueued(t *testing.T) {
	b := newTicketBar(t, PrintOnQueued)
	b.queued(t, 1, "Sam")
	if got := b.printed(t, 1); !strings.Contains(squash(got[0]), "Sam") {
		t.Fatalf("ticket:\n%s", got[0])
	}
}

// squash drops spaces: the preview spreads double-width letters apart.
func squash(s string) string { return strings.ReplaceAll(s, " ", "") }

func TestTicketsUseTheAdminsBoothName(t *testing.T) {
	b := newTicketBar(t, PrintOnQueued)
	name := "Espresso Corner"
	if _, err := b.shop.SetBooth(context.Background(), access.Actor{ID: "a", Role: access.Admin}, shop.BoothChange{Name: &name}); err != nil {
		t.Fatal(err)
	}
	b.queued(t, 1, "Sam")
	if got := b.printed(t, 1); !strings.Contains(squash(got[0]), "EspressoCorner") {
		t.Fatalf("ticket:\n%s", got[0])
	}
}
