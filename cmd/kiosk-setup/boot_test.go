package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/netsetup"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/testkit"
)

// box is a temporary directory standing for the box's root file system.
type box struct {
	t    *testing.T
	root string
	log  bytes.Buffer
}

// newBox returns a box like Raspberry Pi OS's, with NetworkManager.
func newBox(t *testing.T) *box {
	b := &box{t: t, root: t.TempDir()}
	must(t, os.MkdirAll(filepath.Join(b.root, "etc/NetworkManager/conf.d"), 0o755))
	return b
}

// nic adds a network interface to the box's /sys/class/net. bus is "usb",
// "sdio" or "platform"; wireless says it is Wi-Fi.
func (b *box) nic(name, bus string, wireless bool) {
	dir := filepath.Join(b.root, SysClassNet, name)
	must(b.t, os.MkdirAll(filepath.Join(dir, "device"), 0o755))
	must(b.t, os.Symlink("../../../../bus/"+bus, filepath.Join(dir, "device", "subsystem")))
	must(b.t, os.WriteFile(filepath.Join(dir, "type"), []byte("1\n"), 0o644))
	if wireless {
		must(b.t, os.MkdirAll(filepath.Join(dir, "phy80211"), 0o755))
	}
}

// file writes a file in the box.
func (b *box) file(path, content string) {
	must(b.t, os.MkdirAll(filepath.Dir(filepath.Join(b.root, path)), 0o755))
	must(b.t, os.WriteFile(filepath.Join(b.root, path), []byte(content), 0o644))
}

// read returns a file of the box, or "" if it does not exist.
func (b *box) read(path string) string {
	data, err := os.ReadFile(filepath.Join(b.root, path))
	if err != nil {
		return ""
	}
	return string(data)
}

// setup runs the boot command on the box in the given mode.
func (b *box) setup(mode string) Status {
	b.t.Helper()
	s := Setup{
		Root:       b.root,
		BoothPaths: DefaultBoothPaths,
		Mode:       mode,
		Wait:       time.Second,
		Log:        slog.New(slog.NewTextHandler(&b.log, nil)),
		sleep:      func(time.Duration) {},
	}
	if err := s.Run(); err != nil {
		b.t.Fatalf("Run: %v\n%s", err, b.log.String())
	}
	var st Status
	if err := json.Unmarshal([]byte(b.read(StatusPath)), &st); err != nil {
		b.t.Fatalf("status file: %v", err)
	}
	return st
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const hallThree = `name = "Kaffeebar Halle 3"
language = "de"
admin_password = "correct \"horse\" $battery"

[wifi]
ssid = "Kaffee Halle 3"
password = "crema-2-go!"
country = "DE"
channel = 11
`

func TestBootWithoutBoothToml(t *testing.T) {
	b := newBox(t)
	b.nic("eth0", "platform", false)
	b.nic("wlan0", "sdio", true)
	st := b.setup("auto")

	if st.Mode != "wifi" || st.Interface != "wlan0" || st.SSID != "CoffeeBar" || !st.OpenWiFi ||
		st.PublicURL != "http://coffee.lan/" || st.Address != "10.42.0.1" || !st.ServesDHCPDNS {
		t.Errorf("status %+v", st)
	}
	if st.File != "/boot/firmware/booth.toml" || len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Message, "/boot/firmware/booth.toml: The settings file is missing") {
		t.Errorf("problems %+v", st.Problems)
	}
	for _, path := range []string{netsetup.HostapdPath, netsetup.DnsmasqPath, netsetup.NetworkdPath, netsetup.NMPath} {
		if b.read(path) == "" {
			t.Errorf("%s was not written", path)
		}
	}
	if !strings.Contains(b.read(netsetup.HostapdPath), "\nap_isolate=1\n") {
		t.Error("client isolation is off")
	}
	env := b.read(EnvPath)
	for _, want := range []string{`KIOSK_HTTP=":80"`, `KIOSK_PUBLIC_URL="http://coffee.lan/"`, `KIOSK_BOOTH_NAME="Coffee Bar"`, `KIOSK_LANGUAGE="en"`} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("booth.env lacks %s:\n%s", want, env)
		}
	}
	if strings.Contains(env, "KIOSK_ADMIN_PASSWORD") {
		t.Error("an admin password was passed on although booth.toml has none")
	}
	for path, perm := range map[string]os.FileMode{EnvPath: 0o600, StatusPath: 0o644, netsetup.HostapdPath: 0o600} {
		if info, err := os.Stat(filepath.Join(b.root, path)); err != nil || info.Mode().Perm() != perm {
			t.Errorf("%s: %v %v, want mode %v", path, info.Mode(), err, perm)
		}
	}
}

