package broker

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// connectTimeout is how long a new connection has to send its CONNECT;
// after that the broker's keepalive takes over the read deadline.
const connectTimeout = 10 * time.Second

// errNotServing says the broker is not taking connections.
var errNotServing = errors.New("the MQTT broker is not serving")

// connListener is a broker listener whose connections the kiosk accepts
// itself: from a TCP socket of its own, or handed over by the HTTP server
// (the WebSocket at /mqtt). It gives each connection connectTimeout to sign
// in, and on Close it closes every connection it handed to the broker.
//
// It closes them itself rather than through the broker's "close the
// clients of this listener" callback: in the broker's version in use that
// callback takes a read lock twice over, and deadlocks when a client
// disconnects at the same moment, which at shutdown is the rule.
type connListener struct {
	id       string
	address  string // to listen on; empty for handed-over connections
	protocol string

	mu        sync.Mutex
	ln        net.Listener
	establish listeners.EstablishFn
	closed    bool
	conns     map[net.Conn]struct{}
}

// newTCPListener listens on address once the broker initialises it.
func newTCPListener(id, address string) *connListener {
	return &connListener{id: id, address: address, protocol: "tcp", conns: map[net.Conn]struct{}{}}
}

// newHandoffListener takes connections handed over by the HTTP server.
func newHandoffListener(id string) *connListener {
	return &connListener{id: id, protocol: "ws", conns: map[net.Conn]struct{}{}}
}

// Init opens the TCP socket, if the listener has one.
func (l *connListener) Init(*slog.Logger) error {
	if l.address == "" {
		return nil
	}
	ln, err := net.Listen("tcp", l.address)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	return nil
}

// ready records how to hand a connection to the broker.
func (l *connListener) ready(establish listeners.EstablishFn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.establish = establish
}

// Serve records how to hand a connection to the broker and, with a TCP
// socket, accepts connections until Close.
func (l *connListener) Serve(establish listeners.EstablishFn) {
	l.ready(establish)
	l.mu.Lock()
	ln := l.ln
	l.mu.Unlock()
	if ln == nil {
		return
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() { _ = l.serve(conn) }()
	}
}

// serve hands conn to the broker and returns when the client has gone.
func (l *connListener) serve(conn net.Conn) error {
	l.mu.Lock()
	if l.closed || l.establish == nil {
		l.mu.Unlock()
		conn.Close()
		return errNotServing
	}
	establish := l.establish
	l.conns[conn] = struct{}{}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.conns, conn)
		l.mu.Unlock()
		conn.Close()
	}()
	_ = conn.SetReadDeadline(time.Now().Add(connectTimeout))
	return establish(l.id, conn)
}

// open reports whether the listener takes connections.
func (l *connListener) open() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.establish != nil && !l.closed
}

// ID is the listener's id.
func (l *connListener) ID() string { return l.id }

// Address is the address the TCP socket is bound to, with the port the
// system chose for ":0"; "/mqtt" for handed-over connections.
func (l *connListener) Address() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.ln != nil:
		return l.ln.Addr().String()
	case l.address != "":
		return l.address
	}
	return "/mqtt"
}

// Protocol is the protocol clients speak.
func (l *connListener) Protocol() string { return l.protocol }

// Close stops taking connections and closes every connection handed to the
// broker; the broker then sees each client go.
func (l *connListener) Close(listeners.CloseFn) {
	l.mu.Lock()
	l.closed = true
	ln := l.ln
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for _, c := range conns {
		c.Close()
	}
}

// ownClose wraps one of the broker's own listeners so that closing it
// closes its clients without the broker's deadlocking callback (see
// connListener).
type ownClose struct {
	listeners.Listener
	b *Broker
}

// Close closes the listener, then stops each of its clients.
func (w ownClose) Close(listeners.CloseFn) {
	w.Listener.Close(func(string) {})
	for _, cl := range w.b.srv.Clients.GetAll() {
		if cl.Net.Listener == w.ID() && !cl.Net.Inline {
			cl.Stop(packets.ErrServerShuttingDown)
		}
	}
}
