// Package closeout closes the booth at the end of the day, the one action
// behind the admin app's "Close the booth" and the long press of the
// booth's button: it stops new orders, lets the open ones finish or time
// out, checkpoints the database, writes a consistent dated backup into the
// data directory (and onto any other backup directory given, such as a
// mounted USB drive), and then says it is safe to unplug.
//
// Its progress is kept in the database, so a restart while closing carries
// on where it was.
package closeout

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/durable"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/shop"
)

// The states of the booth, as closing sees it.
const (
	StateOpen    = "open"    // not closing (the shop itself may be open or closed)
	StateClosing = "closing" // no new orders; waiting for the open ones to end
	StateClosed  = "closed"  // backed up: safe to unplug
)

// Status is where closing the booth stands.
type Status struct {
	State      string   `json:"state"`
	OpenOrders int      `json:"openOrders"`
	Backup     string   `json:"backup,omitempty"`
	Copies     []string `json:"copies,omitempty"`
	Error      string   `json:"error,omitempty"` // why the last backup attempt failed
}

const stateKey = "closeout"

// recheck is how often a closing booth counts its open orders even when no
// event says so.
const recheck = 5 * time.Second

// Service closes the booth.
type Service struct {
	store  *events.Store
	shop   *shop.Service
	dir    string   // the data directory; backups go into dir/backups
	copies []string // further directories for a copy, e.g. a USB drive
	log    *slog.Logger
	wake   chan struct{}

	mu      sync.Mutex
	lastErr string // why the last attempt to finish closing failed
}

func (s *Service) setErr(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = e
}

func (s *Service) lastError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// New returns the service. Backups are written to dataDir/backups and
// copied into each of copyDirs that exists.
func New(store *events.Store, shops *shop.Service, dataDir string, copyDirs []string, log *slog.Logger) *Service {
	return &Service{store: store, shop: shops, dir: dataDir, copies: copyDirs, log: log, wake: make(chan struct{}, 1)}
}

type saved struct {
	State  string   `json:"state"`
	Backup string   `json:"backup,omitempty"`
	Copies []string `json:"copies,omitempty"`
}

func (s *Service) load(ctx context.Context) (saved, error) {
	var raw string
	err := s.store.DB().Read().QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", stateKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return saved{State: StateOpen}, nil
	}
	if err != nil {
		return saved{}, err
	}
	var st saved
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return saved{}, fmt.Errorf("closing state: %w", err)
	}
	return st, nil
}

func store(ctx context.Context, tx *events.Tx, st saved) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, stateKey, string(raw))
	return err
}

func openOrders(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, order.InFlightSQL).Scan(&n)
	return n, err
}

// Status says where closing stands.
func (s *Service) Status(ctx context.Context) (Status, error) {
	st, err := s.load(ctx)
	if err != nil {
		return Status{}, err
	}
	n, err := openOrders(ctx, s.store.DB().Read())
	if err != nil {
		return Status{}, err
	}
	// An open shop is not closing, whatever the saved state says: the
	// subscriber that records the reopening may not have run yet, and
	// whoever opened the shop must see it at once.
	cfg, err := s.shop.Config(ctx)
	if err != nil {
		return Status{}, err
	}
	if cfg.Open {
		return Status{State: StateOpen, OpenOrders: n}, nil
	}
	out := Status{State: st.State, OpenOrders: n, Backup: st.Backup, Copies: st.Copies}
	if st.State == StateClosing {
		out.Error = s.lastError()
	}
	return out, nil
}

// Close starts closing the booth: the shop closes to new orders at once and
// the rest follows as the open orders end. Staff only; closing a booth that
// is closing or closed changes nothing.
func (s *Service) Close(ctx context.Context, actor access.Actor) (Status, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Status{}, err
	}
	if _, err := s.shop.SetOpen(ctx, actor, false); err != nil {
		return Status{}, err
	}
	err := s.store.Write(ctx, func(tx *events.Tx) error {
		var raw string
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", stateKey).Scan(&raw)
		if err == nil {
			var st saved
			if json.Unmarshal([]byte(raw), &st) == nil && st.State != StateOpen {
				return nil
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		n, err := openOrders(ctx, tx)
		if err != nil {
			return err
		}
		if err := store(ctx, tx, saved{State: StateClosing}); err != nil {
			return err
		}
		_, err = tx.Emit(&events.BoothClosing{ActorID: actor.ID, OpenOrders: n})
		return err
	})
	if err != nil {
		return Status{}, err
	}
	s.kick()
	return s.Status(ctx)
}

func (s *Service) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Subscribe follows the event log under the durable name "closeout": an
// order ending wakes the closing, and opening the shop again stops it.
func (s *Service) Subscribe(ctx context.Context) error {
	return s.store.Subscribe(ctx, "closeout", false, func(ctx context.Context, e events.Event) error {
		switch e.DetailType {
		case events.TypeOrderFinished:
			s.kick()
		case events.TypeConfigChanged:
			d, err := e.Decode()
			if err != nil {
				return nil
			}
			if d.(*events.ConfigChanged).StoreOpen {
				return s.reopen(ctx)
			}
		}
		return nil
	})
}

// reopen forgets a closing or closed state once the shop opens again.
func (s *Service) reopen(ctx context.Context) error {
	st, err := s.load(ctx)
	if err != nil || st.State == StateOpen {
		return err
	}
	return s.store.Write(ctx, func(tx *events.Tx) error {
		// The event may be old news by now: the shop may have closed
		// again since and a new closing begun, which must go on. Only a
		// shop that is open now ends the closing.
		cfg, err := shop.Load(ctx, tx)
		if err != nil || !cfg.Open {
			return err
		}
		return store(ctx, tx, saved{State: StateOpen})
	})
}

// Run carries closing on whenever it is under way, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		if err := s.step(ctx); err != nil && ctx.Err() == nil {
			s.setErr(err.Error())
			s.log.Error("closing the booth", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-s.store.Clock().After(recheck):
		}
	}
}

// step finishes closing if no order is open any more.
func (s *Service) step(ctx context.Context) error {
	st, err := s.load(ctx)
	if err != nil || st.State != StateClosing {
		return err
	}
	n, err := openOrders(ctx, s.store.DB().Read())
	if err != nil || n > 0 {
		return err
	}
	name := "kiosk-" + s.store.Clock().Now().Format("2006-01-02-150405") + ".db"
	dir := filepath.Join(s.dir, "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := s.store.DB().Backup(ctx, path); err != nil {
		return err
	}
	var copies []string
	for _, d := range s.copies {
		if info, err := os.Stat(d); err != nil || !info.IsDir() {
			continue
		}
		dest := filepath.Join(d, name)
		if err := durable.CopyFile(path, dest); err != nil {
			s.log.Warn("could not copy the backup", "to", dest, "err", err)
			continue
		}
		copies = append(copies, dest)
	}
	s.setErr("")
	err = s.store.Write(ctx, func(tx *events.Tx) error {
		if err := store(ctx, tx, saved{State: StateClosed, Backup: name, Copies: copies}); err != nil {
			return err
		}
		_, err := tx.Emit(&events.BoothClosed{Backup: name, Copies: copies})
		return err
	})
	if err == nil {
		s.log.Info("the booth is closed and backed up: safe to unplug", "backup", path, "copies", copies)
	}
	return err
}
