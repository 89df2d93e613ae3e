package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/archive"
	"github.com/coffeebar/kiosk/booth"
	"github.com/coffeebar/kiosk/netsetup"
	"github.com/coffeebar/kiosk/storage"
)

// DefaultBoothPaths are where booth.toml is looked for: the boot partition
// as Debian 12 and Raspberry Pi OS Bookworm mount it, then as older systems
// did. The first that exists is used.
var DefaultBoothPaths = []string{"/boot/firmware/booth.toml", "/boot/booth.toml"}

// The files kiosk-setup writes for the kiosk, in RAM: they are made again
// from booth.toml at every start, so the SD card is not written.
const (
	// RunDir is the directory of both files, readable by the kiosk.
	RunDir = "/run/kiosk"
	// EnvPath is the kiosk's settings from booth.toml, read by systemd
	// (kiosk.service.d/10-booth.conf) before the hand-made
	// /etc/default/kiosk, which wins. Mode 0600: it may hold the first
	// admin password.
	EnvPath = RunDir + "/booth.env"
	// StatusPath says what kiosk-setup did and every problem it found in
	// booth.toml, for the kiosk to show staff. Mode 0644, no secrets.
	StatusPath = RunDir + "/booth-status.json"
)

// DatabasePaths are where the kiosk's database may be; while none exists
// the box has never started the kiosk, and the admin password from
// booth.toml is handed over. kiosk.service keeps its data in
// /var/lib/kiosk, which systemd makes a link to /var/lib/private/kiosk
// when the kiosk starts; on the read-only image the link is gone after a
// restart, so the real place is looked at too.
var DatabasePaths = []string{DataDir + "/" + storage.FileName, "/var/lib/kiosk/" + storage.FileName}

// Setup is one run of the boot command.
type Setup struct {
	// Root stands for "/": "/" on the box, a temporary directory in tests.
	Root string
	// BoothPaths are the booth.toml paths to try, in order.
	BoothPaths []string
	// Mode is "auto", "wifi" or "ethernet".
	Mode string
	// WiFiInterface and EthernetInterface name the interfaces to use;
	// empty means found in /sys/class/net.
	WiFiInterface, EthernetInterface string
	// Wait is how long to wait for a Wi-Fi interface to appear at boot.
	Wait time.Duration
	// Log receives what was done and every problem.
	Log *slog.Logger

	// sleep waits between looks for a Wi-Fi interface; tests replace it.
	sleep func(time.Duration)
}

// Problem is one thing the person who set up the booth should fix.
type Problem = booth.Problem

// Status is what kiosk-setup did at this start, for the kiosk to show.
type Status struct {
	// File is the booth.toml that was read (or looked for).
	File string `json:"file"`
	// Mode is "wifi" or "ethernet".
	Mode string `json:"mode"`
	// Interface is the network interface of the booth's network.
	Interface string `json:"interface"`
	// SSID is the Wi-Fi's name, in wifi mode.
	SSID string `json:"ssid,omitempty"`
	// OpenWiFi says the Wi-Fi has no password, in wifi mode.
	OpenWiFi bool `json:"open_wifi,omitempty"`
	// Address is the box's address on the booth's network.
	Address string `json:"address"`
	// ServesDHCPDNS says the box hands out addresses and answers names.
	ServesDHCPDNS bool `json:"serves_dhcp_dns"`
	// Restored names the backup from the boot partition that became the
	// kiosk's database on this boot, if one did.
	Restored string `json:"restored,omitempty"`
	// PublicURL is the ordering page's address, as in the QR code.
	PublicURL string `json:"public_url"`
	// Data is where the kiosk's data is when it is not in its usual place:
	// "usb:" and the device, set by the data command.
	Data string `json:"data,omitempty"`
	// Problems are what to fix, in booth.toml's line order; empty when
	// all is well.
	Problems []Problem `json:"problems"`
}

