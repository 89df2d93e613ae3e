package shop

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
)

// Config is the shop's whole configuration at one revision.
type Config struct {
	Open     bool     `json:"open"`
	Menu     Menu     `json:"menu"`
	Settings Settings `json:"settings"`
	Booth    Booth    `json:"booth"`
	Revision int64    `json:"revision"`
	BoothDay int64    `json:"boothDay"`
}

// Service is the config service.
type Service struct {
	store *events.Store
}

// New returns the config service over the event store's database.
func New(store *events.Store) *Service { return &Service{store: store} }

// queryer is what both a read connection and a write transaction offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// errNotSeeded says the database has no shop yet.
var errNotSeeded = errors.New("the shop has not been set up; call Init first")

func load(ctx context.Context, q queryer) (Config, error) {
	var c Config
	var menu, settings, booth string
	err := q.QueryRowContext(ctx, `SELECT open, menu, settings, booth, revision, (SELECT max(id) FROM booth_days)
		FROM shop WHERE id = 1`).Scan(&c.Open, &menu, &settings, &booth, &c.Revision, &c.BoothDay)
	if errors.Is(err, sql.ErrNoRows) {
		return Config{}, errNotSeeded
	}
	if err != nil {
		return Config{}, fmt.Errorf("load shop config: %w", err)
	}
	if c.Menu, c.Settings, c.Booth, err = decodeConfig(menu, settings, booth); err != nil {
		return Config{}, err
	}
	return c, nil
}

// lastDecoded is the configuration as last decoded, by its saved text. Every
// scan, submit and complete loads the configuration, which changes a few
// times a day: decoding it once per change rather than once per load spares
// the order path its biggest JSON.
var lastDecoded struct {
	sync.Mutex
	ok                    bool
	menu, settings, booth string
	m                     Menu
	s                     Settings
	b                     Booth
}

// decodeConfig decodes the saved menu, settings and booth. Each caller gets
// its own copy of the menu, free to change.
func decodeConfig(menu, settings, booth string) (Menu, Settings, Booth, error) {
	d := &lastDecoded
	d.Lock()
	defer d.Unlock()
	if d.ok && d.menu == menu && d.settings == settings && d.booth == booth {
		return d.m.clone(), d.s, d.b, nil
	}
	var m Menu
	if err := json.Unmarshal([]byte(menu), &m); err != nil {
		return nil, Settings{}, Booth{}, fmt.Errorf("load menu: %w", err)
	}
	// Settings saved by an older kiosk lack newer fields: start from the
	// defaults so those take their default value.
	s := Defaults
	if err := json.Unmarshal([]byte(settings), &s); err != nil {
		return nil, Settings{}, Booth{}, fmt.Errorf("load settings: %w", err)
	}
	var b Booth
	if err := json.Unmarshal([]byte(booth), &b); err != nil {
		return nil, Settings{}, Booth{}, fmt.Errorf("load booth settings: %w", err)
	}
	d.ok, d.menu, d.settings, d.booth, d.m, d.s, d.b = true, menu, settings, booth, m, s, b
	return m.clone(), s, b, nil
}

// Load reads the configuration inside a write transaction, so a decision
// made on it commits only if it still holds. The kept configuration serves
// unless a change to the shop is under way: every change holds the cache
// from before its transaction begins until after it commits or rolls back,
// so a transaction that shares a commit with a change, or follows one not
// yet ended, reads the rows it sees.
func Load(ctx context.Context, tx *events.Tx) (Config, error) {
	return cacheOf(tx.Store()).read(ctx, tx)
}

// Config reads the current configuration.
func (s *Service) Config(ctx context.Context) (Config, error) {
	return cacheOf(s.store).read(ctx, s.store.DB().Read())
}

// write runs fn, a change to the shop's rows, in a write transaction.
func (s *Service) write(ctx context.Context, fn func(*events.Tx) error) error {
	c := cacheOf(s.store)
	c.begin()
	defer c.end()
	return s.store.Write(ctx, fn)
}

// Init sets up an empty database: the demo menu, the default settings, the
// shop closed, and booth day 1. On a database that has a shop it does
// nothing.
func (s *Service) Init(ctx context.Context) error {
	return s.write(ctx, func(tx *events.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM shop").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		c := Config{Menu: DemoMenu(), Settings: Defaults, Revision: 1}
		menu, settings, booth, err := encode(c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO shop (id, open, menu, settings, booth, revision) VALUES (1, ?, ?, ?, ?, ?)",
			c.Open, string(menu), string(settings), string(booth), c.Revision); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO booth_days (id, started_at, started_run, started_by) VALUES (1, ?, ?, ?)",
			tx.Now().UnixMilli(), tx.RunTime().Milliseconds(), access.SystemActor.ID); err != nil {
			return err
		}
		_, err = tx.Emit(&events.ConfigChanged{Changed: "seed", StoreOpen: c.Open, Revision: c.Revision,
			ActorID: access.SystemActor.ID, Menu: menu, Settings: settings, Booth: booth})
		return err
	})
}

