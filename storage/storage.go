// Package storage owns the kiosk's one SQLite file: opening it with the
// right pragmas, checking it, migrating it, and the two ways in (a single
// writer connection with immediate transactions, and a small pool of
// read-only connections). It knows nothing of orders; the schema it migrates
// is listed in schema.go.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the database's name inside the data directory.
const FileName = "kiosk.db"

// readers is the size of the read pool: each connection has its own page
// cache, and a booth has a handful of screens reading at once.
const readers = 4

// DB is the open database.
type DB struct {
	path   string
	write  *sql.DB
	read   *sql.DB
	log    *slog.Logger
	writer *writer
}

// NewerSchemaError says the file was written by a newer kiosk.
type NewerSchemaError struct {
	Path          string
	FileVersion   int
	BinaryVersion int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("database %s has schema version %d, but this kiosk knows only up to version %d: "+
		"it was written by a newer kiosk. Run that newer version, or restore a backup made by this one. "+
		"The file has not been changed.", e.Path, e.FileVersion, e.BinaryVersion)
}

// DamagedError says the integrity check found the file damaged. The file is
// left exactly as it was.
type DamagedError struct {
	Path     string
	Problems []string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("database %s is damaged (%s). The kiosk has not changed it and will not start on it: "+
		"restore a backup from the data directory, or move the file aside to start empty.",
		e.Path, strings.Join(e.Problems, "; "))
}

// dsn builds the connection string. busy_timeout comes first so it applies
// while the other pragmas run; synchronous=FULL makes a commit durable
// before it returns, so a confirmed order survives a pulled plug.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// A deferred transaction that reads then writes cannot wait for the
		// lock and fails with SQLITE_BUSY; take the write lock up front.
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database in dir, checks its
// integrity, refuses a file from a newer kiosk, and migrates it.
func Open(ctx context.Context, dir string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	w, err := openPool(dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{path: path, write: w, log: log}
	if err := db.check(ctx); err != nil {
		w.Close()
		return nil, err
	}
	db.writer = newWriter(db)
	if err := db.migrate(ctx); err != nil {
		db.writer.close()
		w.Close()
		return nil, err
	}
	r, err := openPool(dsn(path, true))
	if err != nil {
		db.writer.close()
		w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db.read = r
	return db, nil
}

// openPool opens a pool of connections that keep their prepared
// statements (see stmtcache.go).
func openPool(dsn string) (*sql.DB, error) {
	c, err := newConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// check runs SQLite's integrity check. A file that is not a database at all
// counts as damaged too.
func (db *DB) check(ctx context.Context) error {
	rows, err := db.write.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		if isNotADatabase(err) {
			return &DamagedError{Path: db.path, Problems: []string{err.Error()}}
		}
		return fmt.Errorf("check %s: %w", db.path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("check %s: %w", db.path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		if isNotADatabase(err) {
			return &DamagedError{Path: db.path, Problems: []string{err.Error()}}
		}
		return fmt.Errorf("check %s: %w", db.path, err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return &DamagedError{Path: db.path, Problems: problems}
	}
	return nil
}

func isNotADatabase(err error) bool {
	s := err.Error()
	return strings.Contains(s, "not a database") || strings.Contains(s, "malformed") ||
		strings.Contains(s, "SQLITE_NOTADB") || strings.Contains(s, "SQLITE_CORRUPT")
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Read is the pool of read-only connections. A read there sees every
// transaction committed before it began.
func (db *DB) Read() *sql.DB { return db.read }

// Ping checks that both the writer and the readers answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Checkpoint copies the write-ahead log into the main file and truncates
// the log, so the main file alone is complete.
func (db *DB) Checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	err := db.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: a reader kept the log busy (%d of %d frames copied)", done, logFrames)
	}
	return nil
}

// Backup checkpoints the log and writes a consistent copy of the database
// to dest, which must not exist yet. The kiosk keeps serving meanwhile.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists", dest)
	}
	if err := db.Checkpoint(ctx); err != nil {
		db.log.Warn("checkpoint before backup did not complete", "err", err)
	}
	if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

// Close closes the readers, then the writer, which checkpoints the log.
func (db *DB) Close() error {
	var errs []error
	db.writer.close()
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.write.Close())
	return errors.Join(errs...)
}
