package health

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

func TestTheReportSaysWhatIsWrong(t *testing.T) {
	env := testkit.New(t)
	ctx := context.Background()
	shop.New(env.Store).Init(ctx)
	shop.New(env.Store).SetOpen(ctx, access.Actor{ID: "a", Role: access.Admin}, true)
	parts := Parts{DB: env.DB, DataDir: env.Dir, Now: env.Clock.Now, RunTime: env.Store.RunTime,
		Printer: func() any { return map[string]string{"health": "offline"} }, LightSimulated: true,
		Clients: func() map[string]int { return map[string]int{"customer": 3} }}
	r := Collect(ctx, parts)
	if !r.Database.OK || r.Database.SizeBytes == 0 || r.Disk.TotalBytes == 0 || r.Clock.Behind || r.Backup != nil {
		t.Fatalf("healthy box: %+v", r)
	}
	if !r.Light.Simulated || r.Clients["customer"] != 3 || r.Printer == nil {
		t.Fatalf("parts: %+v", r)
	}
	// The Pi restarts with its clock in the past.
	env.Clock.Jump(-48 * time.Hour)
	if r := Collect(ctx, parts); !r.Clock.Behind {
		t.Fatalf("clock two days behind the log not noticed: %+v", r.Clock)
	}
	// Backups: the newest one is named.
	dir := filepath.Join(env.Dir, "backups")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "kiosk-old.db"), []byte("x"), 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "kiosk-old.db"), old, old)
	os.WriteFile(filepath.Join(dir, "kiosk-new.db"), []byte("x"), 0o600)
	if r := Collect(ctx, parts); r.Backup == nil || r.Backup.Name != "kiosk-new.db" {
		t.Fatalf("last backup %+v", r.Backup)
	}
	env.DB.Close()
	if r := Collect(ctx, parts); r.Database.OK || r.Database.Error == "" {
		t.Fatalf("a closed database reported healthy: %+v", r.Database)
	}
}