func encode(c Config) (menu, settings, booth json.RawMessage, err error) {
	if menu, err = json.Marshal(c.Menu); err != nil {
		return nil, nil, nil, err
	}
	if settings, err = json.Marshal(c.Settings); err != nil {
		return nil, nil, nil, err
	}
	if booth, err = json.Marshal(c.Booth); err != nil {
		return nil, nil, nil, err
	}
	return menu, settings, booth, nil
}

// change applies edit to the current configuration and, if anything changed,
// saves it as the next revision with a ConfigChanged event.
func (s *Service) change(ctx context.Context, actor access.Actor, what string, edit func(*Config) error) (Config, error) {
	var out Config
	err := s.write(ctx, func(tx *events.Tx) error {
		cur, err := Load(ctx, tx)
		if err != nil {
			return err
		}
		next := cur
		if err := edit(&next); err != nil {
			return err
		}
		menu, settings, booth, err := encode(next)
		if err != nil {
			return err
		}
		oldMenu, oldSettings, oldBooth, _ := encode(cur)
		if next.Open == cur.Open && string(menu) == string(oldMenu) && string(settings) == string(oldSettings) &&
			string(booth) == string(oldBooth) {
			out = cur
			return nil
		}
		next.Revision = cur.Revision + 1
		if _, err := tx.ExecContext(ctx, "UPDATE shop SET open = ?, menu = ?, settings = ?, booth = ?, revision = ? WHERE id = 1",
			next.Open, string(menu), string(settings), string(booth), next.Revision); err != nil {
			return err
		}
		if _, err := tx.Emit(&events.ConfigChanged{Changed: what, StoreOpen: next.Open, Revision: next.Revision,
			ActorID: actor.ID, Menu: menu, Settings: settings, Booth: booth}); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// SetOpen opens or closes the shop. Staff only. Orders already opened go on;
// a closed shop refuses new ones.
func (s *Service) SetOpen(ctx context.Context, actor access.Actor, open bool) (Config, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Config{}, err
	}
	return s.change(ctx, actor, "open", func(c *Config) error { c.Open = open; return nil })
}

// SetMenu replaces the menu. Admins only.
func (s *Service) SetMenu(ctx context.Context, actor access.Actor, menu Menu) (Config, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return Config{}, err
	}
	clean, err := menu.Validate()
	if err != nil {
		return Config{}, err
	}
	return s.change(ctx, actor, "menu", func(c *Config) error { c.Menu = clean; return nil })
}

// SetAvailable marks one drink sold out or available again: the one-tap
// switch of the barista app. Staff only.
func (s *Service) SetAvailable(ctx context.Context, actor access.Actor, drinkID string, available bool) (Config, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return Config{}, err
	}
	return s.change(ctx, actor, "menu", func(c *Config) error {
		menu := append(Menu(nil), c.Menu...)
		for i := range menu {
			if menu[i].ID == drinkID {
				menu[i].Available = available
				c.Menu = menu
				return nil
			}
		}
		return apperr.DrinkUnknown.With("There is no drink %q on the menu.", drinkID)
	})
}

// SetSettings replaces the settings. Admins only. New values apply to what
// happens next: a deadline already set keeps its time.
func (s *Service) SetSettings(ctx context.Context, actor access.Actor, settings Settings) (Config, error) {
	if err := access.Require(actor, access.Admin); err != nil {
		return Config{}, err
	}
	if err := settings.Validate(); err != nil {
		return Config{}, err
	}
	return s.change(ctx, actor, "settings", func(c *Config) error { c.Settings = settings; return nil })
}

// StartBoothDay starts a new booth day: order numbers start again at 1 and
// the daily drink limit starts afresh. Staff only. Orders in progress carry
// on with the numbers they have.
func (s *Service) StartBoothDay(ctx context.Context, actor access.Actor) (int64, error) {
	if err := access.Require(actor, access.Barista, access.Admin); err != nil {
		return 0, err
	}
	var day int64
	err := s.write(ctx, func(tx *events.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO booth_days (started_at, started_run, started_by) VALUES (?, ?, ?)",
			tx.Now().UnixMilli(), tx.RunTime().Milliseconds(), actor.ID)
		if err != nil {
			return err
		}
		if day, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.Emit(&events.BoothDayStarted{BoothDay: day, ActorID: actor.ID})
		return err
	})
	return day, err
}
