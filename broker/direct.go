package broker

import (
	"bytes"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// The kiosk's retained topics (the queue, the shop, the QR code, the
// notice) are its fan-out: every phone in the booth and the display follow
// the queue, and each change of it goes to all of them. Handed to the MQTT
// library, every delivery costs a copy of the packet, an encoding into a
// buffer of its own and a wake of the subscriber's writer goroutine, and a
// thousand of those per change leave the collector a megabyte of garbage.
//
// So the broker delivers its retained messages itself. It encodes a
// message once for each kind of client (MQTT 3.1.1 or 5, retain flag, over
// WebSocket or not) and writes it to every subscriber's socket without
// waiting (a publish to many subscribers shared among the cores): a socket
// that cannot take the whole message at once, or a connection that is not
// a WebSocket, gets it from a lane, the client's own writer for these
// topics, which sends the topic's newest message when it gets to it. The
// library still keeps the retained message for later subscribers, and
// checks every client's right to read it as before.
//
// Only the newest message of a retained topic matters, so nothing is ever
// queued but the topics themselves. The one race left is a client that
// subscribes while a new message goes out: the library may write it the
// older retained message after the loop wrote the newer one. The broker
// sees every packet the library sends (OnPacketSent) and follows an
// outdated one with the newest through the client's lane.

// variant is what a retained message's bytes depend on, besides the topic
// and payload: the client's protocol, whether the retain flag is kept, and
// whether the bytes go in a WebSocket frame.
type variant struct {
	version byte // the client's MQTT protocol version (3, 4 or 5)
	retain  bool
	ws      bool
	// ids are the subscription identifiers an MQTT 5 subscription asked
	// to receive; a variant with any is encoded for its client alone.
	ids []int
}

// variantKey is a variant without subscription identifiers, which a
// publish encodes once for all its clients.
type variantKey struct {
	version    byte
	retain, ws bool
}

// encode returns topic's message for v: an MQTT PUBLISH (QoS 0), in a
// WebSocket frame when v.ws.
func (v variant) encode(topic string, payload []byte) []byte {
	pk := packets.Packet{
		FixedHeader:     packets.FixedHeader{Type: packets.Publish, Qos: qosRetained, Retain: v.retain},
		TopicName:       topic,
		Payload:         payload,
		ProtocolVersion: v.version,
	}
	if len(v.ids) > 0 {
		pk.Properties.SubscriptionIdentifier = v.ids
	}
	var buf bytes.Buffer
	buf.Grow(len(topic) + len(payload) + 16)
	_ = pk.PublishEncode(&buf) // cannot fail at QoS 0
	if !v.ws {
		return buf.Bytes()
	}
	frame := appendFrameHeader(make([]byte, 0, buf.Len()+10), opBinary, buf.Len())
	return append(frame, buf.Bytes()...)
}

// packetLen is the length of the MQTT packet inside bytes b of variant v.
func (v variant) packetLen(b []byte) int {
	if !v.ws {
		return len(b)
	}
	switch {
	case b[1] < 126:
		return len(b) - 2
	case b[1] == 126:
		return len(b) - 4
	}
	return len(b) - 10
}

// subscriberVariant is the variant a subscription gets. Retained messages
// delivered live lose their retain flag, unless an MQTT 5 client asked to
// keep it (retain as published) [MQTT-3.3.1-12].
func subscriberVariant(cl *mqtt.Client, sub packets.Subscription) variant {
	v := clientVariant(cl)
	if v.version == 5 {
		v.retain = sub.RetainAsPublished
		for _, id := range sub.Identifiers {
			v.ids = append(v.ids, id)
		}
		if len(v.ids) == 0 && sub.Identifier > 0 {
			v.ids = []int{sub.Identifier}
		}
		slices.Sort(v.ids)
	}
	return v
}

// clientVariant is cl's protocol and transport, without the retain flag or
// subscription identifiers.
func clientVariant(cl *mqtt.Client) variant {
	v := variant{version: cl.Properties.ProtocolVersion}
	_, v.ws = cl.Net.Conn.(*wsConn)
	return v
}

// direct delivers the broker's retained messages (see above).
type direct struct {
	mu     sync.Mutex
	latest map[string][]byte      // each retained topic's newest payload
	lanes  map[*mqtt.Client]*lane // clients with a lane
	cache  map[string]cachedTargets
	gen    atomic.Uint64

	// A publish to many subscribers is split among up to workers
	// goroutines (the processors Go may run at once), each with at least
	// minPart subscribers: nearly all of a delivery is the kernel's work
	// for one socket write, which a second core can do for another socket
	// meanwhile.
	workers, minPart int

	// laneWrites counts the messages lanes wrote, and splits the publishes
	// shared among goroutines, for tests.
	laneWrites, splits atomic.Int64
}

func newDirect() *direct {
	return &direct{latest: map[string][]byte{}, lanes: map[*mqtt.Client]*lane{}, cache: map[string]cachedTargets{},
		workers: runtime.GOMAXPROCS(0), minPart: 128}
}

func (d *direct) setLatest(topic string, payload []byte) {
	d.mu.Lock()
	d.latest[topic] = payload
	d.mu.Unlock()
}

func (d *direct) newest(topic string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.latest[topic]
	return p, ok
}

// publish retains payload on topic in srv and writes it to every client
// subscribed to topic that may read it. The caller serialises these
// publishes (Broker.retainMu).
func (d *direct) publish(srv *mqtt.Server, mayRead func(*mqtt.Client, string) bool, topic string, payload []byte) {
	// Retain first, then publish the newest, then look for subscribers:
	// a client whose subscription the loop misses subscribed after the
	// message was retained, and the library sends it the message itself.
	srv.Topics.RetainMessage(packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Retain: true},
		TopicName:   topic,
		Payload:     payload,
		Origin:      mqtt.InlineClientId,
	})
	d.setLatest(topic, payload)

	targets := d.subscribers(srv, topic)
	parts := split(len(targets), d.workers, d.minPart)
	if len(parts) == 1 {
		d.send(srv, mayRead, topic, payload, targets)
		return
	}
	d.splits.Add(1)
	var wg sync.WaitGroup
	for _, p := range parts[1:] {
		wg.Go(func() { d.send(srv, mayRead, topic, payload, targets[p.lo:p.hi]) })
	}
	d.send(srv, mayRead, topic, payload, targets[parts[0].lo:parts[0].hi])
	wg.Wait()
}

