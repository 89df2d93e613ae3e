package order

import (
	"strings"
	"testing"
)

// A booth serves thousands of orders and has a few dozen open: the queries
// that run on every order, event or screen refresh must read an index, not
// the whole orders table, or each of them slows down as the day goes on.
func TestHotQueriesUseAnIndex(t *testing.T) {
	b := newBar(t)
	b.ready(customer(1), barista) // some rows, so the plan is not of an empty table
	b.queued(customer(2))
	list := func(where string) string { return "SELECT " + orderColumns + " FROM orders WHERE " + where }
	for name, q := range map[string]string{
		"list by state": list(sqlListByState),
		"list ready":    list(sqlListReady),
		"list ended":    list(sqlListEnded),
		"queue":         list(sqlListQueue),
		"latest":        list(sqlLatest),
		"ready count":   sqlReadyCount,
		"in flight":     InFlightSQL,
		"position":      sqlPosition,
		"due":           sqlDue,
		"next deadline": sqlNextDeadline,
	} {
		args := make([]any, strings.Count(q, "?"))
		rows, err := b.env.Store.DB().Read().QueryContext(b.ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if len(plan) == 0 {
			t.Fatalf("%s: no plan", name)
		}
		for _, step := range plan {
			if (strings.HasPrefix(step, "SCAN") || strings.HasPrefix(step, "SEARCH")) && !strings.Contains(step, " USING ") {
				t.Errorf("%s reads the whole table (%q); plan: %q", name, step, plan)
			}
		}
	}
}
