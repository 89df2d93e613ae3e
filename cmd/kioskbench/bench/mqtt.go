package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The harness speaks MQTT 3.1.1 itself rather than through a client
// library: a thousand subscribers in one process must cost as little as
// possible on a machine the broker shares, the slow consumers need a
// client that can stop reading after its subscription, and both brokers
// must be measured through exactly the same client code. Only what a
// subscriber and a test publisher need is here: CONNECT, SUBSCRIBE,
// PUBLISH (in and out, QoS 0 and 1), PUBACK, PINGREQ and DISCONNECT.

// MQTT packet types (the high nibble of the first byte).
const (
	pktConnect    = 1
	pktConnack    = 2
	pktPublish    = 3
	pktPuback     = 4
	pktSubscribe  = 8
	pktSuback     = 9
	pktPingreq    = 12
	pktPingresp   = 13
	pktDisconnect = 14
)

// maxPacket bounds what the client accepts from a broker.
const maxPacket = 1 << 20

// Message is one PUBLISH the client received and when its last byte was
// read.
type Message struct {
	Topic   string
	Payload []byte
	At      time.Time
}

// DialOptions say how to reach a broker and who to be.
type DialOptions struct {
	// URL is ws://127.0.0.1:port/path for MQTT over WebSocket, or
	// tcp://127.0.0.1:port.
	URL      string
	ClientID string
	Username string
	Password string
	// KeepAlive is announced in CONNECT; the client pings at half of it
	// unless NoPing is set.
	KeepAlive time.Duration
	NoPing    bool
	// ReceiveBuffer, when above 0, shrinks the socket's receive buffer
	// (SO_RCVBUF) before connecting: a slow consumer's broker-side writes
	// then block after a few kilobytes, as they do for a phone that has
	// walked out of Wi-Fi range.
	ReceiveBuffer int
	// OnMessage is called on the client's reader goroutine for every
	// PUBLISH; it must not block.
	OnMessage func(Message)
}

// transport is a byte stream to the broker: a WebSocket (each write one
// binary message, reads running across message boundaries) or TCP.
type transport interface {
	io.Reader
	write(p []byte) error
	close() error
	setReadDeadline(t time.Time) error
}

type tcpTransport struct {
	c  net.Conn
	r  *bufio.Reader
	mu sync.Mutex
}

func (t *tcpTransport) Read(p []byte) (int, error) { return t.r.Read(p) }
func (t *tcpTransport) write(p []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := t.c.Write(p)
	return err
}
func (t *tcpTransport) close() error                      { return t.c.Close() }
func (t *tcpTransport) setReadDeadline(d time.Time) error { return t.c.SetReadDeadline(d) }

type wsTransport struct {
	ws *websocket.Conn
	r  io.Reader
	mu sync.Mutex
}

