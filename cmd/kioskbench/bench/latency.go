package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"
)

// LatencyResult is item 2: from a barista's complete to the customer's
// screen, with many customers connected.
type LatencyResult struct {
	Subscribers int     `json:"subscribers"`
	Rate        float64 `json:"offeredPerSecond"`
	Seconds     float64 `json:"seconds"`
	Completed   int     `json:"completed"`
	// Latency runs from just before the complete request was sent to the
	// customer's client holding the whole OrderCompleted message.
	Latency Summary `json:"completeToScreen"`
	// AfterAnswer runs from the complete's HTTP answer to the same moment;
	// negative when the message beat the answer.
	AfterAnswer Summary        `json:"answerToScreen"`
	Lost        int            `json:"lost"`
	Errors      map[string]int `json:"errors,omitempty"`
	Memory      Memory         `json:"memory"`
}

type completion struct {
	sent, answered, seen time.Time
}

// EventToScreen connects one realtime client per customer (its own events
// topic, over WebSocket) and has those customers order at rate per second
// for d, a barista robot making, completing and collecting every order.
func EventToScreen(ctx context.Context, k *Kiosk, e *lifecycleEnv, customers []*Customer, rate float64, d time.Duration, progress func(string, ...any)) (LatencyResult, error) {
	res := LatencyResult{Subscribers: len(customers), Rate: rate, Seconds: d.Seconds(), Errors: map[string]int{}}
	var mu sync.Mutex
	byOrder := map[string]*completion{}
	onMessage := func(m Message) {
		var ev struct {
			Type    string `json:"type"`
			OrderID string `json:"orderId"`
		}
		if json.Unmarshal(m.Payload, &ev) != nil || ev.Type != "OrderManager.OrderCompleted" {
			return
		}
		mu.Lock()
		if c, ok := byOrder[ev.OrderID]; ok && c.seen.IsZero() {
			c.seen = m.At
		}
		mu.Unlock()
	}
	progress("connect %d customers' realtime clients", len(customers))
	clients, err := ConnectAll(ctx, len(customers), 16, func(i int) DialOptions {
		c := customers[i].Creds
		return DialOptions{URL: k.WS(), ClientID: ClientID("screen"), Username: c.Username, Password: c.Password,
			KeepAlive: 60 * time.Second, OnMessage: onMessage}
	}, func(i int) []string { return []string{customers[i].Creds.CustomerTopic + "/events"} }, false)
	if err != nil {
		return res, err
	}
	defer CloseAll(clients)
	time.Sleep(time.Second)

	progress("%.0f orders/s for %s", rate, d)
	var wg sync.WaitGroup
	var t tally
	interval := time.Duration(float64(time.Second) / rate)
	n := int(math.Round(rate * d.Seconds()))
	start := time.Now()
	next := 0
	for i := range n {
		if w := time.Until(start.Add(time.Duration(i) * interval)); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		// The next customer with no order under way.
		var cu *Customer
		for range customers {
			c := customers[next%len(customers)]
			next++
			if c.busy.CompareAndSwap(false, true) {
				cu = c
				break
			}
		}
		if cu == nil {
			t.fail("no idle customer")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cu.busy.Store(false)
			var comp *completion
			done, step, err := e.run(ctx, cu.B, func(id string) {
				comp = &completion{sent: time.Now()}
				mu.Lock()
				byOrder[id] = comp
				mu.Unlock()
			})
			if !done.IsZero() {
				mu.Lock()
				comp.answered = done
				mu.Unlock()
			}
			if err != nil && ctx.Err() == nil {
				t.fail(errorKey(step, err))
			}
		}()
	}
	wg.Wait()
	// Give the last messages time to arrive.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		missing := 0
		for _, c := range byOrder {
			if !c.answered.IsZero() && c.seen.IsZero() {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m, err := k.Memory(); err == nil {
		res.Memory = m
	}
	mu.Lock()
	defer mu.Unlock()
	var lat, after []float64
	for _, c := range byOrder {
		if c.answered.IsZero() {
			continue
		}
		res.Completed++
		if c.seen.IsZero() {
			res.Lost++
			continue
		}
		lat = append(lat, ms(c.seen.Sub(c.sent)))
		after = append(after, ms(c.seen.Sub(c.answered)))
	}
	res.Latency, res.AfterAnswer = SummarizeMs(lat), SummarizeMs(after)
	for k, v := range t.errors {
		res.Errors[k] += v
	}
	if len(res.Errors) == 0 {
		res.Errors = nil
	}
	if res.Completed == 0 {
		return res, fmt.Errorf("no order was completed: %v", res.Errors)
	}
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
