package archive

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/testkit"
)

var admin = access.Actor{ID: "admin-1", Role: access.Admin}

func TestMain(m *testing.M) {
	auth.SetTestCost(bcrypt.MinCost)
	os.Exit(m.Run())
}

// aDayAtTheBooth fills a database with a menu edit, settings, the booth,
// staff accounts and orders in every state.
func aDayAtTheBooth(t *testing.T, env *testkit.Env) *order.Service {
	t.Helper()
	ctx := context.Background()
	shops := shop.New(env.Store)
	shops.Init(ctx)
	shops.SetOpen(ctx, admin, true)
	s := shop.Defaults
	s.DrinksPerCode = 50
	shops.SetSettings(ctx, admin, s)
	name := "Espresso Corner"
	shops.SetBooth(ctx, admin, shop.BoothChange{Name: &name})
	shops.SetAvailable(ctx, admin, "mocha", false)
	a, _ := auth.New(ctx, env.Store, testkit.Quiet)
	a.EnsureAdmin(ctx, "correct horse")
	a.CreateAccount(ctx, admin, "kim", access.Barista, "espresso!")
	orders := order.New(env.Store, testkit.Quiet)
	code, _ := qr.New(env.Store).Current(ctx, access.SystemActor)
	for i, end := range []string{"waiting", "queued", "making", "completed", "cancelled"} {
		c := access.Actor{ID: fmt.Sprint("cust-", i), Role: access.Customer}
		o, err := orders.Open(ctx, c, "=HYPERLINK(\"x\")", code.Code)
		if err != nil {
			t.Fatal(err)
		}
		if end == "waiting" {
			continue
		}
		orders.Submit(ctx, c, o.ID, order.Selection{DrinkID: "latte"})
		switch end {
		case "making":
			orders.Make(ctx, admin, o.ID)
		case "completed":
			orders.Make(ctx, admin, o.ID)
			orders.Complete(ctx, admin, o.ID)
		case "cancelled":
			orders.CancelOwn(ctx, c, o.ID)
		}
	}
	return orders
}

// dump reads every row of every table, for comparing two databases whole.
func dump(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	tables, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	out := map[string][]string{}
	for _, n := range names {
		rows, err := db.Query("SELECT * FROM " + n + " ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			out[n] = append(out[n], fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

func TestABackupRestoresIntoAFreshBoxWhole(t *testing.T) {
	ctx := context.Background()
	env := testkit.New(t)
	aDayAtTheBooth(t, env)
	backup := filepath.Join(t.TempDir(), "kiosk-backup.db")
	if err := env.DB.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	want := dump(t, env.DB.Read())

	fresh := filepath.Join(t.TempDir(), "data")
	if err := Restore(ctx, backup, fresh, testkit.Quiet); err != nil {
		t.Fatal(err)
	}
	restored := testkit.At(t, fresh)
	got := dump(t, restored.DB.Read())
	if len(got) != len(want) {
		t.Fatalf("%d tables restored, want %d", len(got), len(want))
	}
	for table, rows := range want {
		if strings.Join(got[table], "\n") != strings.Join(rows, "\n") {
			t.Errorf("table %s differs after restore:\n got %v\nwant %v", table, got[table], rows)
		}
	}
	// And it works: the old password signs in, the menu is the edited one.
	a, _ := auth.New(ctx, restored.Store, testkit.Quiet)
	if _, _, err := a.Login(ctx, "ip", "kim", "espresso!"); err != nil {
		t.Fatalf("sign in on the restored box: %v", err)
	}
	cfg, _ := shop.New(restored.Store).Config(ctx)
	if d, _ := cfg.Menu.Find("mocha"); d.Available || cfg.Settings.DrinksPerCode != 50 || cfg.Booth.Name != "Espresso Corner" {
		t.Fatalf("restored config %+v", cfg)
	}
}

func TestRestoreRefusesToOverwriteOrToTakeJunk(t *testing.T) {
	ctx := context.Background()
	env := testkit.New(t)
	aDayAtTheBooth(t, env)
	backup := filepath.Join(t.TempDir(), "b.db")
	env.DB.Backup(ctx, backup)
	if err := Restore(ctx, backup, env.Dir, testkit.Quiet); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Fatalf("restore over a booth's data: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 500), 0o600)
	empty := filepath.Join(t.TempDir(), "data")
	if err := Restore(ctx, junk, empty, testkit.Quiet); err == nil {
		t.Fatal("restored junk")
	}
	if _, err := os.Stat(filepath.Join(empty, storage.FileName)); err == nil {
		t.Fatal("a refused restore left a database behind")
	}
}

func TestCSVExportsAreSpreadsheetSafe(t *testing.T) {
	ctx := context.Background()
	env := testkit.New(t)
	aDayAtTheBooth(t, env)
	var buf bytes.Buffer
	if err := OrdersCSV(ctx, env.DB.Read(), 1, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][0] != "number" {
		t.Fatalf("orders CSV:\n%v", rows)
	}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[1], "'=") {
			t.Fatalf("a name that a spreadsheet would run: %q", r[1])
		}
	}
	if rows[1][0] != "1" || rows[1][4] != "Caffè Latte" || rows[1][5] != "Milk: Regular; Syrup: None" {
		t.Fatalf("first order row %v", rows[1])
	}
	buf.Reset()
	if err := EventsCSV(ctx, env.DB.Read(), &buf); err != nil {
		t.Fatal(err)
	}
	evs, _ := csv.NewReader(&buf).ReadAll()
	var n int
	env.DB.Read().QueryRow("SELECT count(*) FROM events").Scan(&n)
	if len(evs) != n+1 {
		t.Fatalf("%d event rows for %d events", len(evs)-1, n)
	}
}