func (t *wsTransport) Read(p []byte) (int, error) {
	for {
		if t.r == nil {
			kind, r, err := t.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if kind != websocket.BinaryMessage {
				return 0, errors.New("the broker sent a text frame")
			}
			t.r = r
		}
		n, err := t.r.Read(p)
		if errors.Is(err, io.EOF) {
			t.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (t *wsTransport) write(p []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return t.ws.WriteMessage(websocket.BinaryMessage, p)
}
func (t *wsTransport) close() error                      { return t.ws.Close() }
func (t *wsTransport) setReadDeadline(d time.Time) error { return t.ws.SetReadDeadline(d) }

// dialer builds a net.Dialer that refuses anything but loopback, so the
// harness can never send traffic off the machine, and applies the receive
// buffer size.
func dialer(rcvbuf int) *net.Dialer {
	return &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, c syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("the harness only talks to loopback, not %s", address)
			}
			if rcvbuf <= 0 {
				return nil
			}
			var serr error
			err = c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
}

// Client is one MQTT connection of the harness.
type Client struct {
	opts   DialOptions
	t      transport
	nextID uint16

	subacks chan []byte
	done    chan struct{}
	errMu   sync.Mutex
	err     error
	once    sync.Once
}

// Dial connects and signs in; it returns once the broker has accepted the
// CONNECT. Reading starts only with Subscribe (or Start), so a client can
// be left unread on purpose.
func Dial(ctx context.Context, o DialOptions) (*Client, error) {
	var t transport
	switch {
	case strings.HasPrefix(o.URL, "ws://"):
		d := websocket.Dialer{NetDialContext: dialer(o.ReceiveBuffer).DialContext, Subprotocols: []string{"mqtt"},
			HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024}
		ws, res, err := d.DialContext(ctx, o.URL, nil)
		if err != nil {
			if res != nil {
				return nil, fmt.Errorf("WebSocket %s: %s: %w", o.URL, res.Status, err)
			}
			return nil, fmt.Errorf("WebSocket %s: %w", o.URL, err)
		}
		ws.SetReadLimit(maxPacket)
		t = &wsTransport{ws: ws}
	case strings.HasPrefix(o.URL, "tcp://"):
		c, err := dialer(o.ReceiveBuffer).DialContext(ctx, "tcp", strings.TrimPrefix(o.URL, "tcp://"))
		if err != nil {
			return nil, err
		}
		t = &tcpTransport{c: c, r: bufio.NewReaderSize(c, 4096)}
	default:
		return nil, fmt.Errorf("broker address %q: want ws:// or tcp://", o.URL)
	}
	c := &Client{opts: o, t: t, subacks: make(chan []byte, 1), done: make(chan struct{})}
	if err := t.write(connectPacket(o)); err != nil {
		t.close()
		return nil, fmt.Errorf("send CONNECT: %w", err)
	}
	_ = t.setReadDeadline(time.Now().Add(10 * time.Second))
	typ, _, body, err := readPacket(t)
	if err != nil {
		t.close()
		return nil, fmt.Errorf("read CONNACK: %w", err)
	}
	_ = t.setReadDeadline(time.Time{})
	if typ != pktConnack || len(body) != 2 {
		t.close()
		return nil, fmt.Errorf("expected CONNACK, got packet type %d", typ)
	}
	if body[1] != 0 {
		t.close()
		return nil, fmt.Errorf("the broker refused the connection (CONNACK %d)", body[1])
	}
	return c, nil
}

// Subscribe sends one SUBSCRIBE for all topics at QoS 1, starts reading and
// returns the granted QoS of each (0x80 is a refusal). With stopReading
// the client reads only up to the SUBACK and never again: a consumer that
// has stopped taking its messages.
func (c *Client) Subscribe(ctx context.Context, topics []string, stopReading bool) ([]byte, error) {
	c.nextID++
	if err := c.t.write(subscribePacket(c.nextID, topics)); err != nil {
		return nil, fmt.Errorf("send SUBSCRIBE: %w", err)
	}
	if stopReading {
		_ = c.t.setReadDeadline(time.Now().Add(10 * time.Second))
		for {
			typ, _, body, err := readPacket(c.t)
			if err != nil {
				return nil, fmt.Errorf("read SUBACK: %w", err)
			}
			if typ == pktSuback && len(body) >= 2 {
				return body[2:], nil
			}
		}
	}
	c.Start()
	select {
	case codes := <-c.subacks:
		return codes, nil
	case <-c.done:
		return nil, fmt.Errorf("connection lost before SUBACK: %w", c.Err())
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(15 * time.Second):
		return nil, errors.New("no SUBACK within 15 s")
	}
}

// Start begins reading (and pinging) if it has not begun yet.
func (c *Client) Start() {
	c.once.Do(func() {
		go c.readLoop()
		if !c.opts.NoPing && c.opts.KeepAlive > 0 {
			go c.pingLoop()
		}
	})
}

// Publish sends one PUBLISH. At QoS 1 it does not wait for the PUBACK: the
// test publisher sends one message at a time and the subscribers' arrival
// is what is measured.
func (c *Client) Publish(topic string, payload []byte, qos byte, retain bool) error {
	var id uint16
	if qos > 0 {
		c.nextID++
		if c.nextID == 0 {
			c.nextID = 1
		}
		id = c.nextID
	}
	return c.t.write(publishPacket(topic, payload, qos, retain, id))
}

// Close says DISCONNECT and closes the connection.
func (c *Client) Close() {
	_ = c.t.write([]byte{pktDisconnect << 4, 0})
	_ = c.t.close()
}

// Abort closes the connection without a word, as a phone that vanishes.
func (c *Client) Abort() { _ = c.t.close() }

// Err is why the connection ended, if it has.
func (c *Client) Err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

func (c *Client) readLoop() {
	var err error
	defer func() {
		c.errMu.Lock()
		c.err = err
		c.errMu.Unlock()
		close(c.done)
	}()
	for {
		var typ, flags byte
		var body []byte
		typ, flags, body, err = readPacket(c.t)
		if err != nil {
			return
		}
		switch typ {
		case pktPublish:
			at := time.Now()
			qos := (flags >> 1) & 3
			if len(body) < 2 {
				err = errors.New("short PUBLISH")
				return
			}
			n := int(binary.BigEndian.Uint16(body))
			if len(body) < 2+n {
				err = errors.New("short PUBLISH topic")
				return
			}
			topic := string(body[2 : 2+n])
			rest := body[2+n:]
			if qos > 0 {
				if len(rest) < 2 {
					err = errors.New("PUBLISH without a packet id")
					return
				}
				id := rest[:2]
				rest = rest[2:]
				if werr := c.t.write([]byte{pktPuback << 4, 2, id[0], id[1]}); werr != nil {
					err = werr
					return
				}
			}
			if c.opts.OnMessage != nil {
				c.opts.OnMessage(Message{Topic: topic, Payload: rest, At: at})
			}
		case pktSuback:
			if len(body) >= 2 {
				select {
				case c.subacks <- body[2:]:
				default:
				}
			}
		case pktPingresp, pktPuback:
		default:
			err = fmt.Errorf("unexpected packet type %d", typ)
			return
		}
	}
}

func (c *Client) pingLoop() {
	tick := time.NewTicker(c.opts.KeepAlive / 2)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
			if c.t.write([]byte{pktPingreq << 4, 0}) != nil {
				return
			}
		}
	}
}