// part is a run of a publish's subscribers, [lo, hi).
type part struct{ lo, hi int }

// split cuts n subscribers into at most workers runs of about the same
// length, each of at least minPart unless there is only one.
func split(n, workers, minPart int) []part {
	k := max(min(workers, n/max(minPart, 1)), 1)
	parts := make([]part, 0, k)
	for i := range k {
		parts = append(parts, part{i * n / k, (i + 1) * n / k})
	}
	return parts
}

// send writes topic's payload to each of targets that may read it.
func (d *direct) send(srv *mqtt.Server, mayRead func(*mqtt.Client, string) bool, topic string, payload []byte, targets []target) {
	encoded := map[variantKey][]byte{}
	for _, t := range targets {
		cl, ok := srv.Clients.Get(t.client)
		if !ok || cl.Closed() || cl.Net.Conn == nil || !mayRead(cl, topic) {
			continue
		}
		// The list may be older than the client's latest unsubscribe; the
		// client's own subscriptions are current.
		if _, ok := cl.State.Subscriptions.Get(t.sub.Filter); !ok {
			continue
		}
		v := subscriberVariant(cl, t.sub)
		var b []byte
		if v.ids == nil {
			key := variantKey{v.version, v.retain, v.ws}
			if b = encoded[key]; b == nil {
				b = v.encode(topic, payload)
				encoded[key] = b
			}
		} else {
			b = v.encode(topic, payload)
		}
		if max := cl.Properties.Props.MaximumPacketSize; max > 0 && uint32(v.packetLen(b)) > max {
			continue // [MQTT-3.1.2-24]
		}
		d.deliver(cl, topic, v, b)
	}
}

