package bench

import (
	"math"
	"testing"
	"time"
)

func TestPercentileByNearestRank(t *testing.T) {
	sorted := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		p    float64
		want float64
	}{
		{0, 1}, {10, 1}, {11, 2}, {50, 5}, {51, 6}, {90, 9}, {99, 10}, {100, 10},
	} {
		if got := Percentile(sorted, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile([]float64{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %v", got)
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("an empty sample has a percentile")
	}
}

func TestPercentileOfAThousandFindsTheTenSlowest(t *testing.T) {
	s := make([]float64, 1000)
	for i := range s {
		s[i] = float64(i + 1)
	}
	if got := Percentile(s, 99); got != 990 {
		t.Fatalf("p99 = %v, want 990", got)
	}
}

func TestSummarizeLeavesItsInputAloneAndConvertsToMilliseconds(t *testing.T) {
	ds := []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond, 1500 * time.Microsecond}
	s := Summarize(ds)
	if s.N != 4 || s.Min != 1 || s.Max != 3 || s.P50 != 1.5 || s.Mean != 1.875 {
		t.Fatalf("summary %+v", s)
	}
	if ds[0] != 3*time.Millisecond {
		t.Fatal("the input was sorted in place")
	}
	if (Summarize(nil) != Summary{}) {
		t.Fatal("an empty sample has a summary")
	}
}

func step(offered, achieved, p99 float64, errors int) Step {
	return Step{Offered: offered, Achieved: achieved, Errors: errors, Latency: Summary{N: 100, P99: p99}}
}

func repeated(s Step) Step { s.Repeated = true; return s }

func TestKneeIsTheFirstStepThatStopsKeepingUp(t *testing.T) {
	r := DefaultKnee
	for _, tc := range []struct {
		name           string
		steps          []Step
		lastGood, knee int
	}{
		{"none", nil, -1, -1},
		{"all keep up", []Step{step(10, 10, 20, 0), step(20, 20, 25, 0), step(40, 39, 60, 0)}, 2, -1},
		{"latency knees", []Step{step(10, 10, 20, 0), step(20, 20, 25, 0), step(40, 40, 81, 0)}, 1, 2},
		{"throughput falls behind", []Step{step(10, 10, 20, 0), step(20, 17, 22, 0)}, 0, 1},
		{"errors", []Step{step(10, 10, 20, 0), step(20, 20, 22, 2)}, 0, 1},
		{"the first step already fails", []Step{step(10, 5, 20, 0)}, -1, 0},
		// A 2 ms baseline may rise to 52 ms (the floor) before it counts.
		{"small baseline uses the floor", []Step{step(10, 10, 2, 0), step(20, 20, 40, 0), step(40, 40, 53, 0)}, 1, 2},
		// A slow first step (a cold start) does not raise the bar: the
		// baseline is the best of the first three, 39 ms, so 170 knees.
		{"a slow first step", []Step{step(10, 10, 270, 0), step(14, 14, 44, 0), step(20, 20, 39, 0),
			step(28, 28, 60, 0), step(40, 40, 170, 0)}, 3, 4},
		// A step that failed once and kept up when offered again is passed
		// over; one that fails again is the knee.
		{"a disturbed step", []Step{step(10, 10, 20, 0), step(20, 20, 22, 0), repeated(step(40, 40, 96, 0)),
			step(40, 40, 25, 0), step(80, 80, 30, 0)}, 4, -1},
		{"a knee that holds twice", []Step{step(10, 10, 20, 0), step(20, 20, 22, 0), repeated(step(40, 40, 96, 0)),
			step(40, 40, 90, 0)}, 1, 3},
		// A repeated step is not a baseline: the best of the first three
		// others is 20 ms, so 60 passes (5 ms would have made it knee)
		// and 81 knees.
		{"a repeated step is not a baseline", []Step{repeated(step(10, 10, 5, 0)), step(10, 10, 20, 0), step(20, 20, 22, 0),
			step(40, 40, 60, 0), step(80, 80, 81, 0)}, 3, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lastGood, knee := r.Knee(tc.steps)
			if lastGood != tc.lastGood || knee != tc.knee {
				t.Fatalf("Knee = (%d, %d), want (%d, %d)", lastGood, knee, tc.lastGood, tc.knee)
			}
		})
	}
}
