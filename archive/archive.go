// Package archive takes the booth's data out and puts it back: the day's
// orders and the event log as CSV for a spreadsheet, and a whole backup
// (menu, settings, accounts, history) restored into a fresh box.
package archive

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/durable"
	"github.com/coffeebar/kiosk/storage"
)

// Restore installs the backup file into dataDir, which must not hold a
// database yet: a restore never overwrites a booth's data. The backup is
// opened and checked first (integrity, and a schema this kiosk knows), in a
// scratch folder, so a bad file changes nothing.
func Restore(ctx context.Context, backup, dataDir string, log *slog.Logger) error {
	target := filepath.Join(dataDir, storage.FileName)
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("restore: %s already holds a database; restore into an empty data directory", dataDir)
	}
	scratch, err := os.MkdirTemp("", "kiosk-restore")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	if err := durable.CopyFile(backup, filepath.Join(scratch, storage.FileName)); err != nil {
		return fmt.Errorf("restore: read %s: %w", backup, err)
	}
	db, err := storage.Open(ctx, scratch, log)
	if err != nil {
		return fmt.Errorf("restore: %s is not a usable backup: %w", backup, err)
	}
	// Opening migrated it to this kiosk's schema; checkpoint so the one
	// file is complete, then move it into place.
	if err := db.Checkpoint(ctx); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	tmp := target + ".restoring"
	os.Remove(tmp) // left by a restore cut short
	if err := durable.CopyFile(filepath.Join(scratch, storage.FileName), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	return durable.SyncDir(dataDir)
}

// cell makes a value safe for a spreadsheet: text that a spreadsheet would
// read as a formula (a customer may type "=1+1" as a name) gets a leading
// apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func wall(ms sql.NullInt64) string {
	if !ms.Valid {
		return ""
	}
	return time.UnixMilli(ms.Int64).UTC().Format(time.RFC3339)
}

func seconds(from, to sql.NullInt64) string {
	if !from.Valid || !to.Valid {
		return ""
	}
	return fmt.Sprintf("%.1f", float64(to.Int64-from.Int64)/1000)
}

// OrdersCSV writes the orders of a booth day as CSV, one row an order in
// number order; waits are measured on the kiosk's running time, so they are
// right whatever the wall clock did.
func OrdersCSV(ctx context.Context, db *sql.DB, boothDay int64, w io.Writer) error {
	rows, err := db.QueryContext(ctx, `SELECT coalesce(number, 0), customer_name, state, coalesce(end_reason, ''), drink,
		created_at, submitted_at, completed_at, ended_at, submitted_run, completed_run
		FROM orders WHERE booth_day = ? ORDER BY number IS NULL, number, created_run`, boothDay)
	if err != nil {
		return err
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.Write([]string{"number", "name", "state", "end_reason", "drink", "options", "opened_at", "ordered_at",
		"ready_at", "ended_at", "wait_seconds"})
	for rows.Next() {
		var number int
		var name, state, reason string
		var drink sql.NullString
		var created int64
		var submitted, completed, ended, subRun, compRun sql.NullInt64
		if err := rows.Scan(&number, &name, &state, &reason, &drink, &created, &submitted, &completed, &ended,
			&subRun, &compRun); err != nil {
			return err
		}
		var d struct {
			Drink   string
			Options []struct{ Group, Choice string }
		}
		if drink.Valid {
			json.Unmarshal([]byte(drink.String), &d)
		}
		var opts []string
		for _, o := range d.Options {
			opts = append(opts, o.Group+": "+o.Choice)
		}
		num := ""
		if number > 0 {
			num = fmt.Sprint(number)
		}
		cw.Write([]string{num, cell(name), state, reason, cell(d.Drink), cell(strings.Join(opts, "; ")),
			wall(sql.NullInt64{Int64: created, Valid: true}), wall(submitted), wall(completed), wall(ended),
			seconds(subRun, compRun)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// EventsCSV writes the whole event log as CSV, in commit order.
func EventsCSV(ctx context.Context, db *sql.DB, w io.Writer) error {
	rows, err := db.QueryContext(ctx, `SELECT seq, id, time_at, time_run, source, detail_type, version,
		coalesce(order_id, ''), detail FROM events ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "id", "time", "run_time_ms", "source", "detail_type", "version", "order_id", "detail"})
	for rows.Next() {
		var seq, at, run int64
		var version int
		var id, source, typ, orderID, detail string
		if err := rows.Scan(&seq, &id, &at, &run, &source, &typ, &version, &orderID, &detail); err != nil {
			return err
		}
		cw.Write([]string{fmt.Sprint(seq), id, wall(sql.NullInt64{Int64: at, Valid: true}), fmt.Sprint(run),
			source, typ, fmt.Sprint(version), orderID, cell(detail)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
