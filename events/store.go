// Package events is the kiosk's event log and in-process bus. Every state
// change writes its events in the same SQLite transaction (an outbox); after
// commit, each subscriber receives them in commit order, at least once, from
// its own cursor, so a crash between commit and delivery only means the
// delivery happens on the next start. The log is kept: it is the order
// journey, the audit trail, the source of the figures and a replay fixture.
//
// The package also keeps the kiosk's running time: a clock that advances only
// while the kiosk runs, measured on the monotonic clock, and that carries on
// from where it stopped after a restart. Wall-clock jumps never move it, so
// every duration and deadline is measured on it.
package events

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/storage"
)

// Event is one entry of the log: the envelope of the design, plus its
// position in the log and the kiosk's running time when it was written.
type Event struct {
	Seq        int64           `json:"seq"`
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Version    int             `json:"version"`
	Time       time.Time       `json:"time"`
	RunTimeMs  int64           `json:"runTimeMs"`
	OrderID    string          `json:"-"`
	Detail     json.RawMessage `json:"detail"`

	decoded Detail // the detail already decoded, when the event comes from the feed
}

// Decode returns the event's typed detail. An event handed to subscribers
// carries its detail decoded once for all of them: they share it, so they
// read it and never change it.
func (e Event) Decode() (Detail, error) {
	if e.decoded != nil {
		return e.decoded, nil
	}
	return Decode(e.DetailType, e.Version, e.Detail)
}

// Handler receives events. It must be idempotent: after a crash an event it
// already handled may come again. An error makes the store retry the same
// event later; events are never skipped.
type Handler func(ctx context.Context, e Event) error

// Store is the event log.
type Store struct {
	db  *storage.DB
	clk clock.Clock
	log *slog.Logger

	runBase   time.Duration // running time when this process opened the store
	runOrigin time.Duration // clk.Elapsed() at that moment

	mu   sync.Mutex
	subs []*subscriber

	feed feed
	// head is the newest event known to be committed: the log's end when
	// the store opened, raised by every commit that writes events.
	head atomic.Int64

	// CheckpointEvery is how often Run saves the running time, so a crash
	// loses at most this much of it.
	CheckpointEvery time.Duration
	// CursorEvery is how often a subscriber saves its cursor while it moves
	// (and on shutdown): a crash redelivers at most this much of the log.
	CursorEvery time.Duration
}

type subscriber struct {
	name string
	h    Handler
	wake chan struct{}
	pos  int64 // last handled seq, guarded by Store.mu for readers
}

const runTimeKey = "run_time_ms"

// Open loads the running time and returns the store.
func Open(ctx context.Context, db *storage.DB, clk clock.Clock, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.Default()
	}
	var saved, lastEvent sql.NullInt64
	var savedText sql.NullString
	if err := db.Read().QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", runTimeKey).Scan(&savedText); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load running time: %w", err)
	}
	if savedText.Valid {
		n, err := strconv.ParseInt(savedText.String, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("load running time: %w", err)
		}
		saved = sql.NullInt64{Int64: n, Valid: true}
	}
	if err := db.Read().QueryRowContext(ctx, "SELECT max(time_run) FROM events").Scan(&lastEvent); err != nil {
		return nil, fmt.Errorf("load running time: %w", err)
	}
	base := max(saved.Int64, lastEvent.Int64)
	s := &Store{
		db: db, clk: clk, log: log,
		runBase:         time.Duration(base) * time.Millisecond,
		runOrigin:       clk.Elapsed(),
		CheckpointEvery: 10 * time.Second,
		CursorEvery:     time.Second,
	}
	head, err := s.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the log's end: %w", err)
	}
	s.head.Store(head)
	return s, nil
}

// RunTime is the kiosk's running time: how long it has been running, over
// all its starts. It never jumps and never goes backwards.
func (s *Store) RunTime() time.Duration { return s.runBase + s.clk.Elapsed() - s.runOrigin }

// Clock is the clock the store stamps events with.
func (s *Store) Clock() clock.Clock { return s.clk }

// DB is the database the log lives in.
func (s *Store) DB() *storage.DB { return s.db }

// Tx is a write transaction that can emit events. Every event it emits is
// committed with the state changes made through it, or not at all.
type Tx struct {
	*sql.Tx
	store   *Store
	ctx     context.Context
	at      time.Time
	run     time.Duration
	emitted []Event
	// onCommit runs once the transaction is committed, in commit order,
	// before its events reach the subscribers.
	onCommit []func()
}

