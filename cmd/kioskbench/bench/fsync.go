package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the same pure-Go SQLite as the kiosk
)

// Ceiling is how many durable commits per second SQLite manages on the
// kiosk's disk with the kiosk's pragmas, one writer, one small row each.
type Ceiling struct {
	CommitsPerSecond float64 `json:"commitsPerSecond"`
	Commits          int     `json:"commits"`
	Commit           Summary `json:"commitLatency"`
	Dir              string  `json:"dir"`
}

// MeasureCeiling commits one event-sized row per transaction into a fresh
// database in dir for d: busy_timeout, WAL, synchronous=FULL and foreign
// keys, the kiosk's DSN in the kiosk's order, one connection, immediate
// transactions as the kiosk's writer takes them.
func MeasureCeiling(ctx context.Context, dir string, d time.Duration) (Ceiling, error) {
	path := filepath.Join(dir, "ceiling.db")
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
	}()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return Ceiling{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, detail TEXT NOT NULL)`); err != nil {
		return Ceiling{}, fmt.Errorf("create the ceiling table: %w", err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		return Ceiling{}, fmt.Errorf("the ceiling database is not in WAL mode (%q, %v)", mode, err)
	}
	detail := strings.Repeat("x", 400) // about one event's detail
	var lat []time.Duration
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		if err := ctx.Err(); err != nil {
			return Ceiling{}, err
		}
		t0 := time.Now()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return Ceiling{}, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO events (id, detail) VALUES (?, ?)", fmt.Sprint(i), detail); err != nil {
			tx.Rollback()
			return Ceiling{}, err
		}
		if err := tx.Commit(); err != nil {
			return Ceiling{}, err
		}
		lat = append(lat, time.Since(t0))
	}
	el := time.Since(start)
	return Ceiling{CommitsPerSecond: round3(float64(len(lat)) / el.Seconds()), Commits: len(lat), Commit: Summarize(lat), Dir: dir}, nil
}
