package order

import (
	"syscall"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/shop"
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
	cpu0 := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		lifecycle(100 + i)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used, user and system: on a
// machine shared with other work it varies far less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
