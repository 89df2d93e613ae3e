package broker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

// guard bounds every wait for a message: generous, since a failing test
// is the only one that waits this long.
const guard = 10 * time.Second

var (
	admin    = access.Actor{ID: "admin-1", Role: access.Admin}
	barista  = access.Actor{ID: "barista-1", Role: access.Barista}
	display  = access.Actor{ID: "display-1", Role: access.Display}
	cust1    = access.Actor{ID: "cust-1", Role: access.Customer}
	cust2    = access.Actor{ID: "cust-2", Role: access.Customer}
	password = "secret"
)

// testAuth is the test's sign-in: every known actor has the same password,
// and the username is the actor's id.
type testAuth map[string]access.Actor

func (a testAuth) AuthenticateMQTT(_ context.Context, username, pw string) (access.Actor, bool) {
	actor, ok := a[username]
	if !ok || pw != password {
		return access.Actor{}, false
	}
	return actor, true
}

var users = testAuth{
	admin.ID: admin, barista.ID: barista, display.ID: display, cust1.ID: cust1, cust2.ID: cust2,
	// An authenticator bug must not let the kiosk itself in.
	"kiosk": access.SystemActor,
}

// rig is a whole bar under test: a real SQLite file, the domain services,
// the event store dispatching, the broker on a loopback TCP port, and a
// Fiber app on another carrying the broker's WebSocket at /mqtt.
type rig struct {
	t      testing.TB
	auth   Authenticator // users unless a benchmark brings its own
	ctx    context.Context
	env    *testkit.Env
	shop   *shop.Service
	qr     *qr.Validator
	orders *order.Service
	broker *Broker
	cfg    Config
	tcpURL string
	wsURL  string
	stop   func()
}

func newRig(t testing.TB, edit ...func(*Config)) *rig {
	t.Helper()
	return newRigFor(t, users, edit...)
}

// newRigFor is newRig with another sign-in.
func newRigFor(t testing.TB, auth Authenticator, edit ...func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, auth: auth, ctx: context.Background(), env: testkit.New(t)}
	r.cfg = Config{TCPAddress: "127.0.0.1:0", PublicURL: "http://10.42.0.1/"}
	for _, e := range edit {
		e(&r.cfg)
	}
	r.wire()
	if err := r.shop.Init(r.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.shop.SetOpen(r.ctx, barista, true); err != nil {
		t.Fatal(err)
	}
	r.start()
	return r
}

func (r *rig) wire() {
	r.shop = shop.New(r.env.Store)
	r.qr = qr.New(r.env.Store)
	r.orders = order.New(r.env.Store, testkit.Quiet)
}

// start wires the broker and runs it the way the kiosk does: projection
// registered, broker started (retained topics rebuilt), then the store's
// dispatch and the HTTP server.
func (r *rig) start() {
	t := r.t
	t.Helper()
	auth := r.auth
	if auth == nil {
		auth = users
	}
	b, err := New(r.cfg, auth, Deps{Store: r.env.Store, Shop: r.shop, QR: r.qr, Orders: r.orders,
		Clock: r.env.Clock, Logger: testkit.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(r.ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Healthy(); err == nil {
		t.Fatal("Healthy before Start = nil, want an error")
	}
	if err := b.Start(r.ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Healthy(); err != nil {
		t.Fatalf("Healthy after Start: %v", err)
	}
	runCtx, cancel := context.WithCancel(r.ctx)
	ran := make(chan struct{})
	go func() { r.env.Store.Run(runCtx); close(ran) }()

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/mqtt", b.WebSocketHandler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()

	r.broker = b
	r.tcpURL = "tcp://" + b.TCPAddr()
	r.wsURL = "ws://" + ln.Addr().String() + "/mqtt"
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			// The kiosk's shutdown order: HTTP first, then the broker,
			// then the store's dispatch.
			if err := app.ShutdownWithTimeout(guard); err != nil {
				t.Errorf("fiber shutdown: %v", err)
			}
			closed := make(chan struct{})
			go func() { _ = b.Close(); close(closed) }()
			select {
			case <-closed:
			case <-time.After(guard):
				t.Error("broker Close did not return")
				_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			}
			cancel()
			<-ran
		})
	}
	t.Cleanup(r.stop)
}

// restart stops everything and starts it again on the same database file.
func (r *rig) restart() {
	r.t.Helper()
	r.stop()
	r.env.Reopen(r.t)
	r.wire()
	r.start()
}

func (r *rig) code() qr.Code {
	r.t.Helper()
	c, err := r.qr.Current(r.ctx, display)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

var flatWhite = order.Selection{DrinkID: "flat-white", Options: []events.Choice{{Group: "Milk", Choice: "Oat"}}}

// queued opens and submits an order for who.
func (r *rig) queued(who access.Actor, name string) order.Order {
	r.t.Helper()
	o, err := r.orders.Open(r.ctx, who, name, r.code().Code)
	if err != nil {
		r.t.Fatalf("open for %s: %v", who.ID, err)
	}
	if o, err = r.orders.Submit(r.ctx, who, o.ID, flatWhite); err != nil {
		r.t.Fatalf("submit: %v", err)
	}
	return o
}

// ready takes an order from open to completed.
func (r *rig) ready(who access.Actor, name string) order.Order {
	r.t.Helper()
	o := r.queued(who, name)
	o, err := r.orders.Make(r.ctx, barista, o.ID)
	if err != nil {
		r.t.Fatalf("make: %v", err)
	}
	if o, err = r.orders.Complete(r.ctx, barista, o.ID); err != nil {
		r.t.Fatalf("complete: %v", err)
	}
	return o
}

// msg is one message a test client received.
type msg struct {
	topic    string
	payload  []byte
	retained bool
}

// client is a Paho MQTT client that records everything it receives.
type client struct {
	t    *testing.T
	name string
	c    paho.Client

	mu     sync.Mutex
	got    []msg
	notify chan struct{}
	lost   chan error
}

var clientSeq atomic.Int64

func options(url, user, pw string) *paho.ClientOptions {
	return paho.NewClientOptions().AddBroker(url).
		SetClientID(fmt.Sprintf("test-%s-%d", user, clientSeq.Add(1))).
		SetUsername(user).SetPassword(pw).
		SetAutoReconnect(false).SetConnectRetry(false).
		SetConnectTimeout(guard).SetWriteTimeout(guard).
		SetOrderMatters(true)
}

// tryConnect connects and returns the error, if any.
func tryConnect(t *testing.T, opts *paho.ClientOptions) (*client, error) {
	t.Helper()
	c := &client{t: t, notify: make(chan struct{}, 1), lost: make(chan error, 1)}
	opts.SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
		c.mu.Lock()
		c.got = append(c.got, msg{topic: m.Topic(), payload: bytes.Clone(m.Payload()), retained: m.Retained()})
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
	})
	opts.SetConnectionLostHandler(func(_ paho.Client, err error) {
		select {
		case c.lost <- err:
		default:
		}
	})
	c.name = opts.Username
	c.c = paho.NewClient(opts)
	tok := c.c.Connect()
	if !tok.WaitTimeout(guard) {
		return nil, fmt.Errorf("connect timed out")
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.c.Disconnect(0) })
	return c, nil
}

