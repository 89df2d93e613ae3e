package broker

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fasthttp/websocket"
	fiberws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// writeTimeout is how long one write to a WebSocket client may take before
// the client is taken for gone.
const writeTimeout = 30 * time.Second

// deadlineSlack is how stale the write deadline may grow before a write
// moves it on: a burst of writes sets it once, and every write still gets
// at least writeTimeout minus this.
const deadlineSlack = time.Second

// Buffer sizes for /mqtt. Clients only connect, subscribe and ping, a few
// hundred bytes each time, and the HTTP server already buffers the socket
// beneath; the broker's writes go out through frameBuffers instead.
const (
	wsReadBuffer = 256
	// maxPooledFrame is the largest frame buffer kept for reuse: a queue
	// of a busy booth fits, a rare large message is not kept.
	maxPooledFrame = 16 << 10
)

// frameBuffers holds the buffers frames are assembled in, shared by every
// connection, so an idle phone holds no write buffer at all.
var frameBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2<<10); return &b }}

// unusedWriteBuffers is given to the WebSocket library so that it does not
// give each connection a write buffer of its own: the adapter writes its own
// frames, and the library only writes control frames, which need none.
var unusedWriteBuffers sync.Pool

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
		ReadBufferSize:   wsReadBuffer,
		WriteBufferPool:  &unusedWriteBuffers,
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
// broker reads MQTT from. Each write (one MQTT packet, or a few the broker
// sends together) goes out as one binary frame in one write to the socket;
// reads run across message boundaries, since an MQTT packet may span
// messages.
type wsConn struct {
	net.Conn // the network connection, for addresses and deadlines
	ws       *websocket.Conn

	r io.Reader // the message being read, if any

	writeMu sync.Mutex
	// writeErr is the first failed write: a frame cut short leaves the
	// stream unusable, so every later write fails with it.
	writeErr error
	// writeDeadline is the write deadline last set.
	writeDeadline time.Time

	// raw is the socket beneath, for writes that must not wait (nil
	// where there is no socket to reach).
	raw syscall.RawConn
	// try is tryWrite's one write to raw, made once per connection so
	// that a write allocates nothing; it is used under writeMu.
	try struct {
		frames []byte
		n      int
		err    error
		fn     func(fd uintptr) bool
	}

	closeOnce  sync.Once
	deadlineMu sync.Mutex
	// closed is set by Close, under deadlineMu. Once it is, nothing
	// touches the socket again: the HTTP server takes it back when the
	// handler returns, and may hand it to another request.
	closed atomic.Bool
}

