package broker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/packets"
)

// printerMsg is the payload PublishPrinter sends for detail.
func printerMsg(detail string) string { return `{"detail":"` + detail + `"}` }

// A subscriber that stops reading holds up nobody: the others get every
// retained message at once while its socket is full. When it reads again,
// what it gets is whole frames of whole packets, ending with the newest
// message; the ones in between may be skipped, as only the newest counts.
func TestStalledSubscriberHoldsUpNobodyAndGetsTheNewest(t *testing.T) {
	r := newRig(t)
	stalled, err := dialRaw(r.wsURL, barista.ID, TopicPrinter)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.ws.Close()
	_ = stalled.ws.SetReadDeadline(time.Now().Add(guard))
	if typ, _, err := stalled.next(nil); err != nil || typ != 0x90 {
		t.Fatalf("SUBACK: %x %v", typ, err)
	}
	// From here on it reads nothing until the end.
	reader := connect(t, r.wsURL, admin)
	reader.mustSubscribe(TopicPrinter)

	const n = 120
	big := strings.Repeat("x", 100<<10) // 120 × 100 KiB: more than any socket buffer holds
	for i := range n {
		detail := fmt.Sprintf("%03d %s", i, big)
		if err := r.broker.PublishPrinter(map[string]string{"detail": detail}); err != nil {
			t.Fatal(err)
		}
		want := printerMsg(detail)
		reader.wait(TopicPrinter, func(m msg) bool { return string(m.payload) == want })
	}
	if r.broker.direct.laneWrites.Load() == 0 {
		t.Fatal("the stalled subscriber's socket never filled: no message went through a lane")
	}

	newest := printerMsg(fmt.Sprintf("%03d %s", n-1, big))
	got := 0
	_ = stalled.ws.SetReadDeadline(time.Now().Add(guard))
	for {
		typ, body, err := stalled.next(nil)
		if err != nil {
			t.Fatalf("after %d messages: %v", got, err)
		}
		if typ != 0x30 || string(publishTopic(body)) != TopicPrinter {
			t.Fatalf("packet %x on %q", typ, publishTopic(body))
		}
		payload := string(body[2+len(TopicPrinter):])
		if !strings.HasPrefix(payload, `{"detail":"`) || !strings.HasSuffix(payload, big+`"}`) {
			t.Fatalf("message %d is not whole: %d bytes", got, len(payload))
		}
		got++
		if payload == newest {
			break
		}
	}
	t.Logf("the stalled subscriber got %d of %d messages, the newest last", got, n)
}

