package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// The writer: one goroutine owns the write connection. A write waits its
// turn in a queue; when the writer is free it takes every write waiting
// (up to maxBatch) and runs them in one transaction, each inside its own
// savepoint, so the whole group costs one commit and one fsync. A write that
// fails is rolled back to its savepoint and the others commit as if it had
// never run. Under load this turns commits per second, bounded by the disk's
// fsync, into writes per commit; with one write at a time it is the plain
// transaction it always was.

// maxBatch caps how many writes share a commit, so one commit's fsync never
// holds a long tail of callers.
const maxBatch = 64

// ErrClosed is returned by Write once the database is closed.
var ErrClosed = errors.New("database closed")

// BatchError is returned to a write that succeeded but was undone because
// its transaction could not commit (the disk full, an I/O error) or was
// aborted by another write of the same group. Nothing of it was written.
type BatchError struct{ Err error }

func (e *BatchError) Error() string {
	return "write not saved: " + e.Err.Error()
}

func (e *BatchError) Unwrap() error { return e.Err }

type job struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	then     func() // run once fn's changes are committed; may be nil
	done     chan error
	answered bool // by the writer goroutine only
}

// answer gives the write its result. The caller may take it from done at
// once, so whether it was answered is kept here, not read from done.
func (j *job) answer(err error) {
	j.answered = true
	j.done <- err
}

// panicked carries a panic from a write's function back to its caller's
// goroutine, where it is raised again.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprint("write panicked: ", p.value) }

type writer struct {
	db      *DB
	jobs    chan *job
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	commits atomic.Int64
	writes  atomic.Int64
	waiting atomic.Int64 // writes handed to Write and not yet taken
}

func newWriter(db *DB) *writer {
	w := &writer{db: db, jobs: make(chan *job), stop: make(chan struct{}), stopped: make(chan struct{})}
	go w.run()
	return w
}

// writeStats counts commits and the writes they carried.
type writeStats struct {
	commits int64 // transactions committed
	writes  int64 // writes committed (each Write that returned nil)
}

// stats reports how many writes shared how many commits.
func (w *writer) stats() writeStats {
	return writeStats{commits: w.commits.Load(), writes: w.writes.Load()}
}

// Write runs fn in an immediate transaction on the single writer
// connection, possibly together with other writes waiting at the same
// moment, each in its own savepoint. It returns once fn's changes are
// committed (nil) or undone (the error): if fn returns an error, nothing it
// did is kept and the other writes of its group are not affected.
//
// fn must do all its reading and writing through tx: writes of the same
// group are not yet committed, so the read pool does not see them. A
// cancelled ctx before fn starts returns ctx's error and runs nothing.
func (db *DB) Write(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.WriteThen(ctx, fn, nil)
}

// WriteThen is Write, and runs then once fn's changes are committed, before
// Write's caller is answered: on the writer's goroutine, so the thens of
// all writes run one at a time and in the order SQLite committed them. It is
// for keeping what lives in memory beside the database (a cache, a feed of
// events) in step with it, which callers answered in a group cannot do: they
// wake in any order. then must be quick, must not block and must not write;
// it does not run for a write that failed or was undone.
func (db *DB) WriteThen(ctx context.Context, fn func(*sql.Tx) error, then func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, then: then, done: make(chan error, 1)}
	db.writer.waiting.Add(1)
	select {
	case db.writer.jobs <- j:
		db.writer.waiting.Add(-1)
	case <-ctx.Done():
		db.writer.waiting.Add(-1)
		return ctx.Err()
	case <-db.writer.stop:
		db.writer.waiting.Add(-1)
		return ErrClosed
	}
	// Once handed over the write will run or be refused; its answer is
	// awaited whatever ctx does, so the caller never misses a commit.
	err := <-j.done
	if p, ok := err.(panicked); ok {
		panic(p.value)
	}
	return err
}