// OnCommit has f run once the transaction is committed, and not at all if
// it is not. It runs on the writer's goroutine, one commit after another in
// the order they were made, before Write returns and before the
// transaction's events reach any subscriber: it is for keeping a copy in
// memory in step with the database. f must be quick and must not block.
func (t *Tx) OnCommit(f func()) { t.onCommit = append(t.onCommit, f) }

// Now is the wall-clock time of this transaction, the same for every event
// and row it writes.
func (t *Tx) Now() time.Time { return t.at }

// RunTime is the kiosk's running time at this transaction.
func (t *Tx) RunTime() time.Duration { return t.run }

// Store is the event store the transaction writes to.
func (t *Tx) Store() *Store { return t.store }

// Emit validates d and writes it to the log, as part of the transaction.
func (t *Tx) Emit(d Detail) (Event, error) {
	entry, ok := latest(d.DetailType())
	if !ok {
		return Event{}, fmt.Errorf("emit: %s is not in the catalogue", d.DetailType())
	}
	if err := d.Validate(); err != nil {
		return Event{}, fmt.Errorf("emit %s: %w", d.DetailType(), err)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return Event{}, fmt.Errorf("emit %s: %w", d.DetailType(), err)
	}
	raw = withCatalogueMessage(raw, entry.Message)
	e := Event{
		ID: newID(), Source: entry.Source, DetailType: entry.DetailType, Version: entry.Version,
		Time: time.UnixMilli(t.at.UnixMilli()).UTC(), RunTimeMs: t.run.Milliseconds(), Detail: raw,
	}
	if o, ok := d.(orderScoped); ok {
		e.OrderID = o.orderRef()
	}
	if e.Seq, err = insert(t.ctx, t.Tx, e); err != nil {
		return Event{}, fmt.Errorf("emit %s: %w", d.DetailType(), err)
	}
	t.emitted = append(t.emitted, e)
	return e, nil
}

// withDefaultMessage fills an empty "message" field with the catalogue's.
func withDefaultMessage(raw []byte, msg string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	if cur, ok := m["message"]; ok && string(cur) != `""` {
		return raw
	}
	m["message"], _ = json.Marshal(msg)
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

func insert(ctx context.Context, tx *sql.Tx, e Event) (int64, error) {
	var order any
	if e.OrderID != "" {
		order = e.OrderID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (id, source, detail_type, version, time_at, time_run, order_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Source, e.DetailType, e.Version, e.Time.UnixMilli(), e.RunTimeMs, order, string(e.Detail))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Write runs fn in one write transaction. If fn returns nil the state
// changes and events commit together and subscribers are woken; otherwise
// nothing is written. A fn that must record an event and still fail (a
// refusal worth logging) returns nil and reports its outcome another way.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error {
	var t *Tx
	return s.db.WriteThen(ctx, func(sqlTx *sql.Tx) error {
		// Stamp inside the transaction: the single writer serialises
		// transactions, so running times follow commit order.
		t = &Tx{Tx: sqlTx, store: s, ctx: ctx, at: s.clk.Now(), run: s.RunTime()}
		return fn(t)
	}, func() {
		for _, f := range t.onCommit {
			f()
		}
		if len(t.emitted) > 0 {
			s.committed(t.emitted)
		}
	})
}

// committed hands a transaction's events, just committed, to the feed (so
// that the dispatchers need not read them back), moves the head on and
// wakes the subscribers. It runs on the writer's goroutine, in commit order,
// so every commit's events follow on from the feed's newest: the feed reads
// the log back only for a subscriber that has fallen behind it.
func (s *Store) committed(evs []Event) {
	for i := range evs {
		if d, err := evs[i].Decode(); err == nil {
			evs[i].decoded = d
		}
	}
	s.feed.push(evs)
	last := evs[len(evs)-1].Seq
	for {
		head := s.head.Load()
		if head >= last || s.head.CompareAndSwap(head, last) {
			break
		}
	}
	s.wakeAll()
}

func (s *Store) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

const eventColumns = "seq, id, source, detail_type, version, time_at, time_run, coalesce(order_id, ''), detail"

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var detail string
		if err := rows.Scan(&e.Seq, &e.ID, &e.Source, &e.DetailType, &e.Version, &at, &e.RunTimeMs, &e.OrderID, &detail); err != nil {
			return nil, err
		}
		e.Time = time.UnixMilli(at).UTC()
		e.Detail = json.RawMessage(detail)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Since reads up to limit events after position after, in commit order.
func (s *Store) Since(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := s.db.Read().QueryContext(ctx,
		"SELECT "+eventColumns+" FROM events WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// ForOrder reads every event of one order, in commit order.
func (s *Store) ForOrder(ctx context.Context, orderID string) ([]Event, error) {
	rows, err := s.db.Read().QueryContext(ctx,
		"SELECT "+eventColumns+" FROM events WHERE order_id = ? ORDER BY seq", orderID)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// Head is the position of the newest event, or 0 for an empty log.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	err := s.db.Read().QueryRowContext(ctx, "SELECT max(seq) FROM events").Scan(&seq)
	return seq.Int64, err
}

// FromStart makes a new subscriber receive the whole log; without it a new
// subscriber starts after the events already written.
const FromStart = true

// Subscribe registers a durable subscriber under a unique name. A known
// name resumes from its saved cursor; a new one starts at the head of the
// log, or at its beginning with FromStart. Call before Run.
func (s *Store) Subscribe(ctx context.Context, name string, fromStart bool, h Handler) error {
	var pos int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT seq FROM cursors WHERE subscriber = ?", name).Scan(&pos)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if !fromStart {
			if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM events").Scan(&pos); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO cursors (subscriber, seq) VALUES (?, ?)", name, pos)
		return err
	})
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		if sub.name == name {
			return fmt.Errorf("subscribe %s: name already taken", name)
		}
	}
	s.subs = append(s.subs, &subscriber{name: name, h: h, wake: make(chan struct{}, 1), pos: pos})
	return nil
}