// Clients that subscribe while the queue changes end on its newest state,
// though the broker may hand a new subscriber the retained message it held
// a moment before.
func TestSubscribersDuringPublishesEndOnTheNewest(t *testing.T) {
	r := newRig(t)
	const clients, versions = 12, 150
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range versions {
			if err := r.broker.PublishPrinter(map[string]int{"version": i}); err != nil {
				t.Error(err)
				return
			}
		}
		close(done)
	}()
	subs := r.printerSubscribers(t, clients, 3)
	<-done
	wg.Wait()
	newest := fmt.Sprintf(`{"version":%d}`, versions-1)
	deadline := time.Now().Add(guard)
	for i, c := range subs {
		// An older message may still come after the newest, but then the
		// newest comes again: each client must end on it.
		for string(c.last(TopicPrinter).payload) != newest {
			if time.Now().After(deadline) {
				t.Fatalf("client %d ends on %s, want %s", i, c.last(TopicPrinter).payload, newest)
			}
			select {
			case <-c.notify:
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

// A publish to many subscribers is shared among goroutines: each
// subscriber, in whichever share, gets the messages in order, ending on
// the newest.
func TestAPublishSharedAmongGoroutinesReachesEverySubscriberInOrder(t *testing.T) {
	r := newRig(t)
	r.broker.retainMu.Lock() // publishes read these under it
	r.broker.direct.workers, r.broker.direct.minPart = 3, 2
	r.broker.retainMu.Unlock()
	const clients, versions = 13, 60
	subs := r.printerSubscribers(t, clients, 4)
	for i := range versions {
		if err := r.broker.PublishPrinter(map[string]int{"version": i}); err != nil {
			t.Fatal(err)
		}
	}
	if r.broker.direct.splits.Load() == 0 {
		t.Fatal("no publish was shared among goroutines")
	}
	newest := fmt.Sprintf(`{"version":%d}`, versions-1)
	for i, c := range subs {
		c.wait(TopicPrinter, func(m msg) bool { return string(m.payload) == newest })
		// A lane may send the newest twice (it was asked again while
		// sending it), never an older one after a newer.
		last := -1
		for _, m := range c.on(TopicPrinter) {
			var v struct{ Version int }
			if err := json.Unmarshal(m.payload, &v); err != nil {
				t.Fatalf("client %d: %s: %v", i, m.payload, err)
			}
			if v.Version < last {
				t.Fatalf("client %d got version %d after %d", i, v.Version, last)
			}
			last = v.Version
		}
	}
}

// The runs of a split publish cover every subscriber once.
func TestSplitCoversEverySubscriberOnce(t *testing.T) {
	for n := range 40 {
		for workers := 0; workers <= 5; workers++ {
			for _, minPart := range []int{0, 1, 2, 7, 128} {
				parts := split(n, workers, minPart)
				if len(parts) == 0 || len(parts) > max(workers, 1) {
					t.Fatalf("split(%d, %d, %d) = %v: %d runs", n, workers, minPart, parts, len(parts))
				}
				next := 0
				for _, p := range parts {
					if p.lo != next || p.hi < p.lo || (len(parts) > 1 && p.hi-p.lo < minPart) {
						t.Fatalf("split(%d, %d, %d) = %v", n, workers, minPart, parts)
					}
					next = p.hi
				}
				if next != n {
					t.Fatalf("split(%d, %d, %d) = %v ends at %d", n, workers, minPart, parts, next)
				}
			}
		}
	}
}

// printerSubscribers connects n admins subscribed to the printer topic,
// every tcpEvery-th over plain TCP and the others over WebSocket.
func (r *rig) printerSubscribers(t *testing.T, n, tcpEvery int) []*client {
	t.Helper()
	subs := make([]*client, n)
	for i := range subs {
		url := r.wsURL
		if i%tcpEvery == 0 {
			url = r.tcpURL
		}
		subs[i] = connect(t, url, admin)
		subs[i].mustSubscribe(TopicPrinter)
	}
	return subs
}

// When the broker writes a client an older retained message than the
// newest (a subscribe racing a publish), the newest follows it.
func TestOutdatedRetainedSendIsFollowedByTheNewest(t *testing.T) {
	r := newRig(t)
	c := connect(t, r.wsURL, admin)
	c.mustSubscribe(TopicPrinter)
	for _, v := range []string{"old", "new"} {
		if err := r.broker.PublishPrinter(map[string]string{"detail": v}); err != nil {
			t.Fatal(err)
		}
		c.wait(TopicPrinter, func(m msg) bool { return string(m.payload) == printerMsg(v) })
	}
	before := len(c.on(TopicPrinter))
	var found bool
	for _, cl := range r.broker.srv.Clients.GetAll() {
		if cl.Properties.Username != nil && string(cl.Properties.Username) == admin.ID && !cl.Closed() {
			r.broker.direct.sent(cl, packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Retain: true},
				TopicName: TopicPrinter, Payload: []byte(printerMsg("old"))})
			found = true
		}
	}
	if !found {
		t.Fatal("the client is not in the broker")
	}
	deadline := time.Now().Add(guard)
	for len(c.on(TopicPrinter)) == before {
		if time.Now().After(deadline) {
			t.Fatal("the newest message did not follow the outdated one")
		}
		select {
		case <-c.notify:
		case <-time.After(10 * time.Millisecond):
		}
	}
	if last := c.last(TopicPrinter); string(last.payload) != printerMsg("new") {
		t.Errorf("followed by %s", last.payload)
	}
}

// An MQTT 5 client gets what its subscription asked for: the retain flag
// kept (retain as published) and its subscription identifier.
func TestRetainedDeliveryToMQTT5(t *testing.T) {
	r := newRig(t)
	// A message retained before the subscription: the library sends it on
	// subscribing (without the subscription identifier), and the test
	// waits for it, so that the library's send is over before "v5" is
	// published and "v5" can only come from the broker's own delivery.
	if err := r.broker.PublishPrinter(map[string]string{"detail": "before"}); err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{Subprotocols: []string{"mqtt"}, HandshakeTimeout: guard}
	ws, _, err := d.Dial(r.wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := &rawClient{ws: ws}
	c.r = bufio.NewReaderSize(&wsStream{ws: ws}, 2048)
	if err := ws.WriteMessage(websocket.BinaryMessage, connectPacket(5, "v5-client", admin.ID)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(guard))
	if typ, ack, err := c.next(nil); err != nil || typ != 0x20 || len(ack) < 2 || ack[1] != 0 {
		t.Fatalf("CONNACK %x %x: %v", typ, ack, err)
	}
	// SUBSCRIBE id 1, properties: subscription identifier 7; the filter
	// with retain as published (0x08), QoS 0.
	sub := append([]byte{0, 1, 2, 0x0B, 7}, mqttString(TopicPrinter)...)
	sub = append(sub, 0x08)
	if err := ws.WriteMessage(websocket.BinaryMessage, mqttPacket(0x82, sub)); err != nil {
		t.Fatal(err)
	}
	if typ, ack, err := c.next(nil); err != nil || typ != 0x90 || ack[len(ack)-1] != 0 {
		t.Fatalf("SUBACK %x %x: %v", typ, ack, err)
	}
	for {
		typ, body, err := c.next(nil)
		if err != nil {
			t.Fatalf("waiting for the message retained before subscribing: %v", err)
		}
		if typ == 0x30 && bytes.HasSuffix(body, []byte(printerMsg("before"))) {
			break
		}
	}
	if err := r.broker.PublishPrinter(map[string]string{"detail": "v5"}); err != nil {
		t.Fatal(err)
	}
	for {
		first, err := c.r.Peek(1)
		if err != nil {
			t.Fatal(err)
		}
		flags := first[0]
		typ, body, err := c.next(nil)
		if err != nil {
			t.Fatal(err)
		}
		if typ != 0x30 {
			continue
		}
		topic := publishTopic(body)
		rest := body[2+len(topic):]
		if string(topic) != TopicPrinter || len(rest) < 3 {
			t.Fatalf("PUBLISH %x", body)
		}
		props, payload := rest[1:1+int(rest[0])], rest[1+int(rest[0]):]
		if string(payload) != printerMsg("v5") {
			continue
		}
		if flags&0x01 == 0 {
			t.Error("retain flag cleared for a subscription that keeps it")
		}
		if !bytes.Equal(props, []byte{0x0B, 7}) {
			t.Errorf("properties %x, want the subscription identifier 7 (0b07)", props)
		}
		return
	}
}

// The broker keeps each topic's subscribers between publishes; a client
// that subscribes gets the next message, and one that unsubscribes does
// not, however recently the list was made.
func TestSubscribersFollowSubscribeAndUnsubscribe(t *testing.T) {
	r := newRig(t)
	publish := func(v string) {
		t.Helper()
		if err := r.broker.PublishPrinter(map[string]string{"detail": v}); err != nil {
			t.Fatal(err)
		}
	}
	is := func(v string) func(m msg) bool {
		return func(m msg) bool { return m.topic == TopicPrinter && string(m.payload) == printerMsg(v) }
	}
	a := connect(t, r.wsURL, admin)
	a.mustSubscribe(TopicPrinter, TopicStaffEvents)
	publish("one")
	a.wait(TopicPrinter, is("one"))

	b := connect(t, r.wsURL, admin)
	b.mustSubscribe(TopicPrinter)
	b.wait(TopicPrinter, is("one")) // retained
	publish("two")
	b.wait(TopicPrinter, is("two"))
	a.wait(TopicPrinter, is("two"))

	tok := a.c.Unsubscribe(TopicPrinter)
	if !tok.WaitTimeout(guard) || tok.Error() != nil {
		t.Fatalf("unsubscribe: %v", tok.Error())
	}
	publish("three")
	b.wait(TopicPrinter, is("three"))
	// A marker after "three" on a topic a still follows: "three" is
	// written before publish returns, so had it gone to a, it would have
	// come first on the same connection.
	r.broker.publish(TopicStaffEvents, []byte(`{"marker":true}`), false)
	a.wait(TopicStaffEvents, func(m msg) bool { return has(m, "marker") })
	for _, m := range a.on(TopicPrinter) {
		if is("three")(m) {
			t.Fatal("a client that unsubscribed got the next message")
		}
	}
}