// Run reads booth.toml and writes every file. Problems in booth.toml do not
// make it fail: they are recorded in the status file and the defaults are
// used. It fails only when a file cannot be written, after writing all it
// can.
func (s *Setup) Run() error {
	if s.sleep == nil {
		s.sleep = time.Sleep
	}
	path := s.boothPath()
	cfg, err := booth.Load(s.path(path))
	st := Status{File: path, Problems: problemsOf(err, s.path(path), path)}
	for _, p := range st.Problems {
		s.Log.Warn("booth.toml", "line", p.Line, "key", p.Key, "problem", p.Message)
	}

	opt, note := s.chooseNetwork(cfg)
	if note != "" {
		st.Problems = append(st.Problems, Problem{Message: note})
		s.Log.Warn(note)
	}
	files, err := netsetup.Plan(cfg, opt)
	if err != nil {
		// booth.Load refuses what Plan refuses, so this is a bug; the box
		// still gets a working network with the defaults.
		msg := fmt.Sprintf("The network could not be set up from booth.toml (%v); the box uses the default Wi-Fi and address.", err)
		st.Problems = append(st.Problems, Problem{Message: msg})
		s.Log.Error(msg)
		cfg.WiFi, cfg.Network = booth.Default().WiFi, booth.Default().Network
		if files, err = netsetup.Plan(cfg, opt); err != nil {
			return err
		}
	}

	// The NetworkManager drop-in only where NetworkManager is installed
	// (Raspberry Pi OS); plain Debian has no /etc/NetworkManager.
	if _, err := os.Stat(s.path("/etc/NetworkManager")); err != nil {
		files = slices.DeleteFunc(files, func(f netsetup.File) bool { return f.Path == netsetup.NMPath })
	}

	var errs []error
	results, err := netsetup.Apply(s.Root, files)
	if err != nil {
		errs = append(errs, err)
	}
	for _, r := range results {
		if r.Change != netsetup.Unchanged {
			s.Log.Info("network file "+string(r.Change), "path", r.Path)
		}
	}

	serves := opt.Mode == netsetup.WiFiAP || cfg.Network.ServeDHCPDNS
	st.Mode, st.Interface = string(opt.Mode), opt.Interface
	st.Address = cfg.Network.Address.Addr().String()
	st.ServesDHCPDNS = serves
	st.PublicURL = "http://" + st.Address + "/"
	if serves {
		// Only the box's own DNS answers its name; behind another router
		// the QR code carries the address.
		st.PublicURL = "http://" + cfg.Network.Hostname + "/"
	}
	if opt.Mode == netsetup.WiFiAP {
		st.SSID, st.OpenWiFi = cfg.WiFi.SSID, cfg.WiFi.Open()
	}
	if st.Problems == nil {
		st.Problems = []Problem{}
	}

	// A backup on the boot partition becomes the database of a box that
	// has none, before the kiosk first starts; a restored box has its own
	// accounts, so no admin password is handed over after it.
	if name, err := s.restoreBackup(path); err != nil {
		msg := fmt.Sprintf("The backup %s on the boot partition could not be restored: %v. The kiosk starts with an empty database.", BackupName, err)
		st.Problems = append(st.Problems, Problem{Message: msg})
		s.Log.Error(msg)
	} else if name != "" {
		st.Restored = name
		s.Log.Info("restored the backup from the boot partition", "backup", name)
	}

	env, err := s.kioskEnv(cfg, st)
	if err != nil {
		errs = append(errs, err)
	} else if err := s.writeIfChanged(EnvPath, env, 0o600); err != nil {
		errs = append(errs, err)
	}
	status, _ := json.MarshalIndent(st, "", "  ")
	if err := s.writeIfChanged(StatusPath, append(status, '\n'), 0o644); err != nil {
		errs = append(errs, err)
	}
	s.Log.Info("booth set up", "file", path, "mode", st.Mode, "interface", st.Interface,
		"address", st.Address, "public_url", st.PublicURL, "problems", len(st.Problems), "booth", cfg)
	return errors.Join(errs...)
}

// path returns p inside Root.
func (s *Setup) path(p string) string { return filepath.Join(s.Root, p) }