func newWSConn(ws *websocket.Conn) *wsConn {
	c := &wsConn{Conn: ws.NetConn(), ws: ws}
	var sock net.Conn = c.Conn
	if u, ok := sock.(interface{ UnsafeConn() net.Conn }); ok {
		sock = u.UnsafeConn() // the HTTP server's wrapper of a hijacked socket
	}
	if sc, ok := sock.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
			c.try.fn = func(fd uintptr) bool {
				c.try.n, c.try.err = syscall.Write(int(fd), c.try.frames)
				return true // never wait for the socket here
			}
		}
	}
	// Pongs go out through the adapter's writes, so that no other write
	// deadline than the adapter's is ever left on the socket.
	ws.SetPingHandler(func(data string) error {
		_ = c.writeFrame(opPong, []byte(data))
		return nil
	})
	return c
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
// writeTimeout to take it is given up: the connection is closed, which ends
// the client.
func (c *wsConn) Write(p []byte) (int, error) {
	if err := c.writeFrame(opBinary, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WebSocket opcodes with the final-fragment bit set (RFC 6455, 5.2).
const (
	opBinary = 0x80 | websocket.BinaryMessage
	opPong   = 0x80 | websocket.PongMessage
)

// writeFrame writes one unfragmented frame from the server (so unmasked),
// header and payload in a single write.
func (c *wsConn) writeFrame(op byte, payload []byte) error {
	buf := frameBuffers.Get().(*[]byte)
	frame := appendFrameHeader((*buf)[:0], op, len(payload))
	frame = append(frame, payload...)
	err := c.writeWhole(frame)
	if cap(frame) <= maxPooledFrame {
		*buf = frame
		frameBuffers.Put(buf)
	}
	return err
}

// writeWhole writes frames, whole frames only, waiting for the socket.
func (c *wsConn) writeWhole(frames []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.writeLocked(frames)
}

// writeLocked writes b under writeMu, within the write timeout. A write
// that fails leaves a frame cut short: the connection is closed.
func (c *wsConn) writeLocked(b []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closed.Load() {
		return net.ErrClosed
	}
	if now := time.Now(); now.Add(writeTimeout).Sub(c.writeDeadline) > deadlineSlack {
		d := now.Add(writeTimeout)
		if err := c.setDeadline(c.Conn.SetWriteDeadline, d); err != nil {
			return err
		}
		c.writeDeadline = d
	}
	_, err := c.Conn.Write(b)
	if err != nil {
		c.writeErr = err
		// Closing unblocks the broker's reader, which ends the client.
		go c.Close()
	}
	return err
}

// tryWrite writes frames, whole frames only, if it can start at once: no
// other write under way and room in the socket's send buffer for some of
// it. It reports false, having written nothing, when it cannot; the caller
// then writes another way. What the socket did not take at once is
// finished by a goroutine that keeps the write lock until the frames are
// out, so no other frame can cut into them. A connection that is closed
// or broken counts as written: there is nothing left to write to.
func (c *wsConn) tryWrite(frames []byte) bool {
	if c.raw == nil || !c.writeMu.TryLock() {
		return false
	}
	if c.writeErr != nil || c.closed.Load() {
		c.writeMu.Unlock()
		return true
	}
	// The raw connection may refuse without calling fn (its socket already
	// closed): what fn left from an earlier write must not count for this one.
	c.try.frames, c.try.n, c.try.err = frames, 0, nil
	err := c.raw.Write(c.try.fn)
	n, werr := c.try.n, c.try.err
	c.try.frames = nil
	if err == nil {
		err = werr
	}
	if n < 0 {
		n = 0
	}
	switch {
	case n == len(frames):
		c.writeMu.Unlock()
		return true
	case n == 0 && (errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR)):
		c.writeMu.Unlock()
		return false
	case n == 0 && err != nil:
		c.writeErr = err
		c.writeMu.Unlock()
		go c.Close()
		return true
	}
	rest := frames[n:]
	go func() {
		defer c.writeMu.Unlock()
		_ = c.writeLocked(rest)
	}()
	return true
}

// appendFrameHeader appends the header of an unmasked frame of n bytes.
func appendFrameHeader(b []byte, op byte, n int) []byte {
	switch {
	case n < 126:
		return append(b, op, byte(n))
	case n <= 0xffff:
		return append(b, op, 126, byte(n>>8), byte(n))
	}
	return append(b, op, 127, byte(uint64(n)>>56), byte(uint64(n)>>48), byte(uint64(n)>>40), byte(uint64(n)>>32),
		byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// Close says goodbye with a close frame and ends the connection. The HTTP
// server owns the socket of an upgraded request and closes it only when the
// handler returns, so Close also expires the deadlines: that unblocks the
// broker's reader (and a writer stuck on a stalled peer), which ends the
// handler. Close returns only once no write is under way, and a second
// Close waits for the first to finish, so the socket is never touched after
// the handler has returned it.
func (c *wsConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.deadlineMu.Lock()
		c.closed.Store(true)
		_ = c.Conn.SetDeadline(time.Now())
		c.deadlineMu.Unlock()
		// A write under way fails at once on the expired deadline; later
		// ones see closed.
		c.writeMu.Lock()
		c.writeMu.Unlock()
		_ = c.Conn.Close()
	})
	return nil
}

// setDeadline applies a deadline unless the connection is closed, so none
// can undo the expired deadlines Close sets.
func (c *wsConn) setDeadline(set func(time.Time) error, t time.Time) error {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	if c.closed.Load() {
		return net.ErrClosed
	}
	return set(t)
}

// The adapter owns the write deadline: each write gets writeTimeout, moved
// on as writes go out. The deadlines the broker sets, before each packet it
// reads (its keepalive), are for reading alone; applied to writes too, they
// would leave a write to a stalled phone waiting for the keepalive, or for
// ever when a client has none.

// SetDeadline sets the read deadline, unless the connection is closed.
func (c *wsConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

// SetReadDeadline sets the read deadline, unless the connection is closed.
func (c *wsConn) SetReadDeadline(t time.Time) error { return c.setDeadline(c.Conn.SetReadDeadline, t) }

// SetWriteDeadline leaves the write deadline to the adapter's writes.
func (c *wsConn) SetWriteDeadline(time.Time) error { return nil }
