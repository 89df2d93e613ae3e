package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAFullDiskGetsAClearErrorAndTheKioskRecovers puts the data directory
// on a small tmpfs and fills it. Mounting needs root (as on CI and the
// development machines); elsewhere the test says so and skips.
func TestAFullDiskGetsAClearErrorAndTheKioskRecovers(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	k := startKiosk(t, dir)
	staff := k.staff()
	phone, o := k.scan(staff)

	// Fill the disk to the last byte.
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{0}, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	for {
		if _, err := f.Write([]byte{0}); err != nil {
			break
		}
	}
	f.Close()

	var failed struct {
		Error struct{ Code, Message string }
	}
	code := phone.call("PUT", "/api/orders/"+o.ID+"/drink", `{"drinkId":"latte","options":[]}`, &failed)
	if code != 503 || failed.Error.Code != "disk_full" || !strings.Contains(failed.Error.Message, "storage is full") {
		raw, _ := json.Marshal(failed)
		t.Fatalf("a write on a full disk: %d %s", code, raw)
	}
	// Reading still works, and the order is as it was.
	phone.must("GET", "/api/orders/"+o.ID, "", &o)
	if o.State != "waiting" {
		t.Fatalf("the failed write changed the order: %+v", o)
	}

	// Space returns: the kiosk carries on by itself.
	os.Remove(filler)
	phone.must("PUT", "/api/orders/"+o.ID+"/drink", `{"drinkId":"latte","options":[]}`, &o)
	if o.State != "queued" || o.Number != 1 {
		t.Fatalf("after space returned: %+v", o)
	}
	// Nothing is corrupted: a restart passes the integrity check.
	k.stop()
	k.start()
	k.staff().must("GET", "/api/orders/"+o.ID, "", &o)
}