func TestBootReadsTheOldBootPathAndPassesThePasswordOnce(t *testing.T) {
	b := newBox(t)
	b.nic("wlan0", "sdio", true)
	b.file("/boot/booth.toml", hallThree)
	st := b.setup("auto")
	if st.File != "/boot/booth.toml" || len(st.Problems) != 0 || st.SSID != "Kaffee Halle 3" || st.OpenWiFi {
		t.Errorf("status %+v", st)
	}
	if !strings.Contains(b.read(netsetup.HostapdPath), "\nwpa_passphrase=crema-2-go!\n") {
		t.Error("the Wi-Fi password is not in hostapd.conf")
	}
	if strings.Contains(b.read(StatusPath), "crema") || strings.Contains(b.read(StatusPath), "horse") || strings.Contains(b.log.String(), "horse") {
		t.Error("a password leaked into the status file or the log")
	}
	if got := sourced(t, b.root, EnvPath, "KIOSK_ADMIN_PASSWORD"); got != `correct "horse" $battery` {
		t.Errorf("admin password read back as %q", got)
	}

	// Once the kiosk has its database, the password is no longer handed
	// on, wherever the database is found.
	for _, db := range DatabasePaths {
		b.file(db, "")
		b.setup("auto")
		if strings.Contains(b.read(EnvPath), "KIOSK_ADMIN_PASSWORD") {
			t.Errorf("the admin password is still passed on with %s", db)
		}
		must(t, os.Remove(filepath.Join(b.root, db)))
		b.setup("auto")
		if !strings.Contains(b.read(EnvPath), "KIOSK_ADMIN_PASSWORD") {
			t.Error("the admin password is not passed on without a database")
		}
	}
}

func TestBootPrefersTheUSBAdapter(t *testing.T) {
	b := newBox(t)
	b.nic("wlan0", "sdio", true)
	b.nic("wlan1", "usb", true)
	if st := b.setup("auto"); st.Interface != "wlan1" {
		t.Errorf("interface %s, want the USB adapter wlan1", st.Interface)
	}
	if !strings.Contains(b.read(netsetup.NMPath), "interface-name:wlan1\n") {
		t.Error("NetworkManager is not told to leave wlan1 alone")
	}
}

func TestBootBehindAnotherAccessPoint(t *testing.T) {
	b := newBox(t)
	b.nic("eth0", "platform", false)
	b.nic("wlan0", "sdio", true)
	b.setup("auto") // first as the access point
	b.file("/boot/firmware/booth.toml", "[network]\naddress = \"192.168.8.2/24\"\nserve_dhcp_dns = false\n")
	st := b.setup("auto")
	if st.Mode != "ethernet" || st.Interface != "eth0" || st.ServesDHCPDNS || st.PublicURL != "http://192.168.8.2/" || st.SSID != "" {
		t.Errorf("status %+v", st)
	}
	if b.read(netsetup.HostapdPath) != "" || b.read(netsetup.DnsmasqPath) != "" {
		t.Error("the access point's files were left behind")
	}
	if !strings.Contains(b.read(netsetup.NetworkdPath), "Name=eth0\n") || !strings.Contains(b.read(netsetup.NetworkdPath), "Address=192.168.8.2/24\n") {
		t.Errorf("networkd file:\n%s", b.read(netsetup.NetworkdPath))
	}
}

