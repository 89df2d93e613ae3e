package shop

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/testkit"
)

var (
	admin    = access.Actor{ID: "admin-1", Role: access.Admin}
	barista  = access.Actor{ID: "barista-1", Role: access.Barista}
	customer = access.Actor{ID: "cust-1", Role: access.Customer}
	display  = access.Actor{ID: "display-1", Role: access.Display}
)

func setup(t *testing.T) (*testkit.Env, *Service) {
	t.Helper()
	env := testkit.New(t)
	s := New(env.Store)
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env, s
}

func TestInitSeedsOnceWithDefaults(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	c, err := s.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Open || c.Revision != 1 || c.BoothDay != 1 || c.Settings != Defaults || len(c.Menu) != len(DemoMenu()) {
		t.Fatalf("seeded config: %+v", c)
	}
	if want := (Settings{300, 10, 20, 900, 900, 1, 600}); Defaults != want {
		t.Fatalf("defaults drifted from the design: %+v", Defaults)
	}
	if _, err := DemoMenu().Validate(); err != nil {
		t.Fatalf("the demo menu is invalid: %v", err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if got := env.Types(t, 0); !slices.Equal(got, []string{events.TypeConfigChanged}) {
		t.Fatalf("events after two Inits: %v", got)
	}
}

func TestChangesEmitConfigChanged(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	head := env.Head(t)

	c, err := s.SetOpen(ctx, barista, true)
	if err != nil || !c.Open || c.Revision != 2 {
		t.Fatalf("open: %+v %v", c, err)
	}
	if _, err := s.SetOpen(ctx, barista, true); err != nil {
		t.Fatal(err)
	}
	settings := Defaults
	settings.MaxInFlight = 5
	if c, err = s.SetSettings(ctx, admin, settings); err != nil || c.Settings.MaxInFlight != 5 {
		t.Fatalf("settings: %+v %v", c, err)
	}
	if c, err = s.SetAvailable(ctx, barista, "mocha", false); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Menu.Find("mocha"); d.Available {
		t.Fatal("mocha still available")
	}
	evs := env.Since(t, head)
	var changed []string
	for _, e := range evs {
		d, err := e.Decode()
		if err != nil {
			t.Fatal(err)
		}
		cc := d.(*events.ConfigChanged)
		changed = append(changed, cc.Changed)
		if cc.Revision < 2 {
			t.Errorf("revision %d", cc.Revision)
		}
	}
	// Opening an open shop changes nothing and says nothing.
	if !slices.Equal(changed, []string{"open", "settings", "menu"}) {
		t.Fatalf("changes announced: %v", changed)
	}
	last, _ := evs[len(evs)-1].Decode()
	var menu Menu
	json.Unmarshal(last.(*events.ConfigChanged).Menu, &menu)
	if d, _ := menu.Find("mocha"); d.Available {
		t.Fatal("the event carries the old menu")
	}
}

func TestRolesAreEnforced(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	head := env.Head(t)
	for name, err := range map[string]error{
		"customer opens":       second(s.SetOpen(ctx, customer, true)),
		"display opens":        second(s.SetOpen(ctx, display, true)),
		"barista edits menu":   second(s.SetMenu(ctx, barista, DemoMenu())),
		"barista edits limits": second(s.SetSettings(ctx, barista, Defaults)),
		"customer sells out":   second(s.SetAvailable(ctx, customer, "latte", false)),
		"customer new day":     second(s.StartBoothDay(ctx, customer)),
		"anonymous":            second(s.SetOpen(ctx, access.Actor{Role: access.Admin}, true)),
	} {
		if !errors.Is(err, apperr.Forbidden) {
			t.Errorf("%s: err = %v, want forbidden", name, err)
		}
	}
	if got := env.Types(t, head); len(got) != 0 {
		t.Fatalf("refused changes emitted %v", got)
	}
}

func second[T any](_ T, err error) error { return err }

func TestInvalidMenusAreRefusedWithReason(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	head := env.Head(t)
	edit := func(f func(Menu) Menu) Menu {
		m := DemoMenu()
		return f(m)
	}
	for _, c := range []struct {
		name string
		menu Menu
		want string
	}{
		{"empty", Menu{}, "no drinks"},
		{"duplicate id", edit(func(m Menu) Menu { m[1].ID = m[0].ID; return m }), "used twice"},
		{"bad id", edit(func(m Menu) Menu { m[0].ID = "Flat White!"; return m }), "has id"},
		{"no name", edit(func(m Menu) Menu { m[0].Name = "  "; return m }), "needs a name"},
		{"group without options", edit(func(m Menu) Menu {
			m[0].Options = []OptionGroup{{Name: "Milk"}}
			return m
		}), "has no options"},
		{"duplicate group", edit(func(m Menu) Menu {
			m[2].Options = append(m[2].Options, OptionGroup{Name: "milk", Choices: []string{"Soy"}})
			return m
		}), "two option groups"},
		{"duplicate choice", edit(func(m Menu) Menu {
			m[0].Options = []OptionGroup{{Name: "Shots", Choices: []string{"Single", "single"}}}
			return m
		}), "twice"},
		{"control chars", edit(func(m Menu) Menu { m[0].Name = "Esp\x1bresso"; return m }), "needs a name"},
		{"bad icon", edit(func(m Menu) Menu { m[0].Icon = "../../etc/passwd"; return m }), "icon"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.SetMenu(ctx, admin, c.menu)
			if !errors.Is(err, apperr.MenuInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want menu_invalid mentioning %q", err, c.want)
			}
		})
	}
	if got := env.Types(t, head); len(got) != 0 {
		t.Fatalf("refused menus emitted %v", got)
	}
	cfg, _ := s.Config(ctx)
	if cfg.Revision != 1 {
		t.Fatalf("revision moved to %d", cfg.Revision)
	}
}

func TestInvalidSettingsAreRefused(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	for _, mutate := range []func(*Settings){
		func(s *Settings) { s.CustomerTimeoutSeconds = -5 },
		func(s *Settings) { s.BaristaTimeoutSeconds = 0 },
		func(s *Settings) { s.DrinksPerCode = 0 },
		func(s *Settings) { s.MaxInFlight = -1 },
		func(s *Settings) { s.QRPeriodSeconds = 5 },
		func(s *Settings) { s.DrinksPerCustomerPerDay = -1 },
	} {
		bad := Defaults
		mutate(&bad)
		if _, err := s.SetSettings(ctx, admin, bad); !errors.Is(err, apperr.SettingsInvalid) {
			t.Errorf("%+v: err = %v", bad, err)
		}
	}
	ok := Defaults
	ok.DrinksPerCustomerPerDay = 0 // no limit is allowed
	if _, err := s.SetSettings(ctx, admin, ok); err != nil {
		t.Fatal(err)
	}
}

func TestResolveFillsDefaultsAndRefusesStrangers(t *testing.T) {
	latte, _ := DemoMenu().Find("latte")
	got, err := latte.Resolve([]events.Choice{{Group: "syrup", Choice: "vanilla"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []events.Choice{{Group: "Milk", Choice: "Regular"}, {Group: "Syrup", Choice: "Vanilla"}}
	if !slices.Equal(got.Options, want) || got.Drink != "Caffè Latte" || got.Icon != "latte" {
		t.Fatalf("resolved %+v", got)
	}
	for _, c := range []struct {
		chosen []events.Choice
		want   error
	}{
		{[]events.Choice{{Group: "Size", Choice: "Large"}}, apperr.OptionInvalid},
		{[]events.Choice{{Group: "Milk", Choice: "Soy"}}, apperr.OptionInvalid},
		{[]events.Choice{{Group: "Milk", Choice: "Oat"}, {Group: "milk", Choice: "Regular"}}, apperr.OptionRepeated},
	} {
		if _, err := latte.Resolve(c.chosen); !errors.Is(err, c.want) {
			t.Errorf("%v: err = %v, want %v", c.chosen, err, c.want)
		}
	}
}

func TestBoothDays(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	day, err := s.StartBoothDay(ctx, barista)
	if err != nil || day != 2 {
		t.Fatalf("day = %d, %v", day, err)
	}
	c, _ := s.Config(ctx)
	if c.BoothDay != 2 {
		t.Fatalf("config booth day = %d", c.BoothDay)
	}
	if got := env.Types(t, 1); !slices.Equal(got, []string{events.TypeBoothDayStarted}) {
		t.Fatalf("events %v", got)
	}
}

func strp(s string) *string { return &s }

func TestBoothSettings(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	head := env.Head(t)
	c, err := s.SetBooth(ctx, admin, BoothChange{Name: strp("  Espresso  Corner "), WifiSSID: strp("CoffeeBar"),
		PublicURL: strp("http://coffee.lan/")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Booth != (Booth{Name: "Espresso Corner", PublicURL: "http://coffee.lan/", WifiSSID: "CoffeeBar"}) {
		t.Fatalf("booth %+v", c.Booth)
	}
	// A partial change keeps the rest.
	c, _ = s.SetBooth(ctx, admin, BoothChange{WifiPassword: strp("latte-art-42")})
	if c.Booth.WifiSSID != "CoffeeBar" || c.Booth.WifiPassword != "latte-art-42" {
		t.Fatalf("after a partial change: %+v", c.Booth)
	}
	evs := env.Since(t, head)
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	d, _ := evs[1].Decode()
	if cc := d.(*events.ConfigChanged); cc.Changed != "booth" || !strings.Contains(string(cc.Booth), "latte-art-42") {
		t.Fatalf("event %+v", cc)
	}
	for _, bad := range []BoothChange{
		{PublicURL: strp("http://coffee.local/")},
		{PublicURL: strp("coffee.lan")},
		{PublicURL: strp("http://coffee.lan/?x=1")},
		{WifiSSID: strp(strings.Repeat("x", 33))},
		{WifiSSID: strp("Cafe\nssid=evil")},
		{WifiPassword: strp("short")},
		{WifiPassword: strp("pässwörter-mit-umlaut")},
		{WifiSSID: strp(""), WifiPassword: strp("long enough pw")},
		{Name: strp("Bar\x1b[2J")},
	} {
		if _, err := s.SetBooth(ctx, admin, bad); !errors.Is(err, apperr.BoothInvalid) {
			t.Errorf("%+v: err = %v", bad, err)
		}
	}
	if _, err := s.SetBooth(ctx, barista, BoothChange{Name: strp("x")}); !errors.Is(err, apperr.Forbidden) {
		t.Errorf("barista changed the booth: %v", err)
	}
	if got, _ := s.Config(ctx); got.Booth.WifiPassword != "latte-art-42" || got.Revision != 3 {
		t.Fatalf("refused changes changed the booth: %+v", got)
	}
}

func TestBroadcast(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	if n, _ := s.CurrentNotice(ctx); n.Text != "" {
		t.Fatalf("a notice before any: %+v", n)
	}
	if _, err := s.Broadcast(ctx, barista, "  Grinder down,  five minutes "); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CurrentNotice(ctx); n.Text != "Grinder down, five minutes" {
		t.Fatalf("notice %+v", n)
	}
	if _, err := s.Broadcast(ctx, customer, "free coffee!"); !errors.Is(err, apperr.Forbidden) {
		t.Fatalf("a customer broadcast: %v", err)
	}
	if _, err := s.Broadcast(ctx, barista, strings.Repeat("x", 141)); !errors.Is(err, apperr.Invalid) {
		t.Fatalf("a long broadcast: %v", err)
	}
	s.Broadcast(ctx, barista, "")
	if n, _ := s.CurrentNotice(ctx); n.Text != "" {
		t.Fatalf("after taking it down: %+v", n)
	}
}

func TestEachLoadGetsItsOwnMenu(t *testing.T) {
	_, s := setup(t)
	ctx := context.Background()
	first, err := s.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first.Menu[0].Name = "Changed by a caller"
	first.Menu[0].Options[0].Choices[0] = "Changed too"
	again, err := s.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	demo := DemoMenu()
	if again.Menu[0].Name != demo[0].Name || again.Menu[0].Options[0].Choices[0] != demo[0].Options[0].Choices[0] {
		t.Fatalf("a caller's change to its menu reached the next load: %+v", again.Menu[0])
	}
	// A saved change is read, not the menu decoded before it.
	if _, err := s.SetAvailable(ctx, barista, demo[0].ID, false); err != nil {
		t.Fatal(err)
	}
	after, err := s.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Menu[0].Available {
		t.Fatal("the load after a change gave the menu from before it")
	}
}

func TestEveryServiceReadsTheLatestChange(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	other := New(env.Store) // a second service over the same database, as the QR validator has
	if _, err := other.Config(ctx); err != nil {
		t.Fatal(err)
	}
	for i, change := range []func() error{
		func() error { _, err := s.SetOpen(ctx, barista, true); return err },
		func() error { _, err := s.SetAvailable(ctx, barista, DemoMenu()[1].ID, false); return err },
		func() error { _, err := s.StartBoothDay(ctx, barista); return err },
	} {
		if err := change(); err != nil {
			t.Fatal(err)
		}
		got, err := other.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, err := load(ctx, env.Store.DB().Read())
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != want.Revision || got.BoothDay != want.BoothDay || got.Open != want.Open ||
			got.Menu[1].Available != want.Menu[1].Available {
			t.Fatalf("change %d: read %+v, the database has %+v", i, got, want)
		}
	}
}

func TestAReadAcrossAChangeIsNotKept(t *testing.T) {
	c := &cache{}
	old := Config{Revision: 1}
	// A read that began before a change and ended after it.
	_, gen, _ := c.lookup()
	c.begin()
	c.end()
	c.put(old, gen)
	if _, _, ok := c.lookup(); ok {
		t.Fatal("a read from before a change was kept")
	}
	// A read that ended while a change was under way.
	_, gen, _ = c.lookup()
	c.begin()
	c.put(old, gen)
	c.end()
	if _, _, ok := c.lookup(); ok {
		t.Fatal("a read taken during a change was kept")
	}
	// A read with no change around it is kept.
	_, gen, _ = c.lookup()
	c.put(Config{Revision: 2}, gen)
	if got, _, ok := c.lookup(); !ok || got.Revision != 2 {
		t.Fatalf("a quiet read was not kept: %+v %v", got, ok)
	}
}

func TestLoadInAWriteSeesAChangeUnderWay(t *testing.T) {
	env, s := setup(t)
	ctx := context.Background()
	load := func() Config {
		t.Helper()
		var cfg Config
		if err := env.Store.Write(ctx, func(tx *events.Tx) error {
			var err error
			cfg, err = Load(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	if load().Open {
		t.Fatal("the seeded shop is open")
	}
	// Kept now. A change's own transaction reads its rows, not the copy,
	// and what it read is not kept when the change rolls back.
	c := cacheOf(env.Store)
	c.begin()
	rollback := errors.New("roll back")
	err := env.Store.Write(ctx, func(tx *events.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE shop SET open = 1"); err != nil {
			return err
		}
		cfg, err := Load(ctx, tx)
		if err != nil {
			return err
		}
		if !cfg.Open {
			t.Error("a change's own transaction read the kept configuration")
		}
		return rollback
	})
	c.end()
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if load().Open {
		t.Fatal("a load after a rolled-back change read the change")
	}
	// A committed change is read by the next load in a write.
	if _, err := s.SetOpen(ctx, barista, true); err != nil {
		t.Fatal(err)
	}
	if !load().Open {
		t.Fatal("a load after a change read the configuration from before it")
	}
}
