package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// WritesPerLifecycle is how many durable commits one order's life takes
// through the API at the least: the scan, the submit, make, complete and
// collect are one SQLite transaction each (the events they raise are
// written in the same transaction). The fsync-bound ceiling in lifecycles
// per second is the raw commit rate divided by this.
const WritesPerLifecycle = 5

// maxInFlightLifecycles bounds the lifecycles under way at once, below the
// kiosk's raised maxInFlight (1000), so that an overloaded kiosk is seen as
// rising latency and not as refused scans. An arrival that finds the bound
// reached waits, and its latency counts from when it was due.
const maxInFlightLifecycles = 900

// ThroughputResult is item 1: complete order lifecycles per second at a
// rising offered load, and the fsync-bound ceiling beside it.
type ThroughputResult struct {
	StepSeconds float64 `json:"stepSeconds"`
	Steps       []Step  `json:"steps"`
	// LastGood and Knee index Steps (see KneeRule.Knee).
	LastGood int `json:"lastGoodStep"`
	Knee     int `json:"kneeStep"`
	// Refined are the steps tried between LastGood and Knee to narrow the
	// knee down (see refine), in the order they ran.
	Refined []RefinedStep `json:"refinedSteps,omitempty"`
	// Sustained is the highest achieved rate of a step that kept up (a
	// rising one below the knee, or a refining one); Peak the highest
	// achieved rate of any step.
	Sustained float64 `json:"sustainedPerSecond"`
	Peak      float64 `json:"peakPerSecond"`
	// CeilingBefore and CeilingAfter are raw SQLite commit rates measured
	// on the kiosk's disk before and after the load steps.
	CeilingBefore      Ceiling `json:"ceilingBefore"`
	CeilingAfter       Ceiling `json:"ceilingAfter"`
	CommitsPerSecond   float64 `json:"ceilingCommitsPerSecond"`
	WritesPerLifecycle int     `json:"writesPerLifecycle"`
	// CeilingLifecycles is CommitsPerSecond / WritesPerLifecycle, and Ratio
	// is Sustained over it.
	CeilingLifecycles float64        `json:"ceilingLifecyclesPerSecond"`
	Ratio             float64        `json:"ratio"`
	Errors            map[string]int `json:"errors,omitempty"`
	ClockMoves        int            `json:"qrClockMoves"`
	// DayGrowth is the kiosk's cost per lifecycle at a light load as the
	// booth day's log grows (the steps above each start a new booth day).
	DayGrowth []GrowthPoint `json:"dayGrowth,omitempty"`
	Profile   []string      `json:"profile,omitempty"`
}

// lifecycle plays one order from the page load to the drink collected:
// a new phone loads the page, scans, submits; the barista makes, completes
// and collects. It returns when complete was answered (the end of the
// measured lifecycle); collect follows before it returns.
type lifecycleEnv struct {
	k     *Kiosk
	staff *Browser
	qr    *QRSource
	drink string
}

// run plays the lifecycle for customer b (a new phone when nil). It calls
// beforeComplete just before the complete request and returns the moment
// complete was answered.
func (e *lifecycleEnv) run(ctx context.Context, b *Browser, beforeComplete func(orderID string)) (done time.Time, step string, err error) {
	if b == nil {
		b = NewBrowser(e.k.Base)
		if err := b.Do(ctx, http.MethodGet, "/api/shop", nil, nil); err != nil {
			return done, "page", err
		}
	}
	o, err := Scan(ctx, b, e.qr, "Bench")
	if err != nil {
		return done, "scan", err
	}
	if err := Submit(ctx, b, o.ID, e.drink); err != nil {
		return done, "submit", err
	}
	if err := Act(ctx, e.staff, o.ID, "make"); err != nil {
		return done, "make", err
	}
	if beforeComplete != nil {
		beforeComplete(o.ID)
	}
	if err := Act(ctx, e.staff, o.ID, "complete"); err != nil {
		return done, "complete", err
	}
	done = time.Now()
	if err := Act(ctx, e.staff, o.ID, "collect"); err != nil {
		return done, "collect", err
	}
	return done, "", nil
}

// errorKey names a failure for the report: the step and the API's code.
func errorKey(step string, err error) string {
	if c := Code(err); c != "" {
		return step + ": " + c
	}
	return step + ": " + err.Error()
}

type tally struct {
	mu     sync.Mutex
	lat    []time.Duration
	errors map[string]int
	nerr   int
}

