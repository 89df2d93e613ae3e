package events

import (
	"context"
	"sort"
	"strconv"
	"sync"
)

// feed is the tail of the log as the dispatchers read it. Every subscriber
// wants the same new events at about the same time. A committed write hands
// its events to the feed, details decoded, from the writer's goroutine and so
// in commit order; events the feed was not handed (committed before it
// started) the first subscriber to ask reads from SQLite. Either way the
// others are handed the same events, details and all. A subscriber that has
// fallen behind the tail (a slow one, or one reading the log from its start)
// reads on its own until it catches up.
type feed struct {
	mu    sync.Mutex
	after int64   // evs holds every event after this position,
	evs   []Event // in commit order, with their details decoded
	ready bool    // whether after means anything yet
}

// feedSize is how many events the feed keeps, at the least, for subscribers
// that are a little behind the others; it holds at most twice as many.
const feedSize = batch

// feedQuery reads the log on from a position. Its limit is part of the
// text: with the limit bound as an argument, SQLite prepares the statement
// again on every run, kept or not.
var feedQuery = "SELECT " + eventColumns + " FROM events WHERE seq > ? ORDER BY seq LIMIT " + strconv.Itoa(batch)

// next returns up to batch events after pos, in commit order.
func (s *Store) next(ctx context.Context, pos int64) ([]Event, error) {
	f := &s.feed
	f.mu.Lock()
	if !f.ready || pos > f.end() {
		// The first read, or this subscriber read past the feed on its own
		// (it was behind, and the others stopped reading): start the feed
		// where this one is.
		f.after, f.evs, f.ready = pos, nil, true
	}
	if pos < f.after {
		f.mu.Unlock()
		return s.readDecoded(ctx, pos)
	}
	defer f.mu.Unlock()
	i := sort.Search(len(f.evs), func(i int) bool { return f.evs[i].Seq > pos })
	if len(f.evs)-i < batch {
		if err := s.readOn(ctx); err != nil {
			return nil, err
		}
		i = sort.Search(len(f.evs), func(i int) bool { return f.evs[i].Seq > pos })
	}
	j := min(i+batch, len(f.evs))
	return f.evs[i:j:j], nil
}

// end is the position of the newest event the feed holds.
func (f *feed) end() int64 {
	if len(f.evs) == 0 {
		return f.after
	}
	return f.evs[len(f.evs)-1].Seq
}

// readOn adds the events committed since the feed's newest, if there are
// any it was not handed, keeping the newest feedSize.
func (s *Store) readOn(ctx context.Context) error {
	f := &s.feed
	if f.end() >= s.head.Load() {
		return nil // nothing committed that the feed does not hold
	}
	evs, err := s.readDecoded(ctx, f.end())
	if err != nil {
		return err
	}
	f.add(evs)
	return nil
}

// push adds the events of a commit, when they follow on from the newest
// the feed holds; otherwise they are left for readOn.
func (f *feed) push(evs []Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ready && evs[0].Seq == f.end()+1 {
		f.add(evs)
	}
}

// add appends events that follow on from the feed's newest, keeping the
// newest feedSize. The caller holds f.mu.
func (f *feed) add(evs []Event) {
	f.evs = append(f.evs, evs...)
	if len(f.evs) > 2*feedSize {
		// Keep the newest feedSize; copying them now and then rather than
		// on every read keeps the cost at one copy an event.
		drop := len(f.evs) - feedSize
		f.after = f.evs[drop-1].Seq
		f.evs = append(make([]Event, 0, 2*feedSize), f.evs[drop:]...)
	}
}

// readDecoded reads up to batch events after pos with their details
// decoded. An event whose detail does not decode (one from a newer kiosk)
// is left for its subscribers' Decode to report.
func (s *Store) readDecoded(ctx context.Context, pos int64) ([]Event, error) {
	rows, err := s.db.Read().QueryContext(ctx, feedQuery, pos)
	if err != nil {
		return nil, err
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if d, err := evs[i].Decode(); err == nil {
			evs[i].decoded = d
		}
	}
	return evs, nil
}
