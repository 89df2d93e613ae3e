package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// holdWriter starts a write that keeps the writer busy until release is
// closed, so that the writes started meanwhile queue up behind it.
func holdWriter(t *testing.T, db *DB) (release func(), result <-chan error) {
	t.Helper()
	inside := make(chan struct{})
	gate := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Write(context.Background(), func(tx *sql.Tx) error {
			close(inside)
			<-gate
			_, err := tx.Exec("INSERT INTO meta VALUES ('holder', 'x')")
			return err
		})
	}()
	<-inside
	return func() { close(gate) }, done
}

// waitQueued waits until n writes are queued behind the writer: counted,
// and each of their goroutines parked in the hand-over (a write counted but
// not yet parked would miss the group the test means it to join).
func waitQueued(t *testing.T, db *DB, n int64) {
	t.Helper()
	for db.writer.waiting.Load() != n || parkedWrites() != n {
		runtime.Gosched()
	}
}

// parkedWrites counts the goroutines waiting in WriteThen to hand their
// write over.
func parkedWrites() int64 {
	buf := make([]byte, 1<<20)
	for {
		m := runtime.Stack(buf, true)
		if m < len(buf) {
			buf = buf[:m]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var n int64
	for _, g := range strings.Split(string(buf), "\n\n") {
		head, frames, _ := strings.Cut(g, "\n")
		if strings.Contains(head, "[select") && strings.Contains(frames, "kiosk/storage.(*DB).WriteThen(") {
			n++
		}
	}
	return n
}

func metaKeys(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.Read().Query("SELECT key FROM meta")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[k] = true
	}
	return keys
}

func insertKey(key string) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO meta VALUES (?, 'v')", key)
		return err
	}
}

// queue starts one write per fn while the writer is held, and returns
// their results in order once all have answered. They join the holder's
// transaction, whose write shares their group's fate: a group broken by
// one of them fails it too, with a BatchError.
func queue(t *testing.T, db *DB, fns ...func(*sql.Tx) error) []error {
	t.Helper()
	release, held := holdWriter(t, db)
	before := db.writer.stats()
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Write(context.Background(), fn)
		}()
	}
	waitQueued(t, db, int64(len(fns)))
	release()
	var be *BatchError
	if err := <-held; err != nil && !errors.As(err, &be) {
		t.Fatalf("the holding write: %v", err)
	}
	wg.Wait()
	after := db.writer.stats()
	t.Logf("%d writes in %d commits", after.writes-before.writes, after.commits-before.commits)
	return errs
}

func TestWaitingWritesShareOneCommit(t *testing.T) {
	db := open(t, t.TempDir())
	start := db.writer.stats()
	var fns []func(*sql.Tx) error
	for i := range 10 {
		fns = append(fns, insertKey(fmt.Sprint("k", i)))
	}
	for i, err := range queue(t, db, fns...) {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	got := db.writer.stats()
	if got.writes-start.writes != 11 || got.commits-start.commits != 1 {
		t.Fatalf("%d writes in %d commits, want 11 in 1 (the ten queued while the holder ran join its commit)",
			got.writes-start.writes, got.commits-start.commits)
	}
	if keys := metaKeys(t, db); len(keys) != 11 {
		t.Fatalf("saved %v, want the holder and ten keys", keys)
	}
}

func TestNothingJoinsALoneWriteThatFailed(t *testing.T) {
	db := open(t, t.TempDir())
	inside, gate := make(chan struct{}), make(chan struct{})
	boom := errors.New("refused")
	failed := make(chan error, 1)
	go func() {
		// Alone in its transaction, it has no savepoint: its half-made
		// change can only be undone with the whole transaction.
		failed <- db.Write(context.Background(), func(tx *sql.Tx) error {
			close(inside)
			<-gate
			if _, err := tx.Exec("INSERT INTO meta VALUES ('half', 'written')"); err != nil {
				return err
			}
			return boom
		})
	}()
	<-inside
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = db.Write(context.Background(), insertKey(fmt.Sprint("k", i))) }()
	}
	waitQueued(t, db, 3)
	close(gate)
	if err := <-failed; !errors.Is(err, boom) {
		t.Fatalf("the failing write answered %v", err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if keys := metaKeys(t, db); keys["half"] || len(keys) != 3 {
		t.Fatalf("saved %v, want k0, k1 and k2 only", keys)
	}
}

func TestFailedWriteInAGroupLeavesTheOthers(t *testing.T) {
	db := open(t, t.TempDir())
	if err := db.Write(context.Background(), insertKey("taken")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("refused")
	errs := queue(t, db,
		insertKey("a"),
		func(tx *sql.Tx) error {
			if _, err := tx.Exec("INSERT INTO meta VALUES ('half', 'written')"); err != nil {
				return err
			}
			return boom
		},
		insertKey("b"),
		insertKey("taken"), // a duplicate key: the statement fails
		insertKey("c"),
	)
	if errs[0] != nil || errs[2] != nil || errs[4] != nil {
		t.Fatalf("good writes failed: %v", errs)
	}
	if !errors.Is(errs[1], boom) {
		t.Fatalf("refused write answered %v", errs[1])
	}
	if errs[3] == nil {
		t.Fatal("duplicate key was accepted")
	}
	keys := metaKeys(t, db)
	for _, k := range []string{"taken", "holder", "a", "b", "c"} {
		if !keys[k] {
			t.Errorf("%q missing from %v", k, keys)
		}
	}
	if keys["half"] || len(keys) != 5 {
		t.Fatalf("saved %v, want only taken, the holder, a, b and c", keys)
	}
}

func TestWriteThatEndsTheTransactionUndoesItsGroupCleanly(t *testing.T) {
	db := open(t, t.TempDir())
	errs := queue(t, db,
		insertKey("a"),
		func(tx *sql.Tx) error {
			// As SQLite does on an interrupt or a full disk.
			_, err := tx.Exec("ROLLBACK")
			return err
		},
		insertKey("b"),
	)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("write %d reported saved although its transaction was rolled back", i)
		}
	}
	var be *BatchError
	if !errors.As(errs[0], &be) || !errors.As(errs[2], &be) {
		t.Fatalf("the bystanders should get a BatchError: %v, %v", errs[0], errs[2])
	}
	keys := metaKeys(t, db)
	if keys["a"] || keys["b"] || keys["holder"] {
		t.Fatalf("saved %v although the writes were answered with errors", keys)
	}
	// The connection is usable again.
	if err := db.Write(context.Background(), insertKey("after")); err != nil {
		t.Fatal(err)
	}
	if !metaKeys(t, db)["after"] {
		t.Fatal("the write after the broken group was not saved")
	}
}

