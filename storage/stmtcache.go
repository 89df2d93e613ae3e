package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"modernc.org/sqlite"
)

// Every order runs the same few dozen statements many times over: load the
// order, move it on, append its events, read it back. Parsing and planning a
// statement costs SQLite more than running it, so each connection keeps the
// statements it has prepared and runs them again with new arguments. The
// cache is per connection (a prepared statement belongs to one), so it needs
// no lock of its own: database/sql hands a connection to one goroutine at a
// time.

// stmtCacheSize bounds how many statements a connection keeps. A kept
// statement holds about 5 to 10 KiB of SQLite's memory, and the hot paths
// run a few dozen; a statement past the bound is prepared each time.
const stmtCacheSize = 64

// connector opens SQLite connections that keep their statements.
type connector struct{ inner driver.Connector }

func newConnector(dsn string) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return connector{inner: c}, nil
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	cc, ok := dc.(sqliteConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("storage: the SQLite driver's connection (%T) lacks an interface the statement cache needs", dc)
	}
	return &conn{sqliteConn: cc, stmts: map[string]*cachedStmt{}}, nil
}

func (c connector) Driver() driver.Driver { return c.inner.Driver() }

// sqliteConn is what the SQLite driver's connection offers and database/sql
// uses; conn passes all of it through.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachedStmt is a prepared statement and whether rows read through it are
// still open (a statement runs once at a time; a second run meanwhile, as a
// query inside a loop over its own results would be, gets a fresh one).
type cachedStmt struct {
	stmt preparedStmt
	busy bool
}

// preparedStmt is what the SQLite driver's prepared statement offers.
type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// conn is one SQLite connection and its prepared statements.
type conn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

// cacheable says whether query is one of the statements worth keeping: the
// reads and writes of the kiosk's data. Pragmas, schema changes, VACUUM
// and scripts of several statements are run once in a while and prepared
// each time.
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	if i := strings.IndexByte(q, ';'); i >= 0 && strings.TrimSpace(q[i+1:]) != "" {
		return false
	}
	verb := q
	if i := strings.IndexFunc(q, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		verb = q[:i]
	}
	switch strings.ToUpper(verb) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE":
		return true
	}
	return false
}

// prepared returns the connection's statement for query, preparing it on
// first use; nil when the statement is not kept or is already running.
func (c *conn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	if len(c.stmts) >= stmtCacheSize || !cacheable(query) {
		return nil, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := ds.(preparedStmt)
	if !ok {
		ds.Close()
		return nil, nil
	}
	s := &cachedStmt{stmt: ps}
	c.stmts[query] = s
	return s, nil
}

// ExecContext runs query on its prepared statement.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

// QueryContext runs query on its prepared statement, which stays taken
// until the rows are closed.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return newRows(r, s), nil
}

// Close finalizes the connection's statements, then closes it: SQLite
// closes a connection (and the writer checkpoints the log) only once none
// of its statements is left.
func (c *conn) Close() error {
	var first error
	for q, s := range c.stmts {
		if err := s.stmt.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.stmts, q)
	}
	if err := c.sqliteConn.Close(); err != nil {
		return err
	}
	return first
}

// rows are the results of a kept statement; closing them frees it for its
// next run.
type rows struct {
	driver.Rows
	s *cachedStmt
}

// columnTyped is what the driver's rows tell of their columns' types.
type columnTyped interface {
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// typedRows are rows whose driver tells their column types, and still do.
type typedRows struct {
	*rows
	t columnTyped
}

func newRows(r driver.Rows, s *cachedStmt) driver.Rows {
	w := &rows{Rows: r, s: s}
	if t, ok := r.(columnTyped); ok {
		return typedRows{rows: w, t: t}
	}
	return w
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	return err
}

func (r typedRows) ColumnTypeDatabaseTypeName(i int) string { return r.t.ColumnTypeDatabaseTypeName(i) }
func (r typedRows) ColumnTypeLength(i int) (int64, bool)    { return r.t.ColumnTypeLength(i) }
func (r typedRows) ColumnTypeNullable(i int) (bool, bool)   { return r.t.ColumnTypeNullable(i) }
func (r typedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.t.ColumnTypePrecisionScale(i)
}
func (r typedRows) ColumnTypeScanType(i int) reflect.Type { return r.t.ColumnTypeScanType(i) }
