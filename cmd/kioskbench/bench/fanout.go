package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// FanoutTopic is the topic of the fan-out: the kiosk's public queue, which
// every phone at the booth and the display follow. The comparison broker
// carries the same bytes on a topic of the same name.
const FanoutTopic = "kiosk/public/queue"

// FanoutRun is one series of events delivered to every subscriber.
type FanoutRun struct {
	Subscribers int `json:"subscribers"`
	Events      int `json:"events"`
	// ToLast runs from the trigger (the kiosk's HTTP request, or the
	// comparison broker's PUBLISH) to the last subscriber holding the
	// message; ToFirst to the first; Spread from the first to the last:
	// the fan-out proper, without the trigger's own cost.
	ToLast  Summary `json:"triggerToLast"`
	ToFirst Summary `json:"triggerToFirst"`
	Spread  Summary `json:"firstToLast"`
	// Missed counts deliveries that did not arrive within the round's
	// time limit.
	Missed int    `json:"missed"`
	Memory Memory `json:"memory"`
}

// FanoutResult is items 3 and 5 for one broker.
type FanoutResult struct {
	Broker       string     `json:"broker"`
	PayloadBytes int        `json:"payloadBytes"`
	Plain        FanoutRun  `json:"plain"`
	Slow         *FanoutRun `json:"withSlowConsumers,omitempty"`
	SlowCount    int        `json:"slowConsumers"`
	// Connected is the broker's resident memory right after every
	// subscriber connected, before any event.
	Connected Memory  `json:"memoryConnected"`
	ConnectIn float64 `json:"connectSeconds"`
}

// stateOf finds the order with this number in a public-queue payload and
// returns its state, without decoding the whole JSON (a thousand decodes
// per event would cost the machine the brokers share).
func stateOf(payload []byte, number []byte) string {
	i := bytes.Index(payload, number)
	if i < 0 {
		return ""
	}
	rest := payload[i+len(number):]
	const key = `"state":"`
	j := bytes.Index(rest, []byte(key))
	if j < 0 {
		return ""
	}
	rest = rest[j+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return ""
	}
	return string(rest[:end])
}

// numberKey is the bytes that start the queue entry of order n.
func numberKey(n int) []byte { return []byte(`{"number":` + strconv.Itoa(n) + `,`) }

// round is one event on its way to every subscriber.
type round struct {
	want      string
	got       []atomic.Int64 // arrival, Unix nanoseconds, per subscriber
	remaining atomic.Int32
	done      chan struct{}
}

// fanout follows the toggled order's state in every subscriber's copy of
// the queue.
type fanout struct {
	key     []byte
	current atomic.Pointer[round]
	// captured keeps one payload of each state, for the comparison broker.
	mu       sync.Mutex
	captured map[string][]byte
}

func newFanout(number int) *fanout {
	return &fanout{key: numberKey(number), captured: map[string][]byte{}}
}

// handler returns subscriber i's OnMessage.
func (f *fanout) handler(i int) func(Message) {
	return func(m Message) {
		r := f.current.Load()
		if r == nil {
			return
		}
		st := stateOf(m.Payload, f.key)
		if st != r.want {
			return
		}
		if r.got[i].CompareAndSwap(0, m.At.UnixNano()) {
			if i == 0 {
				f.mu.Lock()
				if f.captured[st] == nil {
					f.captured[st] = bytes.Clone(m.Payload)
				}
				f.mu.Unlock()
			}
			if r.remaining.Add(-1) == 0 {
				close(r.done)
			}
		}
	}
}

// roundLimit is how long one event may take to reach everyone.
const roundLimit = 5 * time.Second

