package broker

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"github.com/coffeebar/kiosk/testkit"
)

// The handler answers plain HTTP with 426, and 503 while the broker does
// not serve.
func TestWebSocketHandlerStatus(t *testing.T) {
	env := testkit.New(t)
	r := &rig{t: t, env: env}
	r.wire()
	b, err := New(Config{}, users, Deps{Store: env.Store, Shop: r.shop, QR: r.qr, Orders: r.orders,
		Clock: env.Clock, Logger: testkit.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Get("/mqtt", b.WebSocketHandler())
	upgrade := func() *http.Request {
		req := httptest.NewRequest("GET", "/mqtt", nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		req.Header.Set("Sec-WebSocket-Protocol", "mqtt")
		return req
	}
	for _, tc := range []struct {
		name string
		req  *http.Request
		want int
	}{
		{"plain GET", httptest.NewRequest("GET", "/mqtt", nil), fiber.StatusUpgradeRequired},
		{"upgrade before Start", upgrade(), fiber.StatusServiceUnavailable},
	} {
		resp, err := app.Test(tc.req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}

// Close disconnects WebSocket clients handed over by the HTTP server and
// returns; afterwards the handler refuses, and Healthy says why.
func TestCloseWithWebSocketClients(t *testing.T) {
	r := newRig(t)
	c := connect(t, r.wsURL, cust1)
	c.mustSubscribe(TopicShop)
	c.wait(TopicShop, nil)

	closed := make(chan struct{})
	go func() { _ = r.broker.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(guard):
		t.Fatal("Close did not return with a WebSocket client connected")
	}
	select {
	case <-c.lost:
	case <-time.After(guard):
		t.Fatal("the WebSocket client was not disconnected")
	}
	if err := r.broker.Healthy(); err == nil {
		t.Error("Healthy after Close = nil")
	}
	if _, err := tryConnect(t, options(r.wsURL, cust1.ID, password)); err == nil {
		t.Error("connected after Close")
	}
}

// The fallback: the broker's own WebSocket listener on a port of its own.
func TestOwnWebSocketListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := newRig(t, func(c *Config) { c.WebSocketAddress = addr })
	url := "ws://" + addr + "/mqtt"

	var c *client
	for deadline := time.Now().Add(guard); ; {
		// The listener starts serving in the background.
		if c, err = tryConnect(t, options(url, display.ID, password)); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	c.mustSubscribe(TopicQR)
	if q := decode[QRState](t, c.wait(TopicQR, nil)); q.Code != r.code().Code {
		t.Errorf("QR over the fallback listener = %+v", q)
	}
	if rc := c.subscribe(CustomerOrderTopic(cust1.ID)); rc != 0x80 {
		t.Errorf("display subscribed to a customer topic over the fallback listener: 0x%x", rc)
	}
	if _, err := tryConnect(t, options(url, cust1.ID, "wrong")); err == nil {
		t.Error("wrong password accepted over the fallback listener")
	}
}

// mqttString is a length-prefixed MQTT string.
func mqttString(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }

// A WebSocket client that stops reading and never closes cannot hold up
// Close: the HTTP server owns the socket, so the broker's reader must be
// unblocked by the connection itself.
func TestCloseWithSilentWebSocketClient(t *testing.T) {
	r := newRig(t)
	dialer := websocket.Dialer{Subprotocols: []string{"mqtt"}, HandshakeTimeout: guard}
	ws, _, err := dialer.Dial(r.wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// No keepalive: the broker sets no read deadline of its own.
	if err := ws.WriteMessage(websocket.BinaryMessage, connectPacket(4, "silent-1", cust1.ID)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(guard))
	_, ack, err := ws.ReadMessage()
	if err != nil || len(ack) != 4 || ack[0] != 0x20 || ack[3] != 0 {
		t.Fatalf("CONNACK = %x, %v", ack, err)
	}
	// From here on the client neither reads nor closes.
	closed := make(chan struct{})
	go func() { _ = r.broker.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(guard):
		t.Fatal("Close waited for a silent WebSocket client")
	}
}

// Every MQTT packet reaches a WebSocket client whole, whatever its size
// (each length form of a frame header), and a WebSocket ping is answered.
func TestWebSocketFrames(t *testing.T) {
	r := newRig(t)
	c, err := dialRaw(r.wsURL, barista.ID, TopicPrinter)
	if err != nil {
		t.Fatal(err)
	}
	defer c.ws.Close()
	pong := make(chan string, 1)
	c.ws.SetPongHandler(func(data string) error { pong <- data; return nil })
	_ = c.ws.SetReadDeadline(time.Now().Add(guard))
	if err := c.ws.WriteControl(websocket.PingMessage, []byte("still there?"), time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{10, 125, 126, 1000, 65535, 70000} {
		detail := strings.Repeat("x", size)
		if err := r.broker.PublishPrinter(map[string]string{"detail": detail}); err != nil {
			t.Fatal(err)
		}
		want := `{"detail":"` + detail + `"}`
		for {
			typ, body, err := c.next(nil)
			if err != nil {
				t.Fatalf("%d bytes: %v", size, err)
			}
			if typ != 0x30 || string(publishTopic(body)) != TopicPrinter {
				continue
			}
			if got := string(body[2+len(TopicPrinter):]); got != want {
				t.Fatalf("%d bytes: payload of %d bytes, want %d", size, len(got), len(want))
			}
			break
		}
	}
	select {
	case got := <-pong:
		if got != "still there?" {
			t.Errorf("pong %q", got)
		}
	case <-time.After(guard):
		t.Error("no pong")
	}
}

// A socket closed under the connection refuses the next write without
// trying it: that write is broken, whatever an earlier one wrote.
func TestTryWriteOnAClosedSocket(t *testing.T) {
	conns := make(chan *fws.Conn, 1)
	up := fws.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		conns <- ws
	}))
	defer srv.Close()
	client, _, err := fws.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c := newWSConn(<-conns)
	if c.raw == nil {
		t.Fatal("no raw socket to write to")
	}
	if !c.tryWrite(make([]byte, 475)) || c.writeErr != nil {
		t.Fatalf("the first write: %v", c.writeErr)
	}
	c.Conn.Close() // the socket goes; the connection does not know yet
	if !c.tryWrite(make([]byte, 246)) {
		t.Error("a write to a closed socket was left for another way")
	}
	if c.writeErr == nil {
		t.Error("a write to a closed socket did not break the connection")
	}
	c.Close()
}
