package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func open(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenSetsPragmasAndMigrates(t *testing.T) {
	db := open(t, t.TempDir())
	for _, c := range []struct {
		conn       *sql.DB
		name, want string
	}{
		{db.write, "journal_mode", "wal"},
		{db.write, "synchronous", "2"}, // FULL
		{db.write, "foreign_keys", "1"},
		{db.write, "busy_timeout", "5000"},
		{db.read, "query_only", "1"},
		{db.read, "synchronous", "2"},
	} {
		if got := pragma(t, c.conn, c.name); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
	if got := pragma(t, db.write, "user_version"); got != fmt.Sprint(SchemaVersion()) {
		t.Errorf("user_version = %s, want %d", got, SchemaVersion())
	}
	if _, err := db.Read().Exec("INSERT INTO meta VALUES ('x', 'y')"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestReopenKeepsDataAndDoesNotRemigrate(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	err := db.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO meta VALUES ('greeting', 'hello')")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, dir)
	var v string
	if err := db.Read().QueryRow("SELECT value FROM meta WHERE key = 'greeting'").Scan(&v); err != nil || v != "hello" {
		t.Fatalf("after reopen: %q, %v", v, err)
	}
}

func TestNewerSchemaIsRefusedUntouched(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	if _, err := db.write.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+3)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(filepath.Join(dir, FileName))

	_, err := Open(context.Background(), dir, nil)
	var newer *NewerSchemaError
	if !errors.As(err, &newer) {
		t.Fatalf("err = %v, want NewerSchemaError", err)
	}
	if newer.FileVersion != SchemaVersion()+3 || !strings.Contains(err.Error(), "newer kiosk") {
		t.Errorf("unclear error: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(before) != string(after) {
		t.Error("the refused file was changed")
	}
}

func TestDamagedFileIsReportedNotReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	junk := []byte(strings.Repeat("this is not a database, it is a shopping list\n", 200))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, nil)
	var damaged *DamagedError
	if !errors.As(err, &damaged) {
		t.Fatalf("err = %v, want DamagedError", err)
	}
	if !strings.Contains(err.Error(), "restore a backup") {
		t.Errorf("error does not say what to do: %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(junk) {
		t.Error("the damaged file was changed")
	}
}

func TestCorruptPageIsReported(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	err := db.Write(context.Background(), func(tx *sql.Tx) error {
		for i := 0; i < 2000; i++ {
			if _, err := tx.Exec("INSERT INTO meta VALUES (?, ?)", fmt.Sprint("k", i), strings.Repeat("v", 100)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	path := filepath.Join(dir, FileName)
	b, _ := os.ReadFile(path)
	// Scribble over the middle of the file, leaving the header intact.
	for i := len(b) / 2; i < len(b)/2+4096 && i < len(b); i++ {
		b[i] = 0xA5
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), dir, nil)
	var damaged *DamagedError
	if !errors.As(err, &damaged) {
		t.Fatalf("err = %v, want DamagedError", err)
	}
}

func TestWriteRollsBackOnError(t *testing.T) {
	db := open(t, t.TempDir())
	boom := errors.New("boom")
	err := db.Write(context.Background(), func(tx *sql.Tx) error {
		if _, err := tx.Exec("INSERT INTO meta VALUES ('half', 'written')"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	db.Read().QueryRow("SELECT count(*) FROM meta").Scan(&n)
	if n != 0 {
		t.Fatalf("%d rows left behind by a failed write", n)
	}
}

func TestConcurrentReadThenWriteNeverBusy(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO meta VALUES ('n', '0')")
		return err
	})
	var wg sync.WaitGroup
	errs := make(chan error, 800)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				errs <- db.Write(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRow("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'n'").Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec("UPDATE meta SET value = ? WHERE key = 'n'", fmt.Sprint(n+1))
					return err
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	db.Read().QueryRow("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'n'").Scan(&n)
	if n != 400 {
		t.Fatalf("counter = %d, want 400 (lost updates)", n)
	}
}

func TestBackupIsConsistentCopy(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	ctx := context.Background()
	db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO meta VALUES ('k', 'v')")
		return err
	})
	dest := filepath.Join(t.TempDir(), "backup")
	if err := db.Backup(ctx, filepath.Join(dest+".db")); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, filepath.Join(dest+".db")); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	os.Rename(dest+".db", filepath.Join(filepath.Dir(dest), FileName))
	copyDB := open(t, filepath.Dir(dest))
	var v string
	if err := copyDB.Read().QueryRow("SELECT value FROM meta WHERE key='k'").Scan(&v); err != nil || v != "v" {
		t.Fatalf("backup content: %q %v", v, err)
	}
}