func (t *tally) ok(d time.Duration) {
	t.mu.Lock()
	t.lat = append(t.lat, d)
	t.mu.Unlock()
}

func (t *tally) fail(key string) {
	t.mu.Lock()
	if t.errors == nil {
		t.errors = map[string]int{}
	}
	t.errors[key]++
	t.nerr++
	t.mu.Unlock()
}

// offer runs lifecycles at rate per second for d, open loop: each arrival
// is due at its slot whether or not earlier ones have finished, and its
// latency counts from the slot. It waits for every lifecycle to end and
// returns the step's figures.
func offer(ctx context.Context, e *lifecycleEnv, rate float64, d time.Duration, errs map[string]int) Step {
	var t tally
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxInFlightLifecycles)
	interval := time.Duration(float64(time.Second) / rate)
	n := int(math.Round(rate * d.Seconds()))
	cpu0, _ := ReadCPU(e.k.Pid())
	mem0, memErr := e.k.GoMemStats(ctx)
	busy0 := BusyRetries.Load()
	self0 := SelfCPU()
	start := time.Now()
	var last atomic.Int64
arrivals:
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
				break arrivals
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break arrivals
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			done, step, err := e.run(ctx, nil, nil)
			if !done.IsZero() {
				t.ok(done.Sub(due))
				last.Store(int64(done.Sub(start)))
			}
			if err != nil && ctx.Err() == nil {
				t.fail(errorKey(step, err))
			}
		}()
	}
	wg.Wait()
	cpu1, _ := ReadCPU(e.k.Pid())
	self1 := SelfCPU()
	mem1, err := e.k.GoMemStats(ctx)
	if memErr == nil {
		memErr = err
	}
	el := time.Duration(last.Load())
	if el < d {
		el = d
	}
	for k, v := range t.errors {
		errs[k] += v
	}
	s := Step{Offered: round3(rate), Achieved: round3(float64(len(t.lat)) / el.Seconds()), Errors: t.nerr,
		Latency: Summarize(t.lat), BusyRetries: int(BusyRetries.Load() - busy0)}
	if len(t.lat) > 0 {
		s.CPUms = round3(ms(cpu1-cpu0) / float64(len(t.lat)))
		s.HarnessCPUms = round3(ms(self1-self0) / float64(len(t.lat)))
		if memErr == nil {
			s.AllocKB = round3(float64(mem1.TotalAlloc-mem0.TotalAlloc) / 1024 / float64(len(t.lat)))
			s.GCs = int(mem1.NumGC - mem0.NumGC)
		}
	}
	return s
}

// settle waits until the kiosk is idle (under a tenth of a core over a
// fifth of a second), at most 15 s: a step past the knee leaves work queued
// in the event dispatchers, which the next step must not be charged for. It
// reports false when the kiosk was still busy at the end.
func settle(ctx context.Context, pid int) bool {
	const window, idle = 200 * time.Millisecond, 20 * time.Millisecond
	deadline := time.Now().Add(15 * time.Second)
	prev, err := ReadCPU(pid)
	for err == nil && ctx.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(window)
		var now time.Duration
		if now, err = ReadCPU(pid); err == nil && now-prev < idle {
			return true
		}
		prev = now
	}
	return false
}

// settleBefore settles the kiosk before a step and says so when it did not
// go idle.
func settleBefore(ctx context.Context, pid int, progress func(string, ...any)) bool {
	if settle(ctx, pid) {
		return true
	}
	progress("  the kiosk was still busy 15 s after the last step; the next one starts anyway")
	return false
}

// RefinedStep is a step tried to narrow the knee, and whether it kept up.
type RefinedStep struct {
	Step
	KeepsUp bool `json:"keepsUp"`
}

