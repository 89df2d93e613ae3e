// Package broker is the kiosk's embedded MQTT broker and its realtime
// projection. The broker (mochi-mqtt, in process) fans out to every screen:
// browsers connect over MQTT-over-WebSocket, on the API's own port through
// WebSocketHandler, and LAN tools over plain TCP. Nobody but the kiosk itself
// ever publishes: every client publish is refused, and what a client may read
// is decided by its role (see hook.go).
//
// The projection subscribes to the event log and turns events into
// publishes: the staff event stream, each customer's own events, and the
// retained "current state" topics (shop, queue, QR code, each customer's
// latest order), which are rebuilt from SQLite whenever the broker starts.
// The topics and their payloads are described in docs/realtime.md.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
)

// Config is the broker's configuration. Zero numbers take their defaults;
// empty addresses turn their listener off.
type Config struct {
	// TCPAddress is the plain MQTT listener for tools on the booth LAN, such
	// as ":1883". Empty turns it off.
	TCPAddress string
	// WebSocketAddress is a separate MQTT-over-WebSocket listener on its own
	// port, such as ":8083": a fallback for when the API cannot carry the
	// WebSocket at /mqtt. Empty turns it off.
	WebSocketAddress string
	// PublicURL is the ordering page as phones reach it; the QR code encodes
	// it with ?code=… added.
	PublicURL string
	// AllowedOrigins, if set, are the only Origin headers the WebSocket at
	// /mqtt accepts. Empty accepts any: sign-in is the gate, and it travels
	// in the MQTT CONNECT, never in a cookie.
	AllowedOrigins []string
	// MaxClients is how many clients may be connected at once.
	MaxClients int64
	// MaxPacketSize is the largest packet a client may send, in bytes.
	MaxPacketSize uint32
	// MaxWritesPending is each client's outbound queue, in packets; what
	// overflows it is dropped for that client only.
	MaxWritesPending int32
}

// Defaults, with the reason for each.
const (
	// DefaultTCPAddress is MQTT's registered port.
	DefaultTCPAddress = ":1883"
	// DefaultPublicURL is the box's own address on the access point it runs.
	DefaultPublicURL = "http://10.42.0.1/"
	// DefaultMaxClients leaves room for every phone at a busy booth (about
	// 20 orders in flight, their owners and friends), the staff tablets and
	// displays, while bounding what a Raspberry Pi has to hold.
	DefaultMaxClients = 500
	// DefaultMaxPacketSize: clients only connect and subscribe, which takes
	// a few hundred bytes; anything bigger is a mistake or an attack.
	DefaultMaxPacketSize = 8 << 10
	// DefaultMaxWritesPending absorbs a burst (a restart replaying events to
	// a barista tablet) while keeping each client's buffer at 4 KiB of
	// pointers; the broker's own default allocates 64 KiB per client.
	DefaultMaxWritesPending = 512
	// clientReadBuffer is each client's read buffer in the broker. Clients
	// send only CONNECT, SUBSCRIBE and pings, a few hundred bytes; a bigger
	// packet (up to MaxPacketSize) is read in several pieces. The broker's
	// own default is 2 KiB a client.
	clientReadBuffer = 512
	// sessionExpirySeconds bounds how long a disconnected persistent
	// session is kept: long enough for a phone to come back from the
	// coffee queue, short enough not to pile up over a day.
	sessionExpirySeconds = 3600
)

// DefaultConfig returns the configuration of a new box.
func DefaultConfig() Config {
	return Config{
		TCPAddress:       DefaultTCPAddress,
		PublicURL:        DefaultPublicURL,
		MaxClients:       DefaultMaxClients,
		MaxPacketSize:    DefaultMaxPacketSize,
		MaxWritesPending: DefaultMaxWritesPending,
	}
}

// Deps are the parts of the kiosk the broker reads from.
type Deps struct {
	Store  *events.Store
	Shop   *shop.Service
	QR     *qr.Validator
	Orders *order.Service
	Clock  clock.Clock
	Logger *slog.Logger
}

// Listener ids, as the broker knows them.
const (
	listenerTCP     = "tcp"
	listenerWS      = "ws"
	listenerHandoff = "api-ws"
)

