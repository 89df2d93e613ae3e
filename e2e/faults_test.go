package e2e

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// stillServes checks the kiosk answers HTTP and that a proper MQTT client
// still signs in and subscribes.
func stillServes(t *testing.T, k *kiosk, creds credentials) {
	t.Helper()
	res, err := http.Get("http://" + k.http + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz after the fault: %v %v", res, err)
	}
	res.Body.Close()
	c, err := mqttClient(t, "tcp://"+k.mqtt, creds.Username, creds.Password)
	if err != nil {
		t.Fatalf("a good client cannot connect after the fault: %v", err)
	}
	if code, _ := subscribe(t, c, "kiosk/staff/events"); code > 2 {
		t.Fatalf("a good client cannot subscribe after the fault: %#x", code)
	}
	c.Disconnect(50)
}

// closedSoon reports whether the server closes conn (cleanly or with a
// reset) within a guard time; only a read that times out means it kept it.
func closedSoon(conn net.Conn) bool {
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	return !errors.Is(err, os.ErrDeadlineExceeded)
}

func TestBadMQTTClientsGetClosedAndOthersAreServed(t *testing.T) {
	k := startKiosk(t, t.TempDir(), "--max-clients", "40")
	staff := k.staff().realtime()

	t.Run("garbage instead of a CONNECT", func(t *testing.T) {
		conn, err := net.Dial("tcp", k.mqtt)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\xfe garbage"))
		if !closedSoon(conn) {
			t.Fatal("the broker kept a client that sent garbage")
		}
		stillServes(t, k, staff)
	})

	t.Run("an oversized CONNECT", func(t *testing.T) {
		conn, err := net.Dial("tcp", k.mqtt)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// A CONNECT announcing a 1 MiB remaining length, then junk.
		pkt := []byte{0x10, 0x80, 0x80, 0x40}
		conn.Write(append(pkt, bytes.Repeat([]byte{'A'}, 64<<10)...))
		if !closedSoon(conn) {
			t.Fatal("the broker kept a client that sent an oversized packet")
		}
		stillServes(t, k, staff)
	})

	t.Run("clients that connect and never speak", func(t *testing.T) {
		var silent []net.Conn
		for range 20 {
			conn, err := net.Dial("tcp", k.mqtt)
			if err != nil {
				t.Fatal(err)
			}
			silent = append(silent, conn)
		}
		stillServes(t, k, staff)
		for _, c := range silent {
			c.Close()
		}
	})

	t.Run("a flood of connections past the limit", func(t *testing.T) {
		refused := 0
		for range 80 {
			if _, err := mqttClient(t, "tcp://"+k.mqtt, staff.Username, staff.Password); err != nil {
				refused++
			}
		}
		if refused == 0 {
			t.Fatal("80 clients were all let in with --max-clients 40")
		}
	})
}

func TestBadHTTPRequestsGetErrorsAndChangeNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	staff := k.staff()
	count := func() int {
		var r struct {
			Events []struct{ Seq int } `json:"events"`
		}
		staff.must("GET", "/api/events?last=1000", "", &r)
		return len(r.Events)
	}
	n := count()
	phone := k.browser()
	// A body over the server's limit is answered 413 and the connection
	// closed, possibly while the client still writes: a reset is a refusal too.
	huge := strings.NewReader(`{"name":"` + strings.Repeat("x", 3<<20) + `","code":"x"}`)
	if res, err := http.Post("http://"+k.http+"/api/orders", "application/json", huge); err == nil {
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Errorf("huge body: %d, want 413", res.StatusCode)
		}
	}
	for _, c := range []struct {
		name, body string
		want       int
	}{
		{"truncated", `{"name":"Sam","co`, 400},
		{"wrong type", `{"name":["Sam"],"code":7}`, 400},
		{"not JSON", `name=Sam&code=x`, 400},
		{"script in every field", `{"name":"<script>alert(1)</script>","code":"<script>alert(2)</script>"}`, 409},
	} {
		code := phone.call("POST", "/api/orders", c.body, nil)
		if code != c.want {
			t.Errorf("%s: %d, want %d", c.name, code, c.want)
		}
	}
	// Only the refused scan with a made-up code is recorded (as a refusal).
	if got := count(); got != n+1 {
		t.Fatalf("%d events written by bad requests, want 1 (the refused scan)", got-n)
	}
	res, err := http.Get("http://" + k.http + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
}
