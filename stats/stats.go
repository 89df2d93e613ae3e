// Package stats computes the booth's figures from the event log: drinks per
// hour, waits from order to ready (overall and per drink, and the live
// average of each drink's last ten), top drinks and options, cancellations
// and timeouts by cause, and refusals by reason, for any booth day.
//
// Durations come from the events' running time, so they stay right when
// the wall clock jumps. Hours are labelled with wall time worked back from
// the day's latest event, since a clock corrected mid-day is right after.
package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
)

// Summary is a set of waits.
type Summary struct {
	Count      int     `json:"count"`
	AvgSeconds float64 `json:"avgSeconds"`
	P90Seconds float64 `json:"p90Seconds"`
}

// DrinkWait is one drink's waits.
type DrinkWait struct {
	Drink string `json:"drink"`
	Summary
	// Last10AvgSeconds is the average over the drink's ten latest orders.
	Last10AvgSeconds float64 `json:"last10AvgSeconds"`
}

// Count is a name and how often it came up.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Hour is one hour of the day and the drinks ready in it.
type Hour struct {
	Start  time.Time `json:"start"`
	Drinks int       `json:"drinks"`
}

// Day is the figures of one booth day.
type Day struct {
	BoothDay      int64          `json:"boothDay"`
	Ordered       int            `json:"ordered"`   // drinks that joined the queue
	Completed     int            `json:"completed"` // drinks made
	Hours         []Hour         `json:"hours"`
	Wait          Summary        `json:"wait"`
	WaitByDrink   []DrinkWait    `json:"waitByDrink"`
	TopDrinks     []Count        `json:"topDrinks"`
	TopOptions    []Count        `json:"topOptions"`
	Cancellations map[string]int `json:"cancellations"` // by customer, by staff
	Timeouts      map[string]int `json:"timeouts"`      // customer, barista
	Refusals      map[string]int `json:"refusals"`      // by reason code
	// RecentGapSeconds is the average time between the last ten drinks
	// made: the bar's current pace.
	RecentGapSeconds float64 `json:"recentGapSeconds"`
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ErrNoSuchDay says a booth day was never started.
var ErrNoSuchDay = apperr.NotFound.With("There is no such booth day.")

// dayRange is the log positions a booth day spans: from its start (the
// beginning of the log for day 1) to the start of the next day, 0 when it
// is still going.
func dayRange(ctx context.Context, db queryer, day int64) (from, to int64, err error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, detail FROM events WHERE detail_type = ? ORDER BY seq`,
		events.TypeBoothDayStarted)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	found := day == 1
	for rows.Next() {
		var seq int64
		var raw string
		if err := rows.Scan(&seq, &raw); err != nil {
			return 0, 0, err
		}
		var d events.BoothDayStarted
		if json.Unmarshal([]byte(raw), &d) != nil {
			continue
		}
		switch {
		case !found && d.BoothDay == day:
			from, found = seq, true
		case found && seq > from:
			return from, seq, rows.Err()
		}
	}
	if !found {
		return 0, 0, ErrNoSuchDay
	}
	return from, 0, rows.Err()
}

// countedTypes are the detail types Compute counts, as an SQL list.
var countedTypes = "('" + strings.Join([]string{events.TypeManagerWaiting, events.TypeOrderCompleted,
	events.TypeOrderCancelled, events.TypeOrderTimeOut, events.TypeShopUnavailable, events.TypeScanRefused}, "', '") + "')"

// Compute reads the log of one booth day and works out its figures.
func Compute(ctx context.Context, db queryer, day int64) (Day, error) {
	from, to, err := dayRange(ctx, db, day)
	if err != nil {
		return Day{}, err
	}
	span := ` FROM events WHERE seq >= ?`
	args := []any{from}
	if to > 0 {
		span += ` AND seq < ?`
		args = append(args, to)
	}
	// The hours are labelled from the day's latest event, whatever its type.
	var lastWall, lastRun int64
	last, err := db.QueryContext(ctx, `SELECT time_at, time_run`+span+` ORDER BY seq DESC LIMIT 1`, args...)
	if err != nil {
		return Day{}, err
	}
	for last.Next() {
		if err := last.Scan(&lastWall, &lastRun); err != nil {
			last.Close()
			return Day{}, err
		}
	}
	last.Close()
	if err := last.Err(); err != nil {
		return Day{}, err
	}
	// Only the events the figures count are read and decoded: a day's log
	// is mostly workflow steps that count for nothing here.
	rows, err := db.QueryContext(ctx, `SELECT seq, detail_type, version, time_at, time_run, detail`+span+
		` AND detail_type IN `+countedTypes+` ORDER BY seq`, args...)
	if err != nil {
		return Day{}, err
	}
	defer rows.Close()

	out := Day{BoothDay: day, Cancellations: map[string]int{}, Timeouts: map[string]int{}, Refusals: map[string]int{}}
	type placed struct {
		drink string
		run   int64
	}
	orders := map[string]placed{}
	waits := map[string][]float64{} // by drink, in completion order
	var all []float64
	var readyRuns []int64
	drinks, options := map[string]int{}, map[string]int{}
	for rows.Next() {
		var seq, at, run int64
		var typ, raw string
		var version int
		if err := rows.Scan(&seq, &typ, &version, &at, &run, &raw); err != nil {
			return Day{}, err
		}
		d, err := events.Decode(typ, version, []byte(raw))
		if err != nil {
			continue // a type from a newer kiosk: not counted
		}
		switch e := d.(type) {
		case *events.ManagerWaiting:
			out.Ordered++
			orders[e.OrderID] = placed{drink: e.DrinkOrder.Drink, run: run}
			drinks[e.DrinkOrder.Drink]++
			for _, o := range e.DrinkOrder.Options {
				if !strings.EqualFold(o.Choice, "None") {
					options[o.Group+": "+o.Choice]++
				}
			}
		case *events.OrderCompleted:
			out.Completed++
			readyRuns = append(readyRuns, run)
			if p, ok := orders[e.OrderID]; ok {
				w := float64(run-p.run) / 1000
				all = append(all, w)
				waits[p.drink] = append(waits[p.drink], w)
			}
		case *events.OrderCancelled:
			out.Cancellations[e.CancelledBy]++
		case *events.OrderTimeOut:
			out.Timeouts[e.Cause]++
		case *events.ShopUnavailable:
			out.Refusals[e.Reason]++
		case *events.ScanRefused:
			out.Refusals[e.Reason]++
		}
	}
	if err := rows.Err(); err != nil {
		return Day{}, err
	}
	out.Wait = summarize(all)
	for drink, ws := range waits {
		dw := DrinkWait{Drink: drink, Summary: summarize(ws)}
		dw.Last10AvgSeconds = summarize(ws[max(0, len(ws)-10):]).AvgSeconds
		out.WaitByDrink = append(out.WaitByDrink, dw)
	}
	sort.Slice(out.WaitByDrink, func(i, j int) bool { return out.WaitByDrink[i].Drink < out.WaitByDrink[j].Drink })
	out.TopDrinks, out.TopOptions = ranked(drinks), ranked(options)
	out.Hours = hours(readyRuns, lastWall, lastRun)
	if recent := readyRuns[max(0, len(readyRuns)-11):]; len(recent) >= 2 {
		out.RecentGapSeconds = round(float64(recent[len(recent)-1]-recent[0]) / 1000 / float64(len(recent)-1))
	}
	return out, nil
}

// hours buckets ready drinks into hours of running time, labelled with the
// wall time that the day's last event maps them to.
func hours(runs []int64, lastWall, lastRun int64) []Hour {
	if len(runs) == 0 {
		return []Hour{}
	}
	wallOf := func(run int64) time.Time { return time.UnixMilli(lastWall - (lastRun - run)).UTC() }
	first := wallOf(runs[0]).Truncate(time.Hour)
	var out []Hour
	for _, r := range runs {
		i := int(wallOf(r).Sub(first) / time.Hour)
		for len(out) <= i {
			out = append(out, Hour{Start: first.Add(time.Duration(len(out)) * time.Hour)})
		}
		out[i].Drinks++
	}
	return out
}

func summarize(ws []float64) Summary {
	if len(ws) == 0 {
		return Summary{}
	}
	sum := 0.0
	for _, w := range ws {
		sum += w
	}
	sorted := slices.Clone(ws)
	slices.Sort(sorted)
	p90 := sorted[int(math.Ceil(0.9*float64(len(sorted))))-1]
	return Summary{Count: len(ws), AvgSeconds: round(sum / float64(len(ws))), P90Seconds: round(p90)}
}

func round(f float64) float64 { return math.Round(f*10) / 10 }

func ranked(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Name: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// EstimatedWait guesses how long an order at queue position pos (1 = next)
// waits until ready, from the day's pace: the recent gap between drinks
// times the position, but never less than the recent average wait. It
// reports false while there is too little to go on.
func EstimatedWait(d Day, pos int) (time.Duration, bool) {
	if pos < 1 || d.Completed < 3 || d.RecentGapSeconds <= 0 {
		return 0, false
	}
	est := math.Max(d.RecentGapSeconds*float64(pos), d.Wait.AvgSeconds)
	return time.Duration(est * float64(time.Second)), true
}
