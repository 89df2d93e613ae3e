package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// A migration moves the schema one version up. Migrations are append-only:
// never edit or reorder one that has shipped; add a new one. A migration's
// version is its position in the list, counting from 1, and is kept in
// SQLite's user_version.
type migration struct {
	name string
	sql  string
}

// Times: columns ending in _at are wall-clock Unix milliseconds, for people;
// columns ending in _run are the kiosk's running time in milliseconds, which
// never jumps, for every duration and deadline (see package events).
var migrations = []migration{
	{"event log and dispatch cursors", `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE events (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT NOT NULL UNIQUE,
	source      TEXT NOT NULL,
	detail_type TEXT NOT NULL,
	version     INTEGER NOT NULL,
	time_at     INTEGER NOT NULL,
	time_run    INTEGER NOT NULL,
	order_id    TEXT,
	detail      TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_order ON events(order_id, seq) WHERE order_id IS NOT NULL;

CREATE TABLE cursors (
	subscriber TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL
) STRICT;
`},
	{"shop config, booth days and QR codes", `
CREATE TABLE shop (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	open     INTEGER NOT NULL,
	menu     TEXT NOT NULL,
	settings TEXT NOT NULL,
	revision INTEGER NOT NULL
) STRICT;

CREATE TABLE booth_days (
	id          INTEGER PRIMARY KEY,
	started_at  INTEGER NOT NULL,
	started_run INTEGER NOT NULL,
	started_by  TEXT NOT NULL,
	last_number INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE qr_codes (
	code        TEXT PRIMARY KEY,
	starts_at   INTEGER NOT NULL,
	period_s    INTEGER NOT NULL,
	drinks      INTEGER NOT NULL,
	drinks_left INTEGER NOT NULL CHECK (drinks_left >= 0),
	UNIQUE (starts_at, period_s)
) STRICT;
`},
	{"orders", `
CREATE TABLE orders (
	id            TEXT PRIMARY KEY,
	customer_id   TEXT NOT NULL,
	customer_name TEXT NOT NULL,
	booth_day     INTEGER NOT NULL REFERENCES booth_days(id),
	number        INTEGER,
	state         TEXT NOT NULL CHECK (state IN ('waiting', 'queued', 'making', 'completed', 'cancelled')),
	drink         TEXT,
	barista_id    TEXT,
	end_reason    TEXT,
	ended_by      TEXT,
	qr_code       TEXT REFERENCES qr_codes(code),
	deadline_kind TEXT CHECK (deadline_kind IN ('customer', 'barista', 'ready')),
	deadline_run  INTEGER,
	created_at    INTEGER NOT NULL,
	created_run   INTEGER NOT NULL,
	submitted_at  INTEGER,
	submitted_run INTEGER,
	made_at       INTEGER,
	made_run      INTEGER,
	completed_at  INTEGER,
	completed_run INTEGER,
	ended_at      INTEGER,
	ended_run     INTEGER,
	collected_at  INTEGER,
	collected_run INTEGER,
	UNIQUE (booth_day, number),
	CHECK ((deadline_kind IS NULL) = (deadline_run IS NULL))
) STRICT;
CREATE INDEX orders_by_state ON orders(state, number);
CREATE INDEX orders_by_customer ON orders(customer_id, booth_day);
CREATE INDEX orders_by_deadline ON orders(deadline_run) WHERE deadline_run IS NOT NULL;
`},
	{"staff accounts, sessions and display pairing", `
CREATE TABLE staff (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role          TEXT NOT NULL CHECK (role IN ('admin', 'barista')),
	password_hash TEXT NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
	token_hash  TEXT PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL CHECK (kind IN ('staff', 'display')),
	staff_id    TEXT REFERENCES staff(id) ON DELETE CASCADE,
	role        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	seen_run    INTEGER NOT NULL,
	CHECK ((kind = 'staff') = (staff_id IS NOT NULL))
) STRICT;

CREATE TABLE pairings (
	code_hash   TEXT PRIMARY KEY,
	created_by  TEXT NOT NULL,
	expires_run INTEGER NOT NULL
) STRICT;
`},
	{"printed tickets", `
CREATE TABLE printed_tickets (
	event_id TEXT PRIMARY KEY,
	order_id TEXT NOT NULL,
	at       INTEGER NOT NULL
) STRICT;
CREATE INDEX printed_tickets_by_order ON printed_tickets(order_id);
`},
	{"booth settings", `
ALTER TABLE shop ADD COLUMN booth TEXT NOT NULL DEFAULT '{}';
`},
	// The orders still on the board (waiting, queued, making, ready) are a
	// few dozen among the thousands a booth serves; an index of every
	// order's state made each queue, ready count and in-flight check read
	// all of the finished ones too. orders_open holds only uncollected
	// orders: a query by state uses it when it also says
	// "collected_at IS NULL" (true of every order not yet collected). The
	// finished list reads newest first by ended_run and stops at its limit.
	{"indexes of the open orders", `
DROP INDEX orders_by_state;
CREATE INDEX orders_open ON orders(state, number) WHERE collected_at IS NULL;
CREATE INDEX orders_by_end ON orders(ended_run) WHERE ended_run IS NOT NULL;
`},
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int { return len(migrations) }

func (db *DB) version(ctx context.Context) (int, error) {
	var v int
	err := db.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate brings the schema up to SchemaVersion, one transaction per step,
// and refuses a file from a newer kiosk without touching it.
func (db *DB) migrate(ctx context.Context) error {
	have, err := db.version(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(migrations) {
		return &NewerSchemaError{Path: db.path, FileVersion: have, BinaryVersion: len(migrations)}
	}
	for v := have + 1; v <= len(migrations); v++ {
		m := migrations[v-1]
		err := db.Write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to schema version %d (%s): %w", v, m.name, err)
		}
		db.log.Info("database migrated", "version", v, "step", m.name)
	}
	return nil
}
