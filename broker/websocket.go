package broker

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	fiberws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// writeTimeout is how long one write to a WebSocket client may take before
// the client is taken for gone.
const writeTimeout = 30 * time.Second

// WebSocketHandler returns the Fiber handler that carries MQTT over
// WebSocket on the API's own port, for the API to mount at /mqtt. It
// upgrades the request (subprotocol "mqtt", binary frames) and hands the
// connection to the broker, which serves it until it closes. Before Start
// and after Close it answers 503; a request that is not a WebSocket
// upgrade gets 426.
func (b *Broker) WebSocketHandler() fiber.Handler {
	upgrade := fiberws.New(func(c *fiberws.Conn) {
		if err := b.handoff.serve(newWSConn(c.Conn)); err != nil {
			// A client going away is the normal end of a connection.
			b.log.Debug("MQTT WebSocket client ended", "remote", c.RemoteAddr(), "err", err)
		}
	}, fiberws.Config{
		Subprotocols:     []string{"mqtt"},
		Origins:          b.cfg.AllowedOrigins,
		HandshakeTimeout: connectTimeout,
	})
	return func(c *fiber.Ctx) error {
		if !fiberws.IsWebSocketUpgrade(c) {
			return fiber.ErrUpgradeRequired
		}
		if !b.handoff.open() {
			return fiber.ErrServiceUnavailable
		}
		return upgrade(c)
	}
}

// errTextFrame says a client sent text; MQTT travels in binary frames.
var errTextFrame = errors.New("MQTT over WebSocket needs binary frames")

// wsConn is a WebSocket connection seen as a byte stream, which is what the
// broker reads MQTT from. Each write goes out as one binary message; reads
// run across message boundaries, since an MQTT packet may span messages.
type wsConn struct {
	net.Conn // the network connection, for addresses and deadlines
	ws       *websocket.Conn

	r          io.Reader // the message being read, if any
	writeMu    sync.Mutex
	closeOnce  sync.Once
	deadlineMu sync.Mutex
	closed     bool // guarded by deadlineMu
}

func newWSConn(ws *websocket.Conn) *wsConn {
	return &wsConn{Conn: ws.NetConn(), ws: ws}
}

// Read reads the stream, going on into the next binary message when one
// ends.
func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			kind, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				return 0, errTextFrame
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// Write sends p as one binary message. A peer that takes longer than
// writeTimeout to take it is given up.
func (c *wsConn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.setDeadline(c.Conn.SetWriteDeadline, time.Now().Add(writeTimeout)); err != nil {
		return 0, err
	}
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close says goodbye with a close frame and ends the connection. The HTTP
// server owns the socket of an upgraded request and closes it only when the
// handler returns, so Close also expires the deadlines: that unblocks the
// broker's reader (and a writer stuck on a stalled peer), which ends the
// handler. A second Close waits for the first to finish, so the socket is
// never touched after the handler has returned it.
func (c *wsConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.deadlineMu.Lock()
		c.closed = true
		_ = c.Conn.SetDeadline(time.Now())
		c.deadlineMu.Unlock()
		_ = c.Conn.Close()
	})
	return nil
}

// setDeadline applies a deadline unless the connection is closed, so none
// can undo the expired deadlines Close sets.
func (c *wsConn) setDeadline(set func(time.Time) error, t time.Time) error {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	return set(t)
}

// SetDeadline sets both deadlines, unless the connection is closed.
func (c *wsConn) SetDeadline(t time.Time) error { return c.setDeadline(c.Conn.SetDeadline, t) }

// SetReadDeadline sets the read deadline, unless the connection is closed.
func (c *wsConn) SetReadDeadline(t time.Time) error { return c.setDeadline(c.Conn.SetReadDeadline, t) }

// SetWriteDeadline sets the write deadline, unless the connection is closed.
func (c *wsConn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetWriteDeadline, t)
}
