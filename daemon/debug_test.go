package daemon

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestProfilerOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{":6060", "0.0.0.0:6060", "10.42.0.1:6060", "[::]:6060", "coffee.lan:6060", "6060"} {
		if _, _, err := serveDebug(addr); err == nil || !strings.Contains(err.Error(), "--debug-addr") {
			t.Errorf("%s: err = %v, want a refusal naming --debug-addr", addr, err)
		}
		if _, err := Parse("kiosk", []string{"--debug-addr", addr}, env(nil), io.Discard); err == nil {
			t.Errorf("%s: accepted as --debug-addr", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060"} {
		if err := checkDebugAddr(addr); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestProfilerServesProfiles(t *testing.T) {
	srv, addr, err := serveDebug("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown() //nolint:errcheck

	for path, want := range map[string]string{
		"/debug/pprof/":                  "allocs",
		"/debug/pprof/allocs?debug=1":    "heap profile",
		"/debug/pprof/goroutine?debug=1": "goroutine profile",
	} {
		res, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, body without %q", path, res.StatusCode, want)
		}
	}
}
