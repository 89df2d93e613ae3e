package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/coffeebar/kiosk/durable"
	"github.com/coffeebar/kiosk/netsetup"
	"github.com/coffeebar/kiosk/storage"
	"golang.org/x/sys/unix"
)

// The kiosk's data on a USB drive. An SD card wears out and is slow to
// sync; a USB drive labelled KIOSKUSB (ext4) takes the database instead
// when it is in at boot. The first time, the database already on the SD
// card is copied onto it (the SD card's copy is left as it was); after that
// the drive's own database is used. The drive is mounted at /run/kiosk-usb
// and its kiosk folder bound over the kiosk's data directory, before the
// kiosk starts. Without a drive nothing changes.
const (
	// USBLabel is the file system label the drive must have.
	USBLabel = "KIOSKUSB"
	// USBMount is where the drive is mounted.
	USBMount = "/run/kiosk-usb"
	// DataDir is the kiosk's data directory as systemd keeps it
	// (kiosk.service: DynamicUser=, StateDirectory=kiosk).
	DataDir = "/var/lib/private/kiosk"
	// usbFolder is the kiosk's folder on the drive.
	usbFolder = "kiosk"
)

// DataSetup is one run of the data command.
type DataSetup struct {
	// Root stands for "/" for every path but the device's.
	Root string
	// ByLabel is the folder of links to devices by label.
	ByLabel string
	// Wait is how long to wait for the drive to appear: USB storage is
	// found a few seconds into the boot.
	Wait time.Duration
	// FSType is the file system the drive must have.
	FSType string
	Log    *slog.Logger

	sleep func(time.Duration) // time.Sleep; tests count instead
}

// dataMain parses the flags of the data command and runs it.
func dataMain(args []string, log *slog.Logger, stderr io.Writer) int {
	d := DataSetup{Log: log, FSType: "ext4"}
	fs := flag.NewFlagSet("kiosk-setup data", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&d.Root, "root", "/", "the directory standing for / (for trying it out on a copy)")
	fs.StringVar(&d.ByLabel, "by-label", "/dev/disk/by-label", "the folder of links to devices by file system label")
	fs.DurationVar(&d.Wait, "wait", 10*time.Second, "how long to wait for a drive labelled "+USBLabel)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kiosk-setup data: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := d.Run(); err != nil {
		log.Error("the data directory could not be set up", "err", err)
		return 1
	}
	return 0
}

func (d *DataSetup) path(p string) string { return filepath.Join(d.Root, p) }

// Run puts the kiosk's data on the drive if there is one. A drive that
// cannot be used is a problem for the booth's status (the display shows
// it), not a failure: the kiosk keeps its data where it was.
func (d *DataSetup) Run() error {
	link := filepath.Join(d.ByLabel, USBLabel)
	dev, ok := d.waitForDevice(link)
	if !ok {
		d.Log.Info("no USB drive labelled "+USBLabel+": the kiosk's data stays in "+DataDir, "looked_for", link)
		return nil
	}
	target := d.path(DataDir)
	if mounted, err := isMountPoint(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if mounted {
		d.Log.Info("the kiosk's data directory is already on its own drive", "dir", target)
		return nil
	}
	mnt := d.path(USBMount)
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		return err
	}
	if err := unix.Mount(dev, mnt, d.FSType, unix.MS_NOATIME|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return d.problem(fmt.Sprintf("The USB drive labelled %s (%s) could not be used: %v. It must be formatted as %s "+
			"(mkfs.%s -L %s). The kiosk keeps its data on the SD card.", USBLabel, dev, err, d.FSType, d.FSType, USBLabel))
	}
	folder := filepath.Join(mnt, usbFolder)
	err := d.prepare(folder, target)
	if err == nil {
		err = os.MkdirAll(target, 0o700)
	}
	if err == nil {
		err = unix.Mount(folder, target, "", unix.MS_BIND, "")
	}
	if err != nil {
		unix.Unmount(mnt, 0)
		return d.problem(fmt.Sprintf("The USB drive labelled %s could not take the kiosk's data: %v. "+
			"The kiosk keeps its data on the SD card.", USBLabel, err))
	}
	d.Log.Info("the kiosk's data is on the USB drive: leave it in until the booth is closed and the box shut down",
		"device", dev, "folder", folder)
	return d.setStatus(func(st *Status) { st.Data = "usb:" + dev })
}