// Broker is the embedded MQTT broker with the realtime projection.
type Broker struct {
	cfg       Config
	publicURL *url.URL
	deps      Deps
	log       *slog.Logger
	srv       *mqtt.Server
	hook      *accessHook
	direct    *direct
	handoff   *connListener
	tcp       *connListener

	// stateMu serialises each read of the database and the retained
	// publish made from it, so that of two racing rebuilds of a topic the
	// later read is the one left retained.
	stateMu sync.Mutex
	// sendMu serialises the events published through the MQTT library,
	// retainMu the retained messages delivered directly.
	sendMu   sync.Mutex
	retainMu sync.Mutex
	// lastQR is the QR payload last published, to skip identical ones.
	lastQR []byte

	queueKick chan struct{}
	// ordersDue are the customers whose retained order is due for a new
	// publish; ordersKick wakes the goroutine that publishes them.
	ordersMu   sync.Mutex
	ordersDue  map[string]struct{}
	ordersKick chan struct{}
	// retiring are the finished orders' retained messages due to be
	// dropped, oldest first (see finishedRetention).
	retireMu sync.Mutex
	retiring []retiring

	stop context.CancelFunc
	wg   sync.WaitGroup

	started   atomic.Bool
	closed    atomic.Bool
	closeOnce sync.Once
	// projErr is the projection's last failure, cleared by its next success.
	projErr atomic.Pointer[error]
	// ordersErr is the last failure to publish customers' orders, cleared
	// when a round of them succeeds.
	ordersErr atomic.Pointer[error]
}

// New builds the broker; nothing listens until Start.
func New(cfg Config, auth Authenticator, deps Deps) (*Broker, error) {
	if auth == nil {
		return nil, errors.New("broker: an Authenticator is required")
	}
	if deps.Store == nil || deps.Shop == nil || deps.QR == nil || deps.Orders == nil || deps.Clock == nil {
		return nil, errors.New("broker: Store, Shop, QR, Orders and Clock are required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = DefaultMaxClients
	}
	if cfg.MaxPacketSize == 0 {
		cfg.MaxPacketSize = DefaultMaxPacketSize
	}
	if cfg.MaxWritesPending <= 0 {
		cfg.MaxWritesPending = DefaultMaxWritesPending
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = DefaultPublicURL
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("broker: public URL %q must be an absolute http or https URL", cfg.PublicURL)
	}

	log := deps.Logger.With("component", "mqtt")
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumClients = cfg.MaxClients
	caps.MaximumPacketSize = cfg.MaxPacketSize
	caps.MaximumClientWritesPending = cfg.MaxWritesPending
	caps.MaximumSessionExpiryInterval = sessionExpirySeconds
	// 0 turns off the forced expiry of retained and in-flight messages.
	// The broker measures it on the wall clock (now minus the publish time),
	// so a Pi whose clock is set right, hours or months ahead, would
	// otherwise wipe every retained "current state" topic at once. The
	// kiosk's own publishes carry no expiry of their own: each retained
	// topic is replaced by the next publish, and a customer's finished
	// order is dropped by the broker itself (finishedRetention).
	caps.MaximumMessageExpiryInterval = 0

	srv := mqtt.New(&mqtt.Options{
		InlineClient:            true,
		Capabilities:            caps,
		ClientNetReadBufferSize: clientReadBuffer,
		// The broker logs every browser disconnect as a warning; only its
		// errors are worth the SD card.
		Logger: slog.New(levelHandler{min: slog.LevelError, Handler: log.Handler()}),
	})
	b := &Broker{
		cfg: cfg, publicURL: u, deps: deps, log: log, srv: srv,
		hook:       newAccessHook(auth, log),
		direct:     newDirect(),
		handoff:    newHandoffListener(listenerHandoff),
		queueKick:  make(chan struct{}, 1),
		ordersDue:  map[string]struct{}{},
		ordersKick: make(chan struct{}, 1),
	}
	if err := srv.AddHook(b.hook, nil); err != nil {
		return nil, fmt.Errorf("broker: add access hook: %w", err)
	}
	if err := srv.AddHook(&directHook{d: b.direct}, nil); err != nil {
		return nil, fmt.Errorf("broker: add delivery hook: %w", err)
	}
	return b, nil
}

// Subscribe registers the realtime projection with the event store under
// the durable name "realtime". Call it before the store's Run.
func (b *Broker) Subscribe(ctx context.Context) error {
	return b.deps.Store.Subscribe(ctx, subscriberName, false, b.handle)
}

// Start rebuilds every retained topic from the database, then opens the
// listeners and starts the QR period timer and the publishers of the queue
// and of customers' orders. The WebSocket handler accepts connections from
// then on.
func (b *Broker) Start(ctx context.Context) error {
	if b.closed.Load() {
		return errors.New("broker: closed")
	}
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("broker: already started")
	}
	if err := b.rebuild(ctx); err != nil {
		return fmt.Errorf("broker: rebuild retained topics: %w", err)
	}
	if err := b.srv.AddListener(b.handoff); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if b.cfg.TCPAddress != "" {
		b.tcp = newTCPListener(listenerTCP, b.cfg.TCPAddress)
		if err := b.srv.AddListener(b.tcp); err != nil {
			return fmt.Errorf("broker: TCP listener on %s: %w", b.cfg.TCPAddress, err)
		}
	}
	if b.cfg.WebSocketAddress != "" {
		ws := listeners.NewWebsocket(listeners.Config{ID: listenerWS, Address: b.cfg.WebSocketAddress})
		if err := b.srv.AddListener(ownClose{Listener: ws, b: b}); err != nil {
			return fmt.Errorf("broker: WebSocket listener on %s: %w", b.cfg.WebSocketAddress, err)
		}
	}
	if err := b.srv.Serve(); err != nil {
		return fmt.Errorf("broker: serve: %w", err)
	}
	// The broker starts its listeners in goroutines of their own; make
	// sure the WebSocket handler takes connections as soon as Start returns.
	b.handoff.ready(b.srv.EstablishConnection)

	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	b.stop = stop
	b.wg.Add(4)
	go func() { defer b.wg.Done(); b.runQueue(runCtx) }()
	go func() { defer b.wg.Done(); b.runOrders(runCtx) }()
	go func() { defer b.wg.Done(); b.runQR(runCtx) }()
	go func() { defer b.wg.Done(); b.runRetire(runCtx) }()
	b.log.Info("MQTT broker started", "tcp", b.TCPAddr(), "ws", b.cfg.WebSocketAddress)
	return nil
}

