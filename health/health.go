// Package health gathers what staff need to know about the box itself: the
// database, free disk, the clock, the printer, the light, who is connected,
// the last backup and the version.
package health

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/version"
)

// Report is the box's health at one moment.
type Report struct {
	Version  string         `json:"version"`
	Database Database       `json:"database"`
	Disk     Disk           `json:"disk"`
	Clock    Clock          `json:"clock"`
	Printer  any            `json:"printer,omitempty"`
	Light    Light          `json:"light"`
	Clients  map[string]int `json:"clients"` // connected now, by role
	Backup   *Backup        `json:"lastBackup,omitempty"`
}

// Database is the database's state.
type Database struct {
	OK        bool   `json:"ok"`
	Error     string `json:"error,omitempty"`
	SizeBytes int64  `json:"sizeBytes"`
	Schema    int    `json:"schema"`
}

// Disk is the space left where the data lives.
type Disk struct {
	FreeBytes  uint64 `json:"freeBytes"`
	TotalBytes uint64 `json:"totalBytes"`
	Low        bool   `json:"low"` // under LowDisk: time to make room
}

// LowDisk is when free space on the data's disk deserves a warning.
const LowDisk = 200 << 20

// Clock is the box's sense of time. Behind means the wall clock reads
// earlier than the newest event in the log: a Pi without a battery clock
// started in the past, and its time should be set.
type Clock struct {
	Now            time.Time `json:"now"`
	RunningSeconds int64     `json:"runningSeconds"`
	LastEvent      time.Time `json:"lastEvent,omitzero"`
	Behind         bool      `json:"behind"`
	// SetByStaff is when staff last set the box's time from a tablet; zero
	// when it never was (then it is as the box remembered it at start).
	SetByStaff time.Time `json:"setByStaff,omitzero"`
}

// Light is the ready light's state.
type Light struct {
	Simulated bool `json:"simulated"`
}

// Backup is the newest backup in the data directory.
type Backup struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// Parts are what the report reads from; nil functions are left out.
type Parts struct {
	DB             *storage.DB
	DataDir        string
	Now            func() time.Time
	RunTime        func() time.Duration
	Printer        func() any
	LightSimulated bool
	Clients        func() map[string]int
}

// Collect makes a report.
func Collect(ctx context.Context, p Parts) Report {
	r := Report{Version: version.Version, Clients: map[string]int{}, Light: Light{Simulated: p.LightSimulated}}
	r.Database.Schema = storage.SchemaVersion()
	if err := p.DB.Ping(ctx); err != nil {
		r.Database.Error = err.Error()
	} else {
		r.Database.OK = true
	}
	if info, err := os.Stat(p.DB.Path()); err == nil {
		r.Database.SizeBytes = info.Size()
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(p.DataDir, &fs); err == nil {
		r.Disk = Disk{FreeBytes: fs.Bavail * uint64(fs.Bsize), TotalBytes: fs.Blocks * uint64(fs.Bsize)}
		r.Disk.Low = r.Disk.FreeBytes < LowDisk
	}
	r.Clock.Now = p.Now()
	r.Clock.RunningSeconds = int64(p.RunTime().Seconds())
	var last int64
	if err := p.DB.Read().QueryRowContext(ctx, "SELECT coalesce(max(time_at), 0) FROM events").Scan(&last); err == nil && last > 0 {
		r.Clock.LastEvent = time.UnixMilli(last).UTC()
		r.Clock.Behind = r.Clock.Now.Before(r.Clock.LastEvent.Add(-time.Minute))
	}
	var setAt string
	if err := p.DB.Read().QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'clock_set_at'").Scan(&setAt); err == nil {
		var ms int64
		if _, err := fmt.Sscan(setAt, &ms); err == nil {
			r.Clock.SetByStaff = time.UnixMilli(ms).UTC()
		}
	}
	if p.Printer != nil {
		r.Printer = p.Printer()
	}
	if p.Clients != nil {
		r.Clients = p.Clients()
	}
	r.Backup = newestBackup(filepath.Join(p.DataDir, "backups"))
	return r
}

func newestBackup(dir string) *Backup {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var backups []Backup
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() && filepath.Ext(e.Name()) == ".db" {
			backups = append(backups, Backup{Name: e.Name(), At: info.ModTime().UTC()})
		}
	}
	if len(backups) == 0 {
		return nil
	}
	sort.Slice(backups, func(i, j int) bool { return backups[i].At.After(backups[j].At) })
	return &backups[0]
}