func TestPanicInAGroupReachesItsCallerOnly(t *testing.T) {
	db := open(t, t.TempDir())
	var recovered any
	fns := []func(*sql.Tx) error{
		insertKey("a"),
		func(tx *sql.Tx) error {
			tx.Exec("INSERT INTO meta VALUES ('panicker', 'x')")
			panic("bad write")
		},
		insertKey("b"),
	}
	release, held := holdWriter(t, db)
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					recovered = v
				}
			}()
			errs[i] = db.Write(context.Background(), fn)
		}()
	}
	waitQueued(t, db, int64(len(fns)))
	release()
	<-held
	wg.Wait()
	if recovered != "bad write" {
		t.Fatalf("the panicking write's caller recovered %v", recovered)
	}
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("bystanders: %v", errs)
	}
	keys := metaKeys(t, db)
	if !keys["a"] || !keys["b"] || keys["panicker"] {
		t.Fatalf("saved %v", keys)
	}
}

func TestCancelledWhileQueuedRunsNothing(t *testing.T) {
	db := open(t, t.TempDir())
	release, held := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- db.Write(ctx, func(tx *sql.Tx) error {
			ran <- struct{}{}
			return nil
		})
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	release()
	<-held
	select {
	case <-ran:
		t.Fatal("a cancelled write ran")
	default:
	}
}

func TestWriteAfterCloseIsRefused(t *testing.T) {
	db := open(t, t.TempDir())
	db.Close()
	if err := db.Write(context.Background(), insertKey("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v", err)
	}
}

func TestThensRunInCommitOrderBeforeTheirCallersReturn(t *testing.T) {
	db := open(t, t.TempDir())
	release, held := holdWriter(t, db)
	var ran, thens []int // appended on the writer's goroutine only
	boom := errors.New("refused")
	const n = 12
	errs := make([]error, n)
	seen := make([]bool, n) // whether i's then had run when Write returned
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.WriteThen(context.Background(), func(tx *sql.Tx) error {
				ran = append(ran, i)
				if i%4 == 3 {
					return boom // undone: its then must not run
				}
				_, err := tx.Exec("INSERT INTO meta VALUES (?, 'v')", fmt.Sprint("k", i))
				return err
			}, func() {
				mu.Lock()
				thens = append(thens, i)
				mu.Unlock()
			})
			mu.Lock()
			seen[i] = slices.Contains(thens, i)
			mu.Unlock()
		}()
	}
	waitQueued(t, db, n)
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	var want []int // the writes that committed, in the order they ran
	for _, i := range ran {
		if i%4 != 3 {
			want = append(want, i)
		}
	}
	if !slices.Equal(thens, want) {
		t.Fatalf("thens ran for %v, want %v (the committed writes in the order they ran)", thens, want)
	}
	for i, err := range errs {
		if i%4 == 3 {
			if !errors.Is(err, boom) {
				t.Errorf("write %d answered %v, want its own error", i, err)
			}
			continue
		}
		if err != nil || !seen[i] {
			t.Errorf("write %d answered %v; its then had run: %v", i, err, seen[i])
		}
	}
}

func TestThenNotRunWhenTheCommitFails(t *testing.T) {
	db := open(t, t.TempDir())
	ran := false
	errs := make(chan error, 1)
	release, held := holdWriter(t, db)
	go func() {
		errs <- db.WriteThen(context.Background(), insertKey("a"), func() { ran = true })
	}()
	waitQueued(t, db, 1)
	// A write of the same group that ends the transaction leaves nothing to
	// commit for the others.
	go func() {
		db.Write(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec("ROLLBACK")
			return err
		})
	}()
	waitQueued(t, db, 2)
	release()
	<-held
	var be *BatchError
	if err := <-errs; !errors.As(err, &be) {
		t.Fatalf("write answered %v, want a BatchError", err)
	}
	if ran {
		t.Fatal("the then of a write that was not committed ran")
	}
	if keys := metaKeys(t, db); keys["a"] {
		t.Fatalf("saved %v", keys)
	}
}

func TestPanicInAThenReachesItsCallerAndTheWriteStays(t *testing.T) {
	db := open(t, t.TempDir())
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		db.WriteThen(context.Background(), insertKey("a"), func() { panic("bad then") })
	}()
	if recovered != "bad then" {
		t.Fatalf("the caller recovered %v", recovered)
	}
	if err := db.Write(context.Background(), insertKey("b")); err != nil {
		t.Fatalf("the writer after a panicking then: %v", err)
	}
	if keys := metaKeys(t, db); !keys["a"] || !keys["b"] {
		t.Fatalf("saved %v, want a (committed before its then) and b", keys)
	}
}