// TCPAddr is the address the TCP listener is bound to, with the port the
// system chose for ":0"; empty when it is off or not yet started.
func (b *Broker) TCPAddr() string {
	if b.tcp == nil {
		return ""
	}
	return b.tcp.Address()
}

// Close stops the timers, refuses new WebSocket connections, disconnects
// every client and closes the listeners. Stop the HTTP server first, so no
// new connection is handed over while the broker closes.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		if b.stop != nil {
			b.stop()
		}
		b.wg.Wait()
		if b.started.Load() {
			_ = b.srv.Close()
		}
		b.log.Info("MQTT broker stopped")
	})
	return nil
}

// Healthy reports whether the broker serves and its projection keeps up:
// nil when it does, the reason when it does not.
func (b *Broker) Healthy() error {
	switch {
	case b.closed.Load():
		return errors.New("the MQTT broker is closed")
	case !b.started.Load():
		return errors.New("the MQTT broker has not started")
	}
	if err := b.projErr.Load(); err != nil {
		return fmt.Errorf("the realtime projection is failing: %w", *err)
	}
	if err := b.ordersErr.Load(); err != nil {
		return fmt.Errorf("the realtime projection is failing: %w", *err)
	}
	return nil
}

// levelHandler passes on only records at or above min.
type levelHandler struct {
	slog.Handler
	min slog.Level
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelHandler{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}

// Connected counts the clients connected now, by role: phones (customer),
// tablets (barista, admin) and displays.
func (b *Broker) Connected() map[access.Role]int {
	out := map[access.Role]int{}
	b.hook.mu.Lock()
	defer b.hook.mu.Unlock()
	for _, s := range b.hook.sessions {
		if s.cl != nil && !s.cl.Closed() {
			out[s.actor.Role]++
		}
	}
	return out
}