// readPacket reads one whole packet: its type, its flags and the body after
// the fixed header.
func readPacket(r io.Reader) (typ, flags byte, body []byte, err error) {
	var hdr [1]byte
	if _, err = io.ReadFull(r, hdr[:]); err != nil {
		return
	}
	typ, flags = hdr[0]>>4, hdr[0]&0x0f
	n, mult := 0, 1
	for i := 0; ; i++ {
		if i == 4 {
			err = errors.New("malformed remaining length")
			return
		}
		var b [1]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n += int(b[0]&0x7f) * mult
		if b[0]&0x80 == 0 {
			break
		}
		mult *= 128
	}
	if n > maxPacket {
		err = fmt.Errorf("packet of %d bytes is too large", n)
		return
	}
	body = make([]byte, n)
	_, err = io.ReadFull(r, body)
	return
}

func appendLength(b []byte, n int) []byte {
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

func packet(first byte, body []byte) []byte {
	out := appendLength([]byte{first}, len(body))
	return append(out, body...)
}

func connectPacket(o DialOptions) []byte {
	var flags byte = 0x02 // clean session
	if o.Username != "" {
		flags |= 0x80
	}
	if o.Password != "" {
		flags |= 0x40
	}
	body := appendString(nil, "MQTT")
	body = append(body, 4, flags)
	body = binary.BigEndian.AppendUint16(body, uint16(o.KeepAlive/time.Second))
	body = appendString(body, o.ClientID)
	if o.Username != "" {
		body = appendString(body, o.Username)
	}
	if o.Password != "" {
		body = appendString(body, o.Password)
	}
	return packet(pktConnect<<4, body)
}

func subscribePacket(id uint16, topics []string) []byte {
	body := binary.BigEndian.AppendUint16(nil, id)
	for _, t := range topics {
		body = appendString(body, t)
		body = append(body, 1)
	}
	return packet(pktSubscribe<<4|0x02, body)
}

func publishPacket(topic string, payload []byte, qos byte, retain bool, id uint16) []byte {
	first := byte(pktPublish<<4) | qos<<1
	if retain {
		first |= 1
	}
	body := appendString(nil, topic)
	if qos > 0 {
		body = binary.BigEndian.AppendUint16(body, id)
	}
	body = append(body, payload...)
	return packet(first, body)
}
