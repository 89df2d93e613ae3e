package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestKeptStatementServesAQueryInsideItsOwnResults(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	const list = "SELECT key FROM meta WHERE key LIKE ? ORDER BY key"
	err := db.Write(ctx, func(tx *sql.Tx) error {
		for i := range 3 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta VALUES (?, ?)", fmt.Sprint("k", i), "v"); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, list, "k%")
		if err != nil {
			return err
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var k, first string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			// The same statement again while its rows are open.
			if err := tx.QueryRowContext(ctx, list, "k%").Scan(&first); err != nil {
				return err
			}
			if first != "k0" {
				t.Errorf("inner query read %q, want k0", first)
			}
			got = append(got, k)
		}
		if fmt.Sprint(got) != "[k0 k1 k2]" {
			t.Errorf("outer query read %v", got)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// And it is kept for the next transaction and the readers.
	for range 3 {
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key LIKE ?", "k%").Scan(&n); err != nil || n != 3 {
			t.Fatalf("count = %d, %v", n, err)
		}
	}
}

func TestKeptStatementsUnderConcurrentReadersAndWriter(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				if g%2 == 0 {
					errs <- db.Write(ctx, func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, "INSERT INTO meta VALUES (?, ?)", fmt.Sprint(g, "-", i), "v")
						return err
					})
					continue
				}
				var n int
				errs <- db.Read().QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE value = ?", "v").Scan(&n)
			}
		}()
	}
	go func() { wg.Wait(); close(errs) }()
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE value = ?", "v").Scan(&n); err != nil || n != 160 {
		t.Fatalf("count = %d, %v; want 160", n, err)
	}
}

func TestCloseWithKeptStatementsCheckpointsTheLog(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		if err := db.Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta VALUES (?, ?)", fmt.Sprint("k", i), "v")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := db.Read().QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", fmt.Sprint("k", i)).Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName+"-wal")); !os.IsNotExist(err) {
		t.Errorf("the log is still there after Close (%v): a kept statement held the connection open", err)
	}
}

func TestCacheable(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1":                                     true,
		"\n\t\tselect x FROM t WHERE a = ?":            true,
		"INSERT INTO t VALUES (?)":                     true,
		"UPDATE t SET a = 1 RETURNING a":               true,
		"PRAGMA wal_checkpoint(TRUNCATE)":              false,
		"VACUUM INTO ?":                                false,
		"CREATE TABLE t (a); INSERT INTO t VALUES (1)": false,
		"SELECT 1;":                                    true,
	} {
		if got := cacheable(q); got != want {
			t.Errorf("cacheable(%q) = %v, want %v", q, got, want)
		}
	}
}