func TestBootLeavesNetworkManagerAloneWhereThereIsNone(t *testing.T) {
	b := &box{t: t, root: t.TempDir()}
	b.nic("wlan0", "sdio", true)
	b.setup("auto")
	if _, err := os.Stat(filepath.Join(b.root, "etc/NetworkManager")); err == nil {
		t.Error("/etc/NetworkManager was created on a box without NetworkManager")
	}
}

func TestBootOnACableServingDHCP(t *testing.T) {
	b := newBox(t)
	b.nic("eth0", "platform", false)
	b.nic("wlan0", "sdio", true)
	st := b.setup("ethernet")
	if st.Mode != "ethernet" || !st.ServesDHCPDNS || st.PublicURL != "http://coffee.lan/" {
		t.Errorf("status %+v", st)
	}
	if b.read(netsetup.HostapdPath) != "" || !strings.Contains(b.read(netsetup.DnsmasqPath), "interface=eth0\n") {
		t.Error("wrong files for a cable serving DHCP and DNS")
	}
}

func TestBootWithoutWiFiUsesTheCable(t *testing.T) {
	b := newBox(t)
	b.nic("eth0", "platform", false)
	st := b.setup("auto")
	if st.Mode != "ethernet" || st.Interface != "eth0" || !st.ServesDHCPDNS {
		t.Errorf("status %+v", st)
	}
	if len(st.Problems) != 2 || !strings.Contains(st.Problems[1].Message, "no Wi-Fi") {
		t.Errorf("problems %+v", st.Problems)
	}
}

func TestBootNoInterfacesAtAll(t *testing.T) {
	b := newBox(t)
	st := b.setup("auto")
	if st.Mode != "wifi" || st.Interface != "wlan0" || !strings.Contains(st.Problems[len(st.Problems)-1].Message, "No Wi-Fi was found") {
		t.Errorf("status %+v", st)
	}
	b = newBox(t)
	if st := b.setup("bridge"); !strings.Contains(st.Problems[len(st.Problems)-1].Message, `KIOSK_SETUP_MODE="bridge"`) {
		t.Errorf("a bad mode was not reported: %+v", st.Problems)
	}
}

func TestBootReportsProblemsWithLines(t *testing.T) {
	b := newBox(t)
	b.nic("wlan0", "sdio", true)
	b.file("/boot/firmware/booth.toml", "name = \"Bar\"\n[wifi]\npassword = \"short\"\nchannel = 13\ncountry = \"US\"\n")
	st := b.setup("auto")
	if len(st.Problems) != 2 || st.Problems[0].Line != 3 || st.Problems[0].Key != "wifi.password" || st.Problems[1].Key != "wifi.channel" {
		t.Fatalf("problems %+v", st.Problems)
	}
	if !strings.HasPrefix(st.Problems[0].Message, "/boot/firmware/booth.toml, line 3, wifi.password: ") {
		t.Errorf("message names the wrong file: %s", st.Problems[0].Message)
	}
	// The box still runs, with the defaults for what was wrong.
	conf := b.read(netsetup.HostapdPath)
	if !strings.Contains(conf, "\nwpa=0\n") || !strings.Contains(conf, "\nchannel=6\n") || !strings.Contains(conf, "\ncountry_code=US\n") {
		t.Errorf("hostapd.conf:\n%s", conf)
	}
}

func TestBootWritesNothingTheSecondTime(t *testing.T) {
	b := newBox(t)
	b.nic("wlan0", "sdio", true)
	b.file("/boot/firmware/booth.toml", hallThree)
	b.setup("auto")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	paths := []string{netsetup.HostapdPath, netsetup.DnsmasqPath, netsetup.NetworkdPath, netsetup.NMPath, EnvPath, StatusPath}
	for _, p := range paths {
		must(t, os.Chtimes(filepath.Join(b.root, p), old, old))
	}
	b.setup("auto")
	for _, p := range paths {
		if info, _ := os.Stat(filepath.Join(b.root, p)); !info.ModTime().Equal(old) {
			t.Errorf("%s was rewritten although nothing changed", p)
		}
	}
}