func (w *writer) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.stopped
}

func (w *writer) run() {
	defer close(w.stopped)
	batch := make([]*job, 0, maxBatch)
	for {
		select {
		case j := <-w.jobs:
			batch = append(batch[:0], j)
		case <-w.stop:
			return
		}
		batch = w.runBatch(w.join(batch))
		clear(batch)
	}
}

// runBatch runs the writes of batch in one transaction. With more than
// one, each runs in a savepoint, so a write that fails is undone alone; a
// single write needs none, its failure undoes the whole transaction.
// Writes handed over while the batch runs join it before the commit (up to
// maxBatch): the commit waits only for work that is already there, and one
// fsync serves them all.
func (w *writer) runBatch(batch []*job) []*job {
	tx, err := w.db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			j.answer(fmt.Errorf("begin: %w", err))
		}
		return batch
	}
	savepoint := func(stmt string) error {
		if len(batch) == 1 {
			return nil
		}
		_, err := tx.Exec(stmt)
		return err
	}
	kept := make([]*job, 0, len(batch))
	var broken error // the transaction can no longer commit
	for i := 0; i < len(batch); i++ {
		j := batch[i]
		if err := j.ctx.Err(); err != nil {
			j.answer(err)
			continue
		}
		if err := savepoint("SAVEPOINT write"); err != nil {
			broken = fmt.Errorf("savepoint: %w", err)
			break
		}
		if err := call(j, tx); err != nil {
			j.answer(err)
			if rerr := savepoint("ROLLBACK TO write"); rerr != nil {
				broken = fmt.Errorf("undo a failed write: %w", rerr)
				break
			}
		}
		if err := savepoint("RELEASE write"); err != nil {
			broken = fmt.Errorf("release: %w", err)
			break
		}
		if !j.answered {
			kept = append(kept, j)
		}
		// A lone write that failed has left its changes in the transaction
		// (it had no savepoint): nothing may join it.
		if i == len(batch)-1 && (len(batch) > 1 || !j.answered) {
			batch = w.join(batch)
		}
	}
	if broken != nil {
		w.rollback(tx)
		failAll(batch, broken) // every write not yet answered
		return batch
	}
	if len(kept) == 0 {
		w.rollback(tx)
		return batch
	}
	if err := tx.Commit(); err != nil {
		failAll(kept, fmt.Errorf("commit: %w", err))
		return batch
	}
	w.commits.Add(1)
	w.writes.Add(int64(len(kept)))
	for _, j := range kept {
		j.answer(committed(j))
	}
	return batch
}

// join appends to batch the writes waiting now, up to maxBatch.
func (w *writer) join(batch []*job) []*job {
	for len(batch) < maxBatch {
		select {
		case j := <-w.jobs:
			batch = append(batch, j)
		default:
			return batch
		}
	}
	return batch
}

func failAll(jobs []*job, err error) {
	for _, j := range jobs {
		if !j.answered {
			j.answer(&BatchError{Err: err})
		}
	}
}

// call runs the write's function, turning a panic into an error that
// Write raises again in the caller's goroutine.
func call(j *job, tx *sql.Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicked{value: v}
		}
	}()
	return j.fn(tx)
}

// committed runs the then of a committed write. A panic in it reaches the
// write's caller, as one in fn does, and the writes after it are answered
// as usual: their changes are committed whatever it did.
func committed(j *job) (err error) {
	if j.then == nil {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = panicked{value: v}
		}
	}()
	j.then()
	return nil
}

// rollback ends tx. SQLite may have rolled it back already (after an
// interrupt, a full disk or an I/O error), which is not worth a log line.
func (w *writer) rollback(tx *sql.Tx) {
	err := tx.Rollback()
	if err != nil && !errors.Is(err, sql.ErrTxDone) && !strings.Contains(err.Error(), "no transaction is active") {
		w.db.log.Error("rollback failed", "err", err)
	}
}