// target is one subscription of a topic's subscribers.
type target struct {
	client string               // the client's id
	sub    packets.Subscription // its subscriptions matching the topic, merged
}

// subscribers lists the subscriptions matching topic. Gathering them from
// the library builds maps of every subscriber on every publish, so the list
// is kept per topic until a client subscribes, unsubscribes, connects or
// ends (gen counts those). gen moves before the library adds a
// subscription, so a list made before that is never taken for current
// after it. A topic with shared subscriptions is gathered each time: each
// publish picks one client of each group.
func (d *direct) subscribers(srv *mqtt.Server, topic string) []target {
	g := d.gen.Load()
	d.mu.Lock()
	c, ok := d.cache[topic]
	d.mu.Unlock()
	if ok && c.gen == g {
		return c.targets
	}
	subs := srv.Topics.Subscribers(topic)
	shared := len(subs.Shared) > 0
	if shared {
		subs.SelectShared()
		subs.MergeSharedSelected()
	}
	targets := make([]target, 0, len(subs.Subscriptions))
	for id, sub := range subs.Subscriptions {
		targets = append(targets, target{client: id, sub: sub})
	}
	if !shared {
		d.mu.Lock()
		d.cache[topic] = cachedTargets{gen: g, targets: targets}
		d.mu.Unlock()
	}
	return targets
}

// changed says the library's subscriptions may have changed.
func (d *direct) changed() { d.gen.Add(1) }

type cachedTargets struct {
	gen     uint64
	targets []target
}

// deliver writes b, topic's newest message for cl, at once if cl's socket
// takes all of it without waiting and no lane of cl's is busy (it could
// be writing an older message of the topic); otherwise cl's lane sends it.
func (d *direct) deliver(cl *mqtt.Client, topic string, v variant, b []byte) {
	if ws, ok := cl.Net.Conn.(*wsConn); ok && !d.laneBusy(cl) && ws.tryWrite(b) {
		return
	}
	d.lane(cl, topic, v)
}

func (d *direct) laneBusy(cl *mqtt.Client) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.lanes[cl]
	return l != nil && l.running
}

// lane asks cl's lane to send topic's newest message, starting the lane's
// writer if it is idle.
func (d *direct) lane(cl *mqtt.Client, topic string, v variant) {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.lanes[cl]
	if l == nil {
		l = &lane{pending: map[string]variant{}}
		d.lanes[cl] = l
	}
	l.pending[topic] = v
	if !l.running {
		l.running = true
		go d.runLane(cl, l)
	}
}

// lane is a client's writer of retained messages that could not be written
// at once. pending holds topics, not messages: each is sent as it is when
// the lane gets to it.
type lane struct {
	pending map[string]variant // guarded by direct.mu
	running bool               // a writer goroutine is at work
}

// runLane writes cl's pending topics until none are left. A write waits for
// the socket as any other write to the client does (a WebSocket's write
// timeout ends a client that takes nothing); after a failed write the lane
// still empties, writing nothing more. An ended client's lane is dropped.
func (d *direct) runLane(cl *mqtt.Client, l *lane) {
	broken := false
	for {
		d.mu.Lock()
		if len(l.pending) == 0 {
			l.running = false
			if cl.Closed() || broken {
				delete(d.lanes, cl)
			}
			d.mu.Unlock()
			return
		}
		var topic string
		var v variant
		for topic, v = range l.pending {
			break
		}
		delete(l.pending, topic)
		payload, ok := d.latest[topic]
		d.mu.Unlock()

		if !ok {
			continue // dropped since (a finished order's topic): nothing to send
		}
		if broken || cl.Closed() {
			broken = true
			continue
		}
		b := v.encode(topic, payload)
		d.laneWrites.Add(1)
		var err error
		if ws, ok := cl.Net.Conn.(*wsConn); ok {
			err = ws.writeWhole(b)
		} else {
			_, err = cl.Net.Conn.Write(b)
		}
		broken = err != nil
	}
}