// Position is the last event a subscriber has handled.
func (s *Store) Position(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		if sub.name == name {
			return sub.pos
		}
	}
	return 0
}

// Run dispatches events to every subscriber, each in its own goroutine so a
// slow one never holds up the others, and saves the running time now and
// then. It returns when ctx is done, after saving cursors and running time.
func (s *Store) Run(ctx context.Context) {
	s.mu.Lock()
	subs := append([]*subscriber(nil), s.subs...)
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, sub := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.dispatch(ctx, sub)
		}()
	}
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			s.saveRunTime(context.WithoutCancel(ctx))
			return
		case <-s.clk.After(s.CheckpointEvery):
			s.saveRunTime(ctx)
		}
	}
}

// SaveRunTime records the running time, so that after a crash it resumes
// from here rather than from the last event.
func (s *Store) saveRunTime(ctx context.Context) {
	ms := s.RunTime().Milliseconds()
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, runTimeKey, strconv.FormatInt(ms, 10))
		return err
	})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("could not save the running time", "err", err)
	}
}

const batch = 256

func (s *Store) dispatch(ctx context.Context, sub *subscriber) {
	s.mu.Lock()
	pos := sub.pos
	s.mu.Unlock()
	saved, savedAt := pos, s.clk.Elapsed()
	save := func(ctx context.Context) {
		if pos == saved {
			return
		}
		err := s.db.Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE cursors SET seq = ? WHERE subscriber = ?", pos, sub.name)
			return err
		})
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("could not save a subscriber's cursor", "subscriber", sub.name, "err", err)
			}
			return
		}
		saved, savedAt = pos, s.clk.Elapsed()
	}
	defer func() { save(context.WithoutCancel(ctx)) }()

	for {
		evs, err := s.next(ctx, pos)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("read the event log", "subscriber", sub.name, "err", err)
			if !s.pause(ctx, time.Second) {
				return
			}
			continue
		}
		for _, e := range evs {
			if !s.deliver(ctx, sub, e) {
				return
			}
			pos = e.Seq
			s.mu.Lock()
			sub.pos = pos
			s.mu.Unlock()
		}
		since := s.clk.Elapsed() - savedAt
		if pos != saved && since >= s.CursorEvery {
			save(ctx)
		}
		if len(evs) == batch {
			continue
		}
		// Idle: wait for more, and save a moved cursor once CursorEvery has
		// passed, so a busy bar costs one cursor write a second rather than
		// one per wake-up.
		var saveLater <-chan time.Time
		if pos != saved {
			saveLater = s.clk.After(s.CursorEvery - since)
		}
		select {
		case <-ctx.Done():
			return
		case <-sub.wake:
		case <-saveLater:
			save(ctx)
		}
	}
}

// deliver hands e to the subscriber, retrying with a growing pause until it
// succeeds; it reports false when ctx ends first.
func (s *Store) deliver(ctx context.Context, sub *subscriber, e Event) bool {
	wait := 100 * time.Millisecond
	for {
		err := sub.h(ctx, e)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.log.Error("subscriber failed; will retry the same event", "subscriber", sub.name,
			"seq", e.Seq, "detail-type", e.DetailType, "err", err)
		if !s.pause(ctx, wait) {
			return false
		}
		wait = min(wait*2, 30*time.Second)
	}
}

func (s *Store) pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-s.clk.After(d):
		return true
	}
}