// measure runs events rounds: trigger(i) causes event i (whose target state
// is want(i)) and returns when it started; each round ends when every
// subscriber has the event, or after roundLimit.
func (f *fanout) measure(ctx context.Context, subscribers, events int, want func(int) string, trigger func(int) (time.Time, error)) (FanoutRun, error) {
	run := FanoutRun{Subscribers: subscribers, Events: events}
	var toLast, toFirst, spread []float64
	for i := range events {
		if err := ctx.Err(); err != nil {
			return run, err
		}
		r := &round{want: want(i), got: make([]atomic.Int64, subscribers), done: make(chan struct{})}
		r.remaining.Store(int32(subscribers))
		f.current.Store(r)
		t0, err := trigger(i)
		if err != nil {
			return run, fmt.Errorf("event %d: %w", i, err)
		}
		select {
		case <-r.done:
		case <-time.After(roundLimit):
		case <-ctx.Done():
			return run, ctx.Err()
		}
		f.current.Store(nil)
		var first, last int64
		for j := range r.got {
			v := r.got[j].Load()
			if v == 0 {
				run.Missed++
				continue
			}
			if first == 0 || v < first {
				first = v
			}
			last = max(last, v)
		}
		if first != 0 {
			base := t0.UnixNano()
			toFirst = append(toFirst, float64(first-base)/1e6)
			toLast = append(toLast, float64(last-base)/1e6)
			spread = append(spread, float64(last-first)/1e6)
		}
		time.Sleep(20 * time.Millisecond) // rounds never overlap
	}
	run.ToLast, run.ToFirst, run.Spread = SummarizeMs(toLast), SummarizeMs(toFirst), SummarizeMs(spread)
	if run.ToLast.N == 0 {
		return run, errors.New("no event reached any subscriber")
	}
	return run, nil
}

// FanoutPlan is the size of a fan-out measurement.
type FanoutPlan struct {
	Subscribers int
	Slow        int
	Events      int
	// SlowWarmup is how many events are sent after the slow consumers
	// subscribed and before measuring, so that their connections are
	// already stalled.
	SlowWarmup int
}

// fanoutTarget is what differs between the brokers.
type fanoutTarget struct {
	name    string
	memory  func() (Memory, error)
	dial    func(i int, slow bool) DialOptions
	trigger func(i int) (time.Time, error)
}

// runFanout connects the subscribers, measures, adds the slow consumers and
// measures again.
func runFanout(ctx context.Context, t fanoutTarget, f *fanout, plan FanoutPlan, progress func(string, ...any)) (FanoutResult, error) {
	res := FanoutResult{Broker: t.name, SlowCount: plan.Slow}
	progress("%s: connect %d WebSocket subscribers to %s", t.name, plan.Subscribers, FanoutTopic)
	start := time.Now()
	subs, err := ConnectAll(ctx, plan.Subscribers, 16, func(i int) DialOptions {
		o := t.dial(i, false)
		o.OnMessage = f.handler(i)
		return o
	}, func(int) []string { return []string{FanoutTopic} }, false)
	if err != nil {
		return res, err
	}
	defer CloseAll(subs)
	res.ConnectIn = round3(time.Since(start).Seconds())
	time.Sleep(2 * time.Second) // the retained message, and the broker settles
	if res.Connected, err = t.memory(); err != nil {
		return res, err
	}
	want := func(i int) string {
		if i%2 == 0 {
			return "making"
		}
		return "queued"
	}
	progress("%s: %d events", t.name, plan.Events)
	if res.Plain, err = f.measure(ctx, plan.Subscribers, plan.Events, want, t.trigger); err != nil {
		return res, err
	}
	res.Plain.Memory, _ = t.memory()
	progress("  to last p50 %.1f ms p99 %.1f ms; first to last p50 %.1f ms p99 %.1f ms; missed %d",
		res.Plain.ToLast.P50, res.Plain.ToLast.P99, res.Plain.Spread.P50, res.Plain.Spread.P99, res.Plain.Missed)
	if plan.Slow == 0 {
		return res, nil
	}

	progress("%s: add %d consumers that never read", t.name, plan.Slow)
	slow, err := ConnectAll(ctx, plan.Slow, 8, func(i int) DialOptions { return t.dial(plan.Subscribers+i, true) },
		func(int) []string { return []string{FanoutTopic} }, true)
	if err != nil {
		return res, err
	}
	defer func() {
		for _, c := range slow {
			c.Abort()
		}
	}()
	offset := plan.Events
	shifted := func(i int) (time.Time, error) { return t.trigger(offset + i) }
	shiftedWant := func(i int) string { return want(offset + i) }
	if _, err := f.measure(ctx, plan.Subscribers, plan.SlowWarmup, shiftedWant, shifted); err != nil {
		return res, err
	}
	offset += plan.SlowWarmup
	run, err := f.measure(ctx, plan.Subscribers, plan.Events, shiftedWant, shifted)
	if err != nil {
		return res, err
	}
	run.Memory, _ = t.memory()
	res.Slow = &run
	progress("  to last p50 %.1f ms p99 %.1f ms; first to last p50 %.1f ms p99 %.1f ms; missed %d",
		run.ToLast.P50, run.ToLast.P99, run.Spread.P50, run.Spread.P99, run.Missed)
	return res, nil
}
