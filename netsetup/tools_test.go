package netsetup

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/booth"
)

// These tests hand the generated files to the real programs when they are
// installed (apt-get install hostapd dnsmasq-base), and skip otherwise.

// hostapdParse runs hostapd on a file: with no Wi-Fi hardware it stops
// after reading the configuration, having reported any line it rejects.
func hostapdParse(t *testing.T, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, "hostapd", path).CombinedOutput()
	return string(out)
}

var hostapdComplaint = regexp.MustCompile(`(?m)^Line \d+:|errors found in configuration file`)

func TestHostapdAcceptsTheFiles(t *testing.T) {
	if _, err := exec.LookPath("hostapd"); err != nil {
		t.Skip("hostapd is not installed")
	}
	// Negative control: hostapd must still complain about a bad line.
	bad := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(bad, []byte("interface=wlan0\nno_such_item=1\nssid=x\n"), 0o600)
	if out := hostapdParse(t, bad); !hostapdComplaint.MatchString(out) {
		t.Fatalf("hostapd did not report an unknown item, so this test cannot see problems:\n%s", out)
	}
	for _, tc := range goldenCases {
		if tc.opt.Mode != WiFiAP {
			continue
		}
		path := filepath.Join("testdata", tc.name, "hostapd.conf")
		if out := hostapdParse(t, path); hostapdComplaint.MatchString(out) {
			t.Errorf("hostapd rejected %s:\n%s", path, out)
		}
	}
}

func TestDnsmasqAcceptsTheFiles(t *testing.T) {
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Skip("dnsmasq is not installed")
	}
	for _, tc := range goldenCases {
		path := filepath.Join("testdata", tc.name, "dnsmasq.conf")
		if _, err := os.Stat(path); err != nil {
			continue
		}
		out, err := exec.Command("dnsmasq", "--test", "--conf-file="+path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "syntax check OK") {
			t.Errorf("dnsmasq --test %s: %v\n%s", path, err, out)
		}
	}
}

// TestDnsmasqAnswersEveryNameWithTheBox runs dnsmasq with the generated DNS
// settings on the loopback interface and a spare port (DHCP left out) and
// asks it, as a phone would, for its probe hosts, the box's own name and a
// made-up name.
func TestDnsmasqAnswersEveryNameWithTheBox(t *testing.T) {
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Skip("dnsmasq is not installed")
	}
	cfg := booth.Default()
	cfg.Network.Address = netip.MustParsePrefix("10.42.0.1/24")
	var conf bytes.Buffer
	for _, line := range strings.Split(string(Dnsmasq(cfg.Network, "wlan0")), "\n") {
		if strings.HasPrefix(line, "dhcp-") || strings.HasPrefix(line, "interface=") || line == "bind-dynamic" {
			continue
		}
		conf.WriteString(line + "\n")
	}
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.LocalAddr().(*net.UDPAddr).Port
	l.Close()
	fmt.Fprintf(&conf, "listen-address=127.0.0.1\nbind-interfaces\nport=%d\npid-file=\n", port)
	if os.Geteuid() == 0 {
		conf.WriteString("user=root\n")
	}
	path := filepath.Join(t.TempDir(), "dnsmasq.conf")
	os.WriteFile(path, conf.Bytes(), 0o644)

	cmd := exec.Command("dnsmasq", "--keep-in-foreground", "--conf-file="+path, "--log-facility=-")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", fmt.Sprintf("127.0.0.1:%d", port))
	}}
	box := netip.MustParseAddr("10.42.0.1")
	lookup := func(network, name string) ([]netip.Addr, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return r.LookupNetIP(ctx, network, name)
	}
	// dnsmasq needs a moment to bind; retry the first question briefly.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := lookup("ip4", "coffee.lan"); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, name := range []string{"coffee.lan", "connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "any.thing.example", "coffee"} {
		addrs, err := lookup("ip4", name)
		if err != nil || len(addrs) != 1 || addrs[0] != box {
			t.Errorf("%s: %v, %v; want %s\n%s", name, addrs, err, box, log.String())
		}
	}
	// IPv6 look-ups get an empty answer at once, not a time-out, so phones
	// fall back to the box's IPv4 address without delay.
	start := time.Now()
	addrs, err := lookup("ip6", "captive.apple.com")
	if len(addrs) != 0 || time.Since(start) > time.Second {
		t.Errorf("AAAA: %v, %v after %v; want no address at once", addrs, err, time.Since(start))
	}
	if names, err := r.LookupAddr(context.Background(), "10.42.0.1"); err != nil || len(names) == 0 || names[0] != "coffee.lan." {
		t.Errorf("reverse look-up of the box: %v, %v", names, err)
	}
}