// refine narrows the knee: between the last step that kept up and the
// first that did not, it offers the geometric mean of the two, keeps
// whichever half holds the knee, and repeats plan.Refine times. Rising
// steps of ×1.4 or ×2 would otherwise report as sustained the step below
// the knee, up to half of what the kiosk keeps up with. Each try is judged
// by the same rule against the same baseline, on a new booth day.
func refine(ctx context.Context, e *lifecycleEnv, plan ThroughputPlan, res *ThroughputResult, progress func(string, ...any)) error {
	if res.LastGood < 0 || res.Knee < 0 {
		return nil
	}
	lo, hi := res.Steps[res.LastGood].Offered, res.Steps[res.Knee].Offered
	for range plan.Refine {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		idle := settleBefore(ctx, e.k.Pid(), progress)
		if err := newBoothDay(ctx, e.staff); err != nil {
			return fmt.Errorf("start a new booth day: %w", err)
		}
		mid := math.Sqrt(lo * hi)
		s := RefinedStep{Step: offer(ctx, e, mid, plan.Step, res.Errors)}
		s.StartedBusy = !idle
		s.KeepsUp = DefaultKnee.Healthy(DefaultKnee.Baseline(res.Steps), s.Step)
		res.Refined = append(res.Refined, s)
		res.Peak = max(res.Peak, s.Achieved)
		progress("  refine: offered %6.1f/s  achieved %6.1f/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  kiosk CPU %.1f ms/lifecycle  %d busy retried  %s",
			s.Offered, s.Achieved, s.Latency.P50, s.Latency.P99, s.Errors, s.CPUms, s.BusyRetries, map[bool]string{true: "keeps up", false: "past the knee"}[s.KeepsUp])
		if s.KeepsUp {
			lo = mid
			res.Sustained = max(res.Sustained, s.Achieved)
		} else {
			hi = mid
		}
	}
	return nil
}

// GrowthPoint is the cost of an order's life with this many orders
// already in the booth day.
type GrowthPoint struct {
	OrdersInDay int     `json:"ordersInDay"`
	CPUms       float64 `json:"kioskCpuMsPerLifecycle"`
	P50         float64 `json:"p50Ms"`
}

// newBoothDay starts a new booth day, so a step's figures do not depend on
// how many orders earlier steps left in the day's log.
func newBoothDay(ctx context.Context, staff *Browser) error {
	return staff.Do(ctx, http.MethodPost, "/api/booth-days", nil, nil)
}

// ThroughputPlan is the shape of the rising load.
type ThroughputPlan struct {
	Start    float64       // the first step's offered rate
	Factor   float64       // each step offers this much more
	MaxSteps int           // the most steps
	Step     time.Duration // each step's length
	Ceiling  time.Duration // each ceiling measurement's length
	Budget   time.Duration // stop raising the load after this long
	// GrowthOrders, when above 0, is how many orders the day-growth probe
	// adds to one booth day between its light-load probes, at GrowthRate.
	GrowthOrders int
	GrowthRate   float64
	// Refine is how many steps narrow the knee down after it is found.
	Refine int
	// Rates, when set, replaces the rising load: one step at each of these
	// offered rates, in order, with no knee search and no day growth (to
	// study the kiosk at a chosen load, e.g. with a profiler).
	Rates []float64
}

