package order

import (
	"testing"
	"time"

	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit/cputime"
)

// BenchmarkLifecycle is one drink through the workflow on a real database,
// without HTTP or subscribers: scan, submit, make, complete, collect, each
// answered with the order read back, as the API does. The fake clock moves
// 50 ms a drink, a bar at 20 drinks a second.
func BenchmarkLifecycle(b *testing.B) {
	bar := newBar(b)
	bar.settings(func(s *shop.Settings) {
		s.DrinksPerCode, s.MaxInFlight, s.DrinksPerCustomerPerDay, s.QRPeriodSeconds = 1000, 1000, 0, 30
		s.CustomerTimeoutSeconds, s.BaristaTimeoutSeconds, s.ReadySeconds = 7200, 14400, 7200
	})
	lifecycle := func(i int) {
		who := customer(i)
		o, err := bar.orders.Open(bar.ctx, who, "Sam", bar.code())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bar.orders.Submit(bar.ctx, who, o.ID, flatWhite); err != nil {
			b.Fatal(err)
		}
		if _, err := bar.orders.Make(bar.ctx, barista, o.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := bar.orders.Complete(bar.ctx, barista, o.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := bar.orders.Collect(bar.ctx, barista, o.ID); err != nil {
			b.Fatal(err)
		}
		bar.env.Clock.Advance(50 * time.Millisecond)
	}
	for i := range 20 {
		lifecycle(i) // a warm bar
	}
	cpu0 := cputime.Used()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		lifecycle(100 + i)
	}
	b.StopTimer()
	b.ReportMetric(float64(cputime.Used()-cpu0)/float64(b.N), "cpu-ns/op")
}