// connect signs in as user over url.
func connect(t *testing.T, url string, user access.Actor) *client {
	t.Helper()
	c, err := tryConnect(t, options(url, user.ID, password))
	if err != nil {
		t.Fatalf("connect %s to %s: %v", user.ID, url, err)
	}
	return c
}

// subscribe subscribes at QoS 1 and returns the broker's result code:
// 0–2 granted, 0x80 refused.
func (c *client) subscribe(topic string) byte {
	c.t.Helper()
	tok := c.c.Subscribe(topic, 1, nil)
	if !tok.WaitTimeout(guard) {
		c.t.Fatalf("%s: subscribe %s timed out", c.name, topic)
	}
	if err := tok.Error(); err != nil {
		c.t.Fatalf("%s: subscribe %s: %v", c.name, topic, err)
	}
	// One filter, one result; Paho keys it by the filter without a
	// $share/… prefix, so take it whatever its key.
	for _, rc := range tok.(*paho.SubscribeToken).Result() {
		return rc
	}
	c.t.Fatalf("%s: subscribe %s: no result", c.name, topic)
	return 0
}

// mustSubscribe subscribes to every topic in one SUBSCRIBE, as the apps
// do, and fails the test if any is refused.
func (c *client) mustSubscribe(topics ...string) {
	c.t.Helper()
	filters := map[string]byte{}
	for _, topic := range topics {
		filters[topic] = 1
	}
	tok := c.c.SubscribeMultiple(filters, nil)
	if !tok.WaitTimeout(guard) {
		c.t.Fatalf("%s: subscribe %v timed out", c.name, topics)
	}
	if err := tok.Error(); err != nil {
		c.t.Fatalf("%s: subscribe %v: %v", c.name, topics, err)
	}
	for topic, rc := range tok.(*paho.SubscribeToken).Result() {
		if rc >= 0x80 {
			c.t.Fatalf("%s: subscribe %s refused (0x%x)", c.name, topic, rc)
		}
	}
}

// received returns a copy of every message so far.
func (c *client) received() []msg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]msg(nil), c.got...)
}

// on returns the messages received on topic, in order.
func (c *client) on(topic string) []msg {
	var out []msg
	for _, m := range c.received() {
		if m.topic == topic {
			out = append(out, m)
		}
	}
	return out
}

// wait returns the first message on topic that ok accepts, waiting for it
// up to the guard.
func (c *client) wait(topic string, ok func(m msg) bool) msg {
	c.t.Helper()
	deadline := time.After(guard)
	for {
		for _, m := range c.on(topic) {
			if ok == nil || ok(m) {
				return m
			}
		}
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("%s: no matching message on %s within %s; got %d messages there", c.name, topic, guard, len(c.on(topic)))
		}
	}
}

// waitAfter waits for a message that then accepts, received after one that
// first accepts.
func (c *client) waitAfter(first, then func(m msg) bool) {
	c.t.Helper()
	deadline := time.After(guard)
	for {
		seen := false
		for _, m := range c.received() {
			if seen && then(m) {
				return
			}
			seen = seen || first(m)
		}
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("%s: no matching pair of messages within %s", c.name, guard)
		}
	}
}

// last returns the newest message on topic, waiting for one if there is
// none yet.
func (c *client) last(topic string) msg {
	c.t.Helper()
	c.wait(topic, nil)
	got := c.on(topic)
	return got[len(got)-1]
}

func decode[T any](t *testing.T, m msg) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(m.payload, &v); err != nil {
		t.Fatalf("decode %s: %v\n%s", m.topic, err, m.payload)
	}
	return v
}

// has reports whether the payload contains s.
func has(m msg, s string) bool { return bytes.Contains(m.payload, []byte(s)) }
