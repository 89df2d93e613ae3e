package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/storage"
	"golang.org/x/sys/unix"
)

type dataBox struct {
	t     *testing.T
	root  string
	label string // the by-label folder
	log   bytes.Buffer
	slept time.Duration
}

func newDataBox(t *testing.T) *dataBox {
	b := &dataBox{t: t, root: t.TempDir(), label: t.TempDir()}
	return b
}

func (b *dataBox) setup() *DataSetup {
	return &DataSetup{Root: b.root, ByLabel: b.label, Wait: 2 * time.Second, FSType: "ext4",
		Log:   slog.New(slog.NewTextHandler(&b.log, nil)),
		sleep: func(d time.Duration) { b.slept += d }}
}

func (b *dataBox) status() Status {
	b.t.Helper()
	var st Status
	raw, err := os.ReadFile(filepath.Join(b.root, StatusPath))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		b.t.Fatal(err)
	}
	return st
}

// writeStatus puts the status the boot command would have written.
func (b *dataBox) writeStatus(st Status) {
	b.t.Helper()
	raw, _ := json.Marshal(st)
	p := filepath.Join(b.root, StatusPath)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// drive makes a loop device with the given file system (or none) and links
// it under the label, as udev would.
func (b *dataBox) drive(fstype string) string {
	t := b.t
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a drive: run as root (CI does)")
	}
	img := filepath.Join(t.TempDir(), "usb.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 16<<20); err != nil {
		t.Fatal(err)
	}
	if fstype != "" {
		if out, err := exec.Command("mkfs."+fstype, "-q", "-L", USBLabel, img).CombinedOutput(); err != nil {
			t.Fatalf("mkfs.%s: %v\n%s", fstype, err, out)
		}
	}
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device here (%v: %s)", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	if err := os.Symlink(dev, filepath.Join(b.label, USBLabel)); err != nil {
		t.Fatal(err)
	}
	return dev
}

// unmountAfter undoes the data command's mounts when the test ends.
func (b *dataBox) unmountAfter() {
	b.t.Cleanup(func() {
		unix.Unmount(filepath.Join(b.root, DataDir), unix.MNT_DETACH)
		unix.Unmount(filepath.Join(b.root, USBMount), unix.MNT_DETACH)
	})
}

// database makes a real kiosk database in dir with one marked row.
func database(t *testing.T, dir, mark string) {
	t.Helper()
	db, err := storage.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO meta (key, value) VALUES ('mark', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", mark)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func markOf(t *testing.T, dir string) string {
	t.Helper()
	db, err := storage.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mark string
	if err := db.Read().QueryRow("SELECT value FROM meta WHERE key = 'mark'").Scan(&mark); err != nil {
		t.Fatalf("the database in %s: %v", dir, err)
	}
	return mark
}

func TestDataWithoutADriveChangesNothing(t *testing.T) {
	b := newDataBox(t)
	b.writeStatus(Status{File: "/boot/firmware/booth.toml"})
	if err := b.setup().Run(); err != nil {
		t.Fatal(err)
	}
	if b.slept < 2*time.Second {
		t.Fatalf("waited %v for the drive, want the whole 2 s", b.slept)
	}
	if st := b.status(); st.Data != "" || len(st.Problems) != 0 {
		t.Fatalf("status changed without a drive: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(b.root, USBMount)); err == nil {
		t.Fatal("a mount point was made without a drive")
	}
	if !strings.Contains(b.log.String(), "no USB drive labelled KIOSKUSB") {
		t.Fatalf("log: %s", b.log.String())
	}
}

func TestDataMovesTheDatabaseOntoANewDrive(t *testing.T) {
	b := newDataBox(t)
	dev := b.drive("ext4")
	b.unmountAfter()
	sd := filepath.Join(b.root, DataDir)
	database(t, sd, "from the SD card")
	b.writeStatus(Status{File: "/boot/firmware/booth.toml", Problems: []Problem{{Line: 3, Message: "kept"}}})

	old := unix.Umask(0o077) // as kiosk-data.service runs it
	err := b.setup().Run()
	unix.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := isMountPoint(sd); err != nil || !m {
		t.Fatalf("the data directory is not the drive's folder (mount point %v, %v)", m, err)
	}
	if got := markOf(t, filepath.Join(b.root, USBMount, usbFolder)); got != "from the SD card" {
		t.Fatalf("the drive's database has %q", got)
	}
	if got := markOf(t, sd); got != "from the SD card" {
		t.Fatalf("the kiosk's data directory has %q", got)
	}
	st := b.status()
	if st.Data != "usb:"+dev || len(st.Problems) != 1 || st.Problems[0].Message != "kept" {
		t.Fatalf("status = %+v", st)
	}
	// The kiosk runs as another user: the status stays readable to it
	// under the unit's UMask=0077.
	if info, err := os.Stat(filepath.Join(b.root, StatusPath)); err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("status file mode %v, %v; want 0644", info.Mode().Perm(), err)
	}
	// A write through the data directory lands on the drive, not the card.
	database(t, sd, "written at the booth")
	unix.Unmount(sd, 0)
	if got := markOf(t, sd); got != "from the SD card" {
		t.Fatalf("the SD card's own copy changed: %q", got)
	}
	if got := markOf(t, filepath.Join(b.root, USBMount, usbFolder)); got != "written at the booth" {
		t.Fatalf("the drive has %q", got)
	}
}

func TestDataUsesTheDrivesOwnDatabaseAndRunsOnce(t *testing.T) {
	b := newDataBox(t)
	b.drive("ext4")
	b.unmountAfter()
	sd := filepath.Join(b.root, DataDir)
	database(t, sd, "from the SD card")
	// A drive from an earlier day already has the kiosk's folder.
	if err := b.setup().Run(); err != nil {
		t.Fatal(err)
	}
	database(t, sd, "yesterday on the drive")
	unix.Unmount(sd, 0)
	unix.Unmount(filepath.Join(b.root, USBMount), 0)

	if err := b.setup().Run(); err != nil {
		t.Fatal(err)
	}
	if got := markOf(t, sd); got != "yesterday on the drive" {
		t.Fatalf("the data directory has %q, want the drive's own database", got)
	}
	if !strings.Contains(b.log.String(), "not used while it is in") {
		t.Fatalf("no word that the SD card's database is set aside: %s", b.log.String())
	}
	// Run again (a restarted unit): nothing is mounted twice.
	b.log.Reset()
	if err := b.setup().Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.log.String(), "already on its own drive") {
		t.Fatalf("log: %s", b.log.String())
	}
}

func TestDataDriveWithoutExt4IsAProblemNotAFailure(t *testing.T) {
	b := newDataBox(t)
	b.drive("") // no file system at all, as a freshly bought stick might look to Linux
	b.unmountAfter()
	sd := filepath.Join(b.root, DataDir)
	database(t, sd, "from the SD card")
	b.writeStatus(Status{File: "/boot/firmware/booth.toml"})
	if err := b.setup().Run(); err != nil {
		t.Fatal(err)
	}
	st := b.status()
	if st.Data != "" || len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Message, "mkfs.ext4 -L KIOSKUSB") {
		t.Fatalf("status = %+v", st)
	}
	if m, _ := isMountPoint(sd); m {
		t.Fatal("the data directory was replaced by an unusable drive")
	}
	if got := markOf(t, sd); got != "from the SD card" {
		t.Fatalf("the SD card's database has %q", got)
	}
}
