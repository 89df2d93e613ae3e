package e2e

import (
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSystemdHearsReadyWatchdogAndStopping plays systemd's side of the
// notify protocol: a unixgram socket in NOTIFY_SOCKET and a watchdog
// interval in WATCHDOG_USEC.
func TestSystemdHearsReadyWatchdogAndStopping(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make(chan string, 100)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			got <- string(buf[:n])
		}
	}()
	k := &kiosk{t: t, dir: t.TempDir(), http: freePort(t), mqtt: freePort(t),
		env: []string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=400000"}}
	k.start()
	want := func(what string) {
		t.Helper()
		guard := time.After(15 * time.Second)
		for {
			select {
			case m := <-got:
				if strings.Contains(m, what) {
					return
				}
			case <-guard:
				t.Fatalf("systemd never heard %s", what)
			}
		}
	}
	want("READY=1")
	want("WATCHDOG=1")
	want("WATCHDOG=1")
	k.stop()
	want("STOPPING=1")
}

func TestCaptivePortalLetsAPhoneThroughOnceItOrders(t *testing.T) {
	k := startKiosk(t, t.TempDir(), "--captive", "--own-hosts", "10.42.0.1,coffee.lan")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	probe := func(host, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+k.http+path, nil)
		req.Host = host
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, p := range []struct{ host, path string }{
		{"connectivitycheck.gstatic.com", "/generate_204"},
		{"captive.apple.com", "/hotspot-detect.html"},
		{"www.msftconnecttest.com", "/connecttest.txt"},
		{"detectportal.firefox.com", "/success.txt"},
	} {
		if res := probe(p.host, p.path); res.StatusCode != http.StatusFound ||
			!strings.HasPrefix(res.Header.Get("Location"), "http://"+k.http+"/") {
			t.Errorf("%s%s before ordering: %d → %q, want a redirect to the ordering page", p.host, p.path,
				res.StatusCode, res.Header.Get("Location"))
		}
	}
	// The box's own names pass through to the app.
	if res := probe("coffee.lan", "/healthz"); res.StatusCode != 200 {
		t.Errorf("own host: %d", res.StatusCode)
	}
	staff := k.staff()
	k.scan(staff)
	if res := probe("connectivitycheck.gstatic.com", "/generate_204"); res.StatusCode != http.StatusNoContent {
		t.Errorf("Android probe after ordering: %d, want 204", res.StatusCode)
	}
	if res := probe("captive.apple.com", "/hotspot-detect.html"); res.StatusCode != 200 {
		t.Errorf("Apple probe after ordering: %d, want 200", res.StatusCode)
	}
}
