package bench

import (
	"math"
	"slices"
	"time"
)

// Summary describes a sample of durations: its size, its percentiles and
// its extremes, in milliseconds so that the JSON report reads without
// conversion.
type Summary struct {
	N    int     `json:"n"`
	Min  float64 `json:"minMs"`
	P50  float64 `json:"p50Ms"`
	P90  float64 `json:"p90Ms"`
	P99  float64 `json:"p99Ms"`
	Max  float64 `json:"maxMs"`
	Mean float64 `json:"meanMs"`
}

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of sorted values by
// the nearest-rank method: the smallest value with at least p percent of
// the sample at or below it. An empty sample has no percentile and gives
// NaN.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[max(rank, 1)-1]
}

// Summarize describes a sample of durations. It does not change ds.
func Summarize(ds []time.Duration) Summary {
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	return SummarizeMs(ms)
}

// SummarizeMs describes a sample of values already in milliseconds. It does
// not change ms.
func SummarizeMs(ms []float64) Summary {
	if len(ms) == 0 {
		return Summary{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	return Summary{N: len(s), Min: round3(s[0]), P50: round3(Percentile(s, 50)), P90: round3(Percentile(s, 90)),
		P99: round3(Percentile(s, 99)), Max: round3(s[len(s)-1]), Mean: round3(sum / float64(len(s)))}
}

// round3 keeps three decimals (microseconds, for milliseconds), so the
// report shows no false precision.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// Step is one level of offered load in a rising-load run and what the
// system did at it.
type Step struct {
	Offered  float64 `json:"offeredPerSecond"`
	Achieved float64 `json:"achievedPerSecond"`
	Errors   int     `json:"errors"`
	Latency  Summary `json:"latency"`
	// CPUms is the kiosk's CPU time (user and system) per completed
	// operation during the step.
	CPUms float64 `json:"kioskCpuMsPerOp,omitempty"`
	// HarnessCPUms is the harness's own CPU time per completed operation:
	// the phones and the barista share the machine with the kiosk.
	HarnessCPUms float64 `json:"harnessCpuMsPerOp,omitempty"`
	// AllocKB is what the kiosk allocated per completed operation, and GCs
	// how many times its collector ran during the step (from the runtime's
	// counters on its profiler).
	AllocKB float64 `json:"kioskAllocKBPerOp,omitempty"`
	GCs     int     `json:"kioskGCs,omitempty"`
	// BusyRetries counts the requests sent again after a busy answer.
	BusyRetries int `json:"busyRetries,omitempty"`
	// StartedBusy says the kiosk had not gone idle after the step before.
	StartedBusy bool `json:"startedBusy,omitempty"`
	// Repeated says the step did not keep up and the same load was
	// offered again at once: the knee is a load that fails twice in a
	// row, and the step with it is judged in its place.
	Repeated bool `json:"repeated,omitempty"`
}

// KneeRule says when a step is past the knee of the latency curve.
type KneeRule struct {
	// MinAchieved is the least fraction of the offered load that must be
	// done for a step to count as keeping up (e.g. 0.9).
	MinAchieved float64
	// P99Factor is how many times the baseline's p99 latency a
	// step's p99 may reach ...
	P99Factor float64
	// ... and P99Floor the absolute rise in milliseconds it may always
	// have, so a tiny baseline does not make noise look like a knee.
	P99Floor float64
	// MaxErrorRate is the largest fraction of failed lifecycles a step may
	// have.
	MaxErrorRate float64
}

// DefaultKnee is the rule the harness uses: a step keeps up when it does at
// least 90 % of what was offered, fails under 1 % of its lifecycles, and
// its p99 stays within four times the baseline p99 (or within 50 ms of it,
// whichever is more). The baseline is the lowest p99 of the three lightest
// steps: the first step alone is the one a cold start or a passing
// disturbance spoils, and a baseline of 270 ms once let the load rise until
// the kiosk collapsed.
var DefaultKnee = KneeRule{MinAchieved: 0.9, P99Factor: 4, P99Floor: 50, MaxErrorRate: 0.01}

// Baseline is the step the others are judged against: of the first three,
// the one with the lowest p99. Steps before it are warm-up, judged on what
// they did and their errors but not on their latency.
func (r KneeRule) Baseline(steps []Step) Step {
	if b := r.baseline(steps); b >= 0 {
		return steps[b]
	}
	return Step{}
}

// baseline is the index of the baseline step, -1 if there is none. A
// repeated step does not count (see Step.Repeated).
func (r KneeRule) baseline(steps []Step) int {
	b, seen := -1, 0
	for i, s := range steps {
		if s.Repeated {
			continue
		}
		if b < 0 || s.Latency.P99 < steps[b].Latency.P99 {
			b = i
		}
		if seen++; seen == 3 {
			break
		}
	}
	return b
}

// keepsPace reports whether s did what was offered with few errors.
func (r KneeRule) keepsPace(s Step) bool {
	if s.Offered > 0 && s.Achieved < r.MinAchieved*s.Offered {
		return false
	}
	total := float64(s.Latency.N + s.Errors)
	return total == 0 || float64(s.Errors)/total <= r.MaxErrorRate
}

// Healthy reports whether step s keeps up, judged against base (see
// Baseline).
func (r KneeRule) Healthy(base, s Step) bool {
	if !r.keepsPace(s) {
		return false
	}
	limit := max(base.Latency.P99*r.P99Factor, base.Latency.P99+r.P99Floor)
	return s.Latency.P99 <= limit
}

// Knee returns the index of the last step that kept up before the first
// that did not (-1 when even the first failed), and the index of that
// first failing step (-1 when every step kept up). Steps must be in rising
// order of offered load. Repeated steps are passed over.
func (r KneeRule) Knee(steps []Step) (lastGood, knee int) {
	b := r.baseline(steps)
	if b < 0 {
		return -1, -1
	}
	lastGood = -1
	for i, s := range steps {
		if s.Repeated {
			continue
		}
		warmUp := i < b && r.keepsPace(s) // its latency is not judged
		if !warmUp && !r.Healthy(steps[b], s) {
			return lastGood, i
		}
		lastGood = i
	}
	return lastGood, -1
}
