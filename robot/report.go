package robot

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxErrorSamples is how many error messages the report keeps verbatim.
const maxErrorSamples = 5

// Latency summarises one kind of duration over a run.
type Latency struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"-"`
	P90   time.Duration `json:"-"`
	P99   time.Duration `json:"-"`
	Max   time.Duration `json:"-"`
}

// MarshalJSON writes the percentiles in milliseconds.
func (l Latency) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(struct {
		Count int     `json:"count"`
		P50   float64 `json:"p50Ms"`
		P90   float64 `json:"p90Ms"`
		P99   float64 `json:"p99Ms"`
		Max   float64 `json:"maxMs"`
	}{l.Count, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max)})
}

// summarise computes the percentiles of samples (nearest rank).
func summarise(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return Latency{Count: len(s), P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: s[len(s)-1]}
}

// Report is what a run did: how every order ended, what the bar refused,
// the races the baristas met, the errors, and the latencies.
type Report struct {
	// Orders is how many orders the run was asked to place.
	Orders int `json:"orders"`
	// Started is how many robot customers began (fewer after Ctrl-C).
	Started int `json:"started"`
	// Completed orders were made, completed, and seen READY by their customer.
	Completed int `json:"completed"`
	// Cancelled orders were cancelled by their robot customer.
	Cancelled int `json:"cancelled"`
	// CancelTooLate counts cancels that lost the race to a barista; those
	// orders went on to be completed.
	CancelTooLate int `json:"cancelTooLate"`
	// CancelledByStaff orders were cancelled by someone at the bar, not the robot.
	CancelledByStaff int `json:"cancelledByStaff"`
	// TimedOut orders were given up by the kiosk (customer or barista timeout).
	TimedOut int `json:"timedOut"`
	// GaveUp orders never started: their scan was refused for good
	// (daily_limit, open_order_exists) or the run was interrupted.
	GaveUp int `json:"gaveUp"`
	// Failed orders ended with an unexpected error.
	Failed int `json:"failed"`
	// Refused counts refused scans by the kiosk's reason; a refused scan is
	// retried after a pause.
	Refused map[string]int `json:"refused"`
	// RolloverWaits counts the customers' waits for the next QR period (a
	// used-up code, or one in its last seconds); LongestRolloverWait is the
	// longest of them.
	RolloverWaits       int           `json:"rolloverWaits"`
	LongestRolloverWait time.Duration `json:"-"`
	// Races counts the barista races that are normal at a busy bar, by
	// their error code (claimed_by_other, order_finished, order_not_queued).
	Races map[string]int `json:"races"`
	// Collected counts ready drinks the barista robots handed over.
	Collected int `json:"collected"`
	// Errors counts unexpected errors; FirstErrors are the first few.
	Errors      int      `json:"errors"`
	FirstErrors []string `json:"firstErrors"`
	// ScanToReady is from the accepted scan to the customer seeing READY.
	ScanToReady Latency `json:"scanToReady"`
	// EventToScreen is from a barista's complete to the customer receiving
	// the event over MQTT.
	EventToScreen Latency `json:"eventToScreen"`
	// Duration is the run's wall time; OrdersPerSecond is the finished
	// orders (completed and cancelled) over it.
	Duration        time.Duration `json:"-"`
	OrdersPerSecond float64       `json:"ordersPerSecond"`
	// Interrupted says the run was stopped before every order ended.
	Interrupted bool `json:"interrupted"`
	// Notes are what the robot did to the kiosk or waited for, in order.
	Notes []string `json:"notes"`
}

// OK reports whether every order ended as expected (completed or cancelled
// by its robot customer) and nothing unexpected happened.
func (r *Report) OK() bool {
	return !r.Interrupted && r.Errors == 0 && r.Completed+r.Cancelled == r.Orders
}

// MarshalJSON writes durations in milliseconds.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		*plain
		LongestRolloverWait int64 `json:"longestRolloverWaitMs"`
		Duration            int64 `json:"durationMs"`
		OK                  bool  `json:"ok"`
	}{(*plain)(r), r.LongestRolloverWait.Milliseconds(), r.Duration.Milliseconds(), r.OK()})
}

// WriteText prints the report for a person.
func (r *Report) WriteText(w io.Writer) {
	verdict := "OK"
	if !r.OK() {
		verdict = "NOT OK"
	}
	fmt.Fprintf(w, "Robot run: %s (%d orders in %s, %.2f orders/s)\n", verdict, r.Orders,
		r.Duration.Round(time.Millisecond), r.OrdersPerSecond)
	if r.Interrupted {
		fmt.Fprintf(w, "  interrupted after %d of %d orders started; the robot cancelled the orders it still had open\n", r.Started, r.Orders)
	}
	fmt.Fprintf(w, "  completed       %d\n", r.Completed)
	fmt.Fprintf(w, "  cancelled       %d (by the robot; %d more cancels came too late and were completed)\n",
		r.Cancelled, r.CancelTooLate)
	fmt.Fprintf(w, "  timed out       %d\n", r.TimedOut)
	if r.CancelledByStaff > 0 {
		fmt.Fprintf(w, "  staff cancelled %d\n", r.CancelledByStaff)
	}
	if r.GaveUp > 0 {
		fmt.Fprintf(w, "  gave up         %d\n", r.GaveUp)
	}
	fmt.Fprintf(w, "  refused scans   %s\n", counts(r.Refused))
	fmt.Fprintf(w, "  QR rollovers    %d waits, the longest %s\n", r.RolloverWaits, r.LongestRolloverWait.Round(time.Millisecond))
	fmt.Fprintf(w, "  barista races   %s\n", counts(r.Races))
	fmt.Fprintf(w, "  collected       %d\n", r.Collected)
	fmt.Fprintf(w, "  errors          %d\n", r.Errors)
	for _, e := range r.FirstErrors {
		fmt.Fprintf(w, "    - %s\n", e)
	}
	fmt.Fprintf(w, "  latency         %-8s %9s %9s %9s %9s\n", "", "p50", "p90", "p99", "max")
	for _, l := range []struct {
		name string
		l    Latency
	}{{"scan→ready", r.ScanToReady}, {"event→screen", r.EventToScreen}} {
		if l.l.Count == 0 {
			fmt.Fprintf(w, "    %-20s no samples\n", l.name)
			continue
		}
		fmt.Fprintf(w, "    %-20s %9s %9s %9s %9s  (%d)\n", l.name, ms(l.l.P50), ms(l.l.P90), ms(l.l.P99), ms(l.l.Max), l.l.Count)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// tally collects a run's figures from every robot at once.
type tally struct {
	mu            sync.Mutex
	r             Report
	scanToReady   []time.Duration
	eventToScreen []time.Duration
}

func newTally(orders int) *tally {
	return &tally{r: Report{Orders: orders, Refused: map[string]int{}, Races: map[string]int{}, FirstErrors: []string{}, Notes: []string{}}}
}

func (t *tally) add(f func(r *Report)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.r)
}

// error records an unexpected error.
func (t *tally) error(err error) {
	t.add(func(r *Report) {
		r.Errors++
		if len(r.FirstErrors) < maxErrorSamples {
			r.FirstErrors = append(r.FirstErrors, err.Error())
		}
	})
}

func (t *tally) note(s string) { t.add(func(r *Report) { r.Notes = append(r.Notes, s) }) }

func (t *tally) latency(scanToReady, eventToScreen time.Duration, haveEvent bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scanToReady = append(t.scanToReady, scanToReady)
	if haveEvent {
		t.eventToScreen = append(t.eventToScreen, eventToScreen)
	}
}

// report finishes the figures of a run that took d.
func (t *tally) report(d time.Duration) *Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.r
	r.Refused, r.Races = maps.Clone(r.Refused), maps.Clone(r.Races)
	r.FirstErrors, r.Notes = slices.Clone(r.FirstErrors), slices.Clone(r.Notes)
	r.ScanToReady, r.EventToScreen = summarise(t.scanToReady), summarise(t.eventToScreen)
	r.Duration = d
	if d > 0 {
		r.OrdersPerSecond = float64(r.Completed+r.Cancelled) / d.Seconds()
	}
	return &r
}
