package main

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeClock records what it was set to.
type fakeClock struct {
	now  time.Time
	set  []time.Time
	fail error
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Set(t time.Time) error {
	if c.fail != nil {
		return c.fail
	}
	c.set = append(c.set, t)
	c.now = t
	return nil
}

var boxTime = time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)

func TestDecide(t *testing.T) {
	p := DefaultPolicy
	tests := []struct {
		name    string
		want    time.Time
		force   bool
		set     bool
		refused bool
	}{
		{"a night's power-off forward", boxTime.Add(15 * time.Hour), false, true, false},
		{"a year forward", boxTime.AddDate(1, 0, 0), false, true, false},
		{"a little forward", boxTime.Add(3 * time.Second), false, true, false},
		{"within tolerance ahead", boxTime.Add(400 * time.Millisecond), false, false, false},
		{"within tolerance behind", boxTime.Add(-400 * time.Millisecond), false, false, false},
		{"a little back", boxTime.Add(-2 * time.Minute), false, true, false},
		{"exactly the most back", boxTime.Add(-5 * time.Minute), false, true, false},
		{"an hour back", boxTime.Add(-time.Hour), false, false, true},
		{"an hour back, forced", boxTime.Add(-time.Hour), true, true, false},
		{"1970", time.UnixMilli(0), false, false, true},
		{"1970, forced", time.UnixMilli(0), true, false, true},
		{"before the product", time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), false, false, true},
		{"the earliest", p.Earliest, true, true, false},
		{"far future", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), false, false, true},
		{"the latest is out", p.Latest, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := p.Decide(boxTime, tc.want, tc.force)
			if d.Set != tc.set || errors.Is(err, ErrRefused) != tc.refused || (err != nil) != tc.refused {
				t.Errorf("Decide = %+v, %v; want set=%v refused=%v", d, err, tc.set, tc.refused)
			}
			if d.By != tc.want.Sub(boxTime) {
				t.Errorf("By = %v, want %v", d.By, tc.want.Sub(boxTime))
			}
		})
	}
}

func TestServe(t *testing.T) {
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	tests := []struct {
		name    string
		request string
		failSet error
		reply   string
		set     bool
	}{
		{"forward", ms(boxTime.Add(time.Hour)) + "\n", nil, "ok set +1h0m0s\n", true},
		{"forward, no newline", ms(boxTime.Add(90*time.Second+250*time.Millisecond)) + "", nil, "ok set +1m30.25s\n", true},
		{"with CRLF and spaces", " " + ms(boxTime.Add(time.Hour)) + " \r\n", nil, "ok set +1h0m0s\n", true},
		{"same time", ms(boxTime) + "\n", nil, "ok unchanged +0s\n", false},
		{"a little back", ms(boxTime.Add(-time.Minute)) + "\n", nil, "ok set -1m0s\n", true},
		{"far back", ms(boxTime.Add(-24*time.Hour)) + "\n", nil, "refused: this would turn the clock back by 24h0m0s", false},
		{"1970", "0\n", nil, "refused: 1970-01-01T00:00:00Z is not between", false},
		{"seconds, not milliseconds", strconv.FormatInt(boxTime.Add(time.Hour).Unix(), 10) + "\n", nil, "refused: 1970-", false},
		{"negative", "-5\n", nil, "error the request is not a number", false},
		{"text", "set the time please\n", nil, "error the request is not a number", false},
		{"a date", "2026-11-21T09:00:00Z\n", nil, "error the request is not a number", false},
		{"two lines", ms(boxTime.Add(time.Hour)) + "\n" + ms(boxTime.Add(-time.Hour)) + "\n", nil, "ok set +1h0m0s\n", true},
		{"too long", strings.Repeat("1", 200) + "\n", nil, "error", false},
		{"empty", "", nil, "error no request", false},
		{"overflow", "99999999999999999999999\n", nil, "error the request is not a number", false},
		{"the kernel says no", ms(boxTime.Add(time.Hour)) + "\n", errors.New("operation not permitted"), "error operation not permitted\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: boxTime, fail: tc.failSet}
			var out, log bytes.Buffer
			err := serve(strings.NewReader(tc.request), &out, clock, DefaultPolicy, slog.New(slog.NewTextHandler(&log, nil)))
			if !strings.HasPrefix(out.String(), tc.reply) || strings.Count(out.String(), "\n") != 1 {
				t.Errorf("reply %q, want one line starting %q", out.String(), tc.reply)
			}
			if (len(clock.set) == 1) != tc.set || len(clock.set) > 1 {
				t.Errorf("clock set %v, want set=%v", clock.set, tc.set)
			}
			if ok := strings.HasPrefix(tc.reply, "ok"); ok != (err == nil) {
				t.Errorf("serve returned %v", err)
			}
			if log.Len() == 0 && strings.HasPrefix(tc.reply, "ok") {
				t.Error("nothing was logged")
			}
		})
	}
}

// A request that never ends is cut at MaxRequest bytes, not read for ever.
func TestServeReadsABoundedRequest(t *testing.T) {
	clock := &fakeClock{now: boxTime}
	var out bytes.Buffer
	r := io.MultiReader(strings.NewReader("1"), zeros{})
	serve(r, &out, clock, DefaultPolicy, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if !strings.HasPrefix(out.String(), "error") || len(clock.set) != 0 {
		t.Errorf("reply %q, clock %v", out.String(), clock.set)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}