// Throughput measures item 1 on a kiosk started with --test-clock: the
// ceiling, the rising load until the knee (one step past it), the ceiling
// again.
func Throughput(ctx context.Context, k *Kiosk, scratch string, plan ThroughputPlan, progress func(string, ...any), profile func() func() []string) (ThroughputResult, error) {
	res := ThroughputResult{StepSeconds: plan.Step.Seconds(), WritesPerLifecycle: WritesPerLifecycle, Errors: map[string]int{}}
	staff, err := k.Staff(ctx)
	if err != nil {
		return res, fmt.Errorf("sign in: %w", err)
	}
	if err := RaiseLimits(ctx, staff); err != nil {
		return res, fmt.Errorf("raise the limits: %w", err)
	}
	drink, err := FirstDrink(ctx, staff)
	if err != nil {
		return res, err
	}
	e := &lifecycleEnv{k: k, staff: staff, qr: NewQRSource(staff), drink: drink}

	progress("fsync ceiling on %s (%s)", scratch, plan.Ceiling)
	if res.CeilingBefore, err = MeasureCeiling(ctx, scratch, plan.Ceiling); err != nil {
		return res, fmt.Errorf("the fsync ceiling: %w", err)
	}
	progress("  %.0f commits/s", res.CeilingBefore.CommitsPerSecond)

	// Warm up: connections, caches, the first pages of the tables.
	for range 20 {
		if _, step, err := e.run(ctx, nil, nil); err != nil {
			return res, fmt.Errorf("warm-up lifecycle, %s: %w", step, err)
		}
	}

	deadline := time.Now().Add(plan.Budget)
	rate := plan.Start
	fixed := len(plan.Rates) > 0 // chosen loads: no knee search, no day growth
	if fixed {
		plan.MaxSteps, plan.Refine, plan.GrowthOrders = len(plan.Rates), 0, 0
	}
	for i := 0; i < plan.MaxSteps && ctx.Err() == nil; i++ {
		if fixed {
			rate = plan.Rates[i]
		}
		idle := true
		if i > 0 {
			idle = settleBefore(ctx, e.k.Pid(), progress)
		}
		if err := newBoothDay(ctx, staff); err != nil {
			return res, fmt.Errorf("start a new booth day: %w", err)
		}
		var stop func() []string
		if profile != nil {
			stop = profile()
		}
		s := offer(ctx, e, rate, plan.Step, res.Errors)
		s.StartedBusy = !idle
		if stop != nil {
			// Each step's profile replaces the last: the one kept is the
			// knee's (or the heaviest step's when nothing kneed).
			res.Profile = stop()
		}
		res.Steps = append(res.Steps, s)
		progress("  offered %6.1f/s  achieved %6.1f/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  kiosk CPU %.1f ms/lifecycle  harness %.1f ms  kiosk alloc %.0f KB/lifecycle  %d GCs  %d busy retried",
			s.Offered, s.Achieved, s.Latency.P50, s.Latency.P99, s.Errors, s.CPUms, s.HarnessCPUms, s.AllocKB, s.GCs, s.BusyRetries)
		if fixed {
			continue
		}
		_, knee := DefaultKnee.Knee(res.Steps)
		last := len(res.Steps) - 1
		if knee == last && (last == 0 || !res.Steps[last-1].Repeated) && !time.Now().After(deadline) {
			// A knee must hold twice: a passing disturbance of the machine
			// (a neighbour's burst, a slow fsync) spoils one step's p99,
			// and a load the kiosk cannot carry fails again.
			res.Steps[last].Repeated = true
			progress("  did not keep up: the same load again")
			continue
		}
		if knee >= 0 || time.Now().After(deadline) {
			break
		}
		rate *= plan.Factor
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.LastGood, res.Knee = DefaultKnee.Knee(res.Steps)
	for _, s := range res.Steps {
		res.Peak = max(res.Peak, s.Achieved)
	}
	if res.LastGood >= 0 {
		res.Sustained = res.Steps[res.LastGood].Achieved
	}
	if err := refine(ctx, e, plan, &res, progress); err != nil {
		return res, err
	}
	if plan.GrowthOrders > 0 {
		settleBefore(ctx, k.Pid(), progress)
		if res.DayGrowth, err = dayGrowth(ctx, e, plan, progress); err != nil {
			return res, fmt.Errorf("day growth: %w", err)
		}
	}
	res.ClockMoves = e.qr.Advances

	progress("fsync ceiling again")
	if res.CeilingAfter, err = MeasureCeiling(ctx, scratch, plan.Ceiling); err != nil {
		return res, fmt.Errorf("the fsync ceiling: %w", err)
	}
	progress("  %.0f commits/s", res.CeilingAfter.CommitsPerSecond)
	res.CommitsPerSecond = round3((res.CeilingBefore.CommitsPerSecond + res.CeilingAfter.CommitsPerSecond) / 2)
	res.CeilingLifecycles = round3(res.CommitsPerSecond / WritesPerLifecycle)
	if res.CeilingLifecycles > 0 {
		res.Ratio = round3(res.Sustained / res.CeilingLifecycles)
	}
	if len(res.Errors) == 0 {
		res.Errors = nil
	}
	return res, nil
}

// sortedKeys returns m's keys in order, for stable reports.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dayGrowth probes the cost of a lifecycle at 5 per second on a new booth
// day, then again after each GrowthOrders more orders in the same day,
// three times.
func dayGrowth(ctx context.Context, e *lifecycleEnv, plan ThroughputPlan, progress func(string, ...any)) ([]GrowthPoint, error) {
	if err := newBoothDay(ctx, e.staff); err != nil {
		return nil, err
	}
	var out []GrowthPoint
	inDay := 0
	for round := 0; ; round++ {
		probe := offer(ctx, e, 5, 4*time.Second, map[string]int{})
		out = append(out, GrowthPoint{OrdersInDay: inDay, CPUms: probe.CPUms, P50: probe.Latency.P50})
		progress("  day growth: %5d orders in the day: kiosk CPU %.1f ms/lifecycle, p50 %.1f ms", inDay, probe.CPUms, probe.Latency.P50)
		inDay += probe.Latency.N
		if round == 3 || ctx.Err() != nil {
			return out, ctx.Err()
		}
		fill := offer(ctx, e, plan.GrowthRate, time.Duration(float64(plan.GrowthOrders)/plan.GrowthRate*float64(time.Second)), map[string]int{})
		inDay += fill.Latency.N
	}
}
