package api

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// timeHelper serves the time helper's protocol on a unix socket: one line
// of milliseconds in, one line out.
func timeHelper(t testing.TB, answer string) (string, func() []string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "settime.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var got []string
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(conn).ReadString('\n')
			mu.Lock()
			got = append(got, strings.TrimSpace(line))
			mu.Unlock()
			fmt.Fprintln(conn, answer)
			conn.Close()
		}
	}()
	return sock, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestSettingTheClockFromATablet(t *testing.T) {
	h := newHarness(t)
	sock, got := timeHelper(t, "ok set +3h2m0s")
	h.srv.d.TimeHelper = sock
	h.srv = New(h.srv.d)
	admin := h.admin()
	r := admin.do("POST", "/api/clock", `{"unixMs":1790000000000}`)
	if r.status != 200 || !strings.Contains(r.body, `"answer":"ok set +3h2m0s"`) {
		t.Fatalf("set the clock: %d %s", r.status, r.body)
	}
	if heard := got(); len(heard) != 1 || heard[0] != "1790000000000" {
		t.Fatalf("the helper heard %v", heard)
	}
	if r := admin.do("GET", "/api/health", ""); !strings.Contains(r.body, `"setByStaff":"`) {
		t.Fatalf("health does not say the clock was set: %s", r.body)
	}
	if r := h.barista("bo").do("POST", "/api/clock", `{"unixMs":1790000000000}`); r.status != 403 {
		t.Fatalf("a barista set the clock: %d", r.status)
	}

	refusing, _ := timeHelper(t, "refused more than 5 minutes back")
	h.srv.d.TimeHelper = refusing
	h.srv = New(h.srv.d)
	if r := h.admin().do("POST", "/api/clock", `{"unixMs":1}`); r.status != 400 || !strings.Contains(r.body, "5 minutes back") {
		t.Fatalf("a refused time: %d %s", r.status, r.body)
	}
	h.srv.d.TimeHelper = filepath.Join(t.TempDir(), "nobody-here.sock")
	h.srv = New(h.srv.d)
	if r := h.admin().do("POST", "/api/clock", `{"unixMs":1790000000000}`); r.status != 503 || r.code() != "unavailable" {
		t.Fatalf("no helper: %d %s", r.status, r.body)
	}
}