// sourced reads one variable from an environment file the way sh does,
// which treats double-quoted values as systemd's EnvironmentFile= does.
func sourced(t *testing.T, root, path, key string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `set -a; . "$1"; printf %s "$(printenv "$2")"`, "sh", filepath.Join(root, path), key).Output()
	if err != nil {
		t.Fatalf("sourcing %s: %v", path, err)
	}
	return string(out)
}

func TestEnvLine(t *testing.T) {
	values := []string{`plain`, `with "quotes"`, `back\slash\`, `dollar $HOME ${X}`, "tick `id`", `hash # not a comment`, `'single'`, `ünïcode ☕`, ` spaces `, ``}
	dir := t.TempDir()
	for _, v := range values {
		line, err := envLine("V", v)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "env"), []byte(line), 0o600)
		if got := sourced(t, dir, "env", "V"); got != v {
			t.Errorf("%q came back as %q (line %q)", v, got, line)
		}
	}
	for _, v := range []string{"a\nKIOSK_HTTP=:1", "a\rb", "a\x00b", "a\u0085b"} {
		if _, err := envLine("V", v); err == nil {
			t.Errorf("%q was accepted", v)
		}
	}
}

func TestBootRestoresABackupFromTheBootPartitionOnce(t *testing.T) {
	// A real backup of a kiosk database with an account in it.
	env := testkit.New(t)
	ctx := context.Background()
	shop.New(env.Store).Init(ctx)
	a, _ := auth.New(ctx, env.Store, testkit.Quiet)
	a.EnsureAdmin(ctx, "the old password")
	backup := filepath.Join(t.TempDir(), "b.db")
	must(t, env.DB.Backup(ctx, backup))
	raw, err := os.ReadFile(backup)
	must(t, err)

	b := newBox(t)
	b.nic("wlan0", "sdio", true)
	b.file("/boot/firmware/booth.toml", hallThree)
	b.file("/boot/firmware/"+BackupName, string(raw))
	st := b.setup("auto")
	if st.Restored != BackupName || len(st.Problems) != 0 {
		t.Fatalf("status %+v\n%s", st, b.log.String())
	}
	restored := filepath.Join(b.root, DatabasePaths[0])
	if db, err := storage.Open(ctx, filepath.Dir(restored), testkit.Quiet); err != nil {
		t.Fatalf("the restored database does not open: %v", err)
	} else {
		var n int
		db.Read().QueryRow("SELECT count(*) FROM staff").Scan(&n)
		db.Close()
		if n != 1 {
			t.Fatalf("%d accounts restored", n)
		}
	}
	if strings.Contains(b.read(EnvPath), "KIOSK_ADMIN_PASSWORD") {
		t.Error("an admin password is handed over to a restored box")
	}
	// The next boot leaves the kiosk's database alone.
	before, _ := os.ReadFile(restored)
	if st := b.setup("auto"); st.Restored != "" {
		t.Fatalf("restored again: %+v", st)
	}
	if after, _ := os.ReadFile(restored); !bytes.Equal(before, after) {
		t.Fatal("the second boot changed the database")
	}
}

func TestBootReportsABackupThatIsNotOne(t *testing.T) {
	b := newBox(t)
	b.nic("wlan0", "sdio", true)
	b.file("/boot/firmware/booth.toml", hallThree)
	b.file("/boot/firmware/"+BackupName, strings.Repeat("not a database ", 400))
	st := b.setup("auto")
	if st.Restored != "" || len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Message, "could not be restored") {
		t.Fatalf("status %+v", st)
	}
	if _, err := os.Stat(filepath.Join(b.root, DatabasePaths[0])); err == nil {
		t.Fatal("a junk backup left a database behind")
	}
}