// boothPath returns the first of BoothPaths that exists, or the first one.
func (s *Setup) boothPath() string {
	for _, p := range s.BoothPaths {
		if _, err := os.Stat(s.path(p)); err == nil {
			return p
		}
	}
	return s.BoothPaths[0]
}

// writeIfChanged writes a file in RAM (under /run) through netsetup.Apply.
func (s *Setup) writeIfChanged(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(s.path(RunDir), 0o755); err != nil {
		return err
	}
	_, err := netsetup.Apply(s.Root, []netsetup.File{{Path: path, Perm: perm, Data: data}})
	return err
}

// problemsOf turns booth.Load's error into problems, naming the file as it
// is on the box rather than under Root.
func problemsOf(err error, rooted, path string) []Problem {
	if err == nil {
		return nil
	}
	var es booth.Errors
	if !errors.As(err, &es) {
		return []Problem{{Message: err.Error()}}
	}
	out := make([]Problem, 0, len(es))
	for _, e := range es {
		e2 := *e
		if e2.File == rooted {
			e2.File = path
		}
		out = append(out, Problem{Line: e.Line, Key: e.Key, Message: e2.Error()})
	}
	return out
}

// kioskEnv returns the kiosk's settings from booth.toml as an environment
// file. The admin password is handed over only while the kiosk has no
// database: the kiosk uses it only then, and it should not sit in a file
// longer than needed.
func (s *Setup) kioskEnv(cfg booth.Config, st Status) ([]byte, error) {
	var b strings.Builder
	b.WriteString("# Written by kiosk-setup from booth.toml at every start of the box; kept in RAM.\n")
	b.WriteString("# Settings made by hand go in /etc/default/kiosk, which wins over this file.\n")
	vars := []struct{ key, value string }{
		{"KIOSK_HTTP", ":80"},
		{"KIOSK_PUBLIC_URL", st.PublicURL},
		{"KIOSK_BOOTH_NAME", cfg.Name},
		{"KIOSK_LANGUAGE", string(cfg.Language)},
		{"KIOSK_BOOTH_STATUS", StatusPath},
	}
	if cfg.AdminPassword != "" && !s.hasDatabase() {
		vars = append(vars, struct{ key, value string }{"KIOSK_ADMIN_PASSWORD", cfg.AdminPassword})
	}
	for _, v := range vars {
		line, err := envLine(v.key, v.value)
		if err != nil {
			return nil, err
		}
		b.WriteString(line)
	}
	return []byte(b.String()), nil
}

// BackupName is a backup (from the admin app's download, or from closing
// the booth) put next to booth.toml on the boot partition to be restored on
// first boot.
const BackupName = "kiosk-backup.db"

// restoreBackup restores BackupName, found next to the booth.toml at
// boothPath, when the kiosk has no database yet. It returns the backup's
// name when it did.
func (s *Setup) restoreBackup(boothPath string) (string, error) {
	src := filepath.Join(filepath.Dir(s.path(boothPath)), BackupName)
	if _, err := os.Stat(src); err != nil || s.hasDatabase() {
		return "", nil
	}
	dest := s.path(DataDir)
	if err := archive.Restore(context.Background(), src, dest, s.Log); err != nil {
		return "", err
	}
	return BackupName, nil
}

// hasDatabase reports whether the kiosk has a database. Anything but a
// clear "does not exist" counts as having one, so a password is never
// handed over by mistake.
func (s *Setup) hasDatabase() bool {
	for _, p := range DatabasePaths {
		if _, err := os.Stat(s.path(p)); !errors.Is(err, os.ErrNotExist) {
			return true
		}
	}
	return false
}

// envLine returns KEY="value" for a systemd environment file, refusing
// control characters. Inside double quotes systemd (and sh) treat only
// \ " ` $ specially, and a backslash makes each of them literal.
func envLine(key, value string) (string, error) {
	for _, r := range value {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "", fmt.Errorf("%s holds a control character", key)
		}
	}
	var b strings.Builder
	b.WriteString(key)
	b.WriteString(`="`)
	for _, r := range value {
		switch r {
		case '\\', '"', '`', '$':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteString("\"\n")
	return b.String(), nil
}