// waitForDevice returns the device the link points to, waiting up to Wait
// for it to appear.
func (d *DataSetup) waitForDevice(link string) (string, bool) {
	if d.sleep == nil {
		d.sleep = time.Sleep
	}
	var dev string
	found := poll(d.Wait, d.sleep, func() bool {
		var err error
		dev, err = filepath.EvalSymlinks(link)
		return err == nil
	})
	return dev, found
}

// prepare makes the drive's kiosk folder: the drive's own if it has one,
// otherwise a copy of the data already in current (the SD card's), put in
// place only once complete.
func (d *DataSetup) prepare(folder, current string) error {
	if info, err := os.Stat(folder); err == nil {
		if !info.IsDir() {
			return fmt.Errorf("%s on the drive is not a folder", usbFolder)
		}
		if _, err := os.Stat(filepath.Join(current, storage.FileName)); err == nil {
			d.Log.Warn("the USB drive has the kiosk's data already; the database on the SD card is not used while it is in",
				"sd_card", current)
		}
		return nil
	}
	tmp := folder + ".copying"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return err
	}
	n, err := copyTree(current, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("copy the data from the SD card: %w", err)
	}
	if err := os.Rename(tmp, folder); err != nil {
		return err
	}
	if err := durable.SyncDir(filepath.Dir(folder)); err != nil {
		return err
	}
	if n > 0 {
		d.Log.Info("copied the kiosk's data from the SD card to the USB drive", "files", n)
	}
	return nil
}

// copyTree copies the folders and regular files under src into dst, each
// file synced, and returns how many files it copied. A missing src is an
// empty one.
func copyTree(src, dst string) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == src && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		out := filepath.Join(dst, rel)
		switch {
		case e.IsDir():
			return os.Mkdir(out, 0o700)
		case e.Type().IsRegular():
			n++
			return durable.CopyFile(p, out)
		}
		return nil // sockets and links are not data
	})
	return n, err
}

// isMountPoint says whether p is a mount point: on another device than its
// parent, or the same directory mounted again (a bind mount within one file
// system is told by its mount ID).
func isMountPoint(p string) (bool, error) {
	var st, parent unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, fs.ErrNotExist
		}
		return false, err
	}
	if err := unix.Stat(filepath.Dir(p), &parent); err != nil {
		return false, err
	}
	if st.Dev != parent.Dev {
		return true, nil
	}
	id, err := mountID(p)
	if err != nil {
		return false, err
	}
	pid, err := mountID(filepath.Dir(p))
	if err != nil {
		return false, err
	}
	return id != pid, nil
}

func mountID(p string) (uint64, error) {
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, p, 0, unix.STATX_MNT_ID, &stx); err != nil {
		return 0, err
	}
	return stx.Mnt_id, nil
}

// problem records msg in the booth's status for the display and the log.
func (d *DataSetup) problem(msg string) error {
	d.Log.Error(msg)
	return d.setStatus(func(st *Status) { st.Problems = append(st.Problems, Problem{Message: msg}) })
}

// setStatus changes the status file kiosk-setup's boot command wrote. It
// is read again by the kiosk when it starts, after this.
func (d *DataSetup) setStatus(change func(*Status)) error {
	path := d.path(StatusPath)
	var st Status
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("the booth status %s: %w", path, err)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return err
	}
	if st.Problems == nil {
		st.Problems = []Problem{}
	}
	change(&st)
	out, _ := json.MarshalIndent(st, "", "  ")
	// 0644 whatever the unit's umask: the kiosk, another user, reads it.
	return netsetup.WriteAtomic(path, append(out, '\n'), 0o644)
}