// sent follows a retained message the library wrote to cl with the
// topic's newest, when the one written was older (see above).
func (d *direct) sent(cl *mqtt.Client, pk packets.Packet) {
	if pk.FixedHeader.Type != packets.Publish || pk.TopicName == "" {
		return
	}
	newest, ok := d.newest(pk.TopicName)
	if !ok || bytes.Equal(newest, pk.Payload) {
		return
	}
	v := clientVariant(cl)
	v.retain = pk.FixedHeader.Retain
	if ids := pk.Properties.SubscriptionIdentifier; len(ids) > 0 {
		v.ids = append([]int(nil), ids...)
	}
	d.lane(cl, pk.TopicName, v)
}

// drop stops retaining topic if payload is still its newest message: the
// library's copy and the broker's own go, and a client that subscribes
// later gets nothing. The caller serialises it with the publishes
// (Broker.retainMu).
func (d *direct) drop(srv *mqtt.Server, topic string, payload []byte) {
	d.mu.Lock()
	newest, ok := d.latest[topic]
	if !ok || !bytes.Equal(newest, payload) {
		d.mu.Unlock()
		return
	}
	delete(d.latest, topic)
	delete(d.cache, topic)
	d.mu.Unlock()
	// An empty retained message deletes the retained one, and the
	// library prunes the topic from its index when no one subscribes to it.
	srv.Topics.RetainMessage(packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Retain: true},
		TopicName:   topic,
		Origin:      mqtt.InlineClientId,
	})
}

// forget drops an ended client's idle lane.
func (d *direct) forget(cl *mqtt.Client) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if l := d.lanes[cl]; l != nil && !l.running {
		delete(d.lanes, cl)
	}
}

// directHook tells direct of the packets the library sends and of the
// clients that end.
type directHook struct {
	mqtt.HookBase
	d *direct
}

func (h *directHook) ID() string { return "kiosk-direct" }

func (h *directHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnPacketSent, mqtt.OnDisconnect, mqtt.OnConnect, mqtt.OnSessionEstablished,
		mqtt.OnSubscribe, mqtt.OnSubscribed, mqtt.OnUnsubscribe, mqtt.OnUnsubscribed, mqtt.OnClientExpired:
		return true
	}
	return false
}

func (h *directHook) OnPacketSent(cl *mqtt.Client, pk packets.Packet, _ []byte) { h.d.sent(cl, pk) }

func (h *directHook) OnDisconnect(cl *mqtt.Client, _ error, _ bool) {
	h.d.changed()
	h.d.forget(cl)
}

func (h *directHook) OnConnect(*mqtt.Client, packets.Packet) error {
	h.d.changed()
	return nil
}

func (h *directHook) OnSessionEstablished(*mqtt.Client, packets.Packet) { h.d.changed() }

func (h *directHook) OnSubscribe(_ *mqtt.Client, pk packets.Packet) packets.Packet {
	h.d.changed()
	return pk
}

func (h *directHook) OnSubscribed(*mqtt.Client, packets.Packet, []byte) { h.d.changed() }

func (h *directHook) OnUnsubscribe(_ *mqtt.Client, pk packets.Packet) packets.Packet {
	h.d.changed()
	return pk
}

func (h *directHook) OnUnsubscribed(*mqtt.Client, packets.Packet) { h.d.changed() }

func (h *directHook) OnClientExpired(*mqtt.Client) { h.d.changed() }
