package broker

import (
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/coffeebar/kiosk/access"
)

// transports runs a test over plain TCP and over the WebSocket the API
// carries at /mqtt.
func transports(t *testing.T, test func(t *testing.T, r *rig, url string)) {
	for _, tr := range []string{"tcp", "ws"} {
		t.Run(tr, func(t *testing.T) {
			r := newRig(t)
			url := r.tcpURL
			if tr == "ws" {
				url = r.wsURL
			}
			test(t, r, url)
		})
	}
}

func TestSignInRefused(t *testing.T) {
	transports(t, func(t *testing.T, r *rig, url string) {
		for _, tc := range []struct {
			name string
			opts *paho.ClientOptions
		}{
			{"anonymous", options(url, "", "")},
			{"username without password", options(url, cust1.ID, "")},
			{"wrong password", options(url, cust1.ID, "wrong")},
			{"unknown user", options(url, "nobody", password)},
			{"the kiosk's own role", options(url, "kiosk", password)},
			{"reserved client id", options(url, cust1.ID, password).SetClientID("inline")},
			{"with a will", options(url, cust1.ID, password).SetBinaryWill(TopicQueue, []byte("{}"), 1, true)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := tryConnect(t, tc.opts); err == nil {
					t.Fatal("connected, want refused")
				}
			})
		}
		// The right password still works, so the refusals above are the
		// broker's decision and not a broken rig.
		connect(t, url, cust1)
	})
}

// A customer subscribes to exactly the public topics and their own two;
// everything else is refused, and nothing of it is ever delivered.
func TestCustomerTopics(t *testing.T) {
	transports(t, func(t *testing.T, r *rig, url string) {
		r.queued(cust2, "Bo") // something retained on cust-2's topics
		c := connect(t, url, cust1)
		for _, topic := range []string{
			CustomerEventsTopic(cust2.ID), CustomerOrderTopic(cust2.ID),
			TopicStaffEvents, "kiosk/staff/#", TopicQR,
			"#", "kiosk/#", "kiosk/+/qr", "kiosk/customer/+/order", "kiosk/customer/+/events",
			"kiosk/customer/cust-1/#", "kiosk/public/#", "$SYS/#",
			"$share/g/" + CustomerOrderTopic(cust2.ID),
		} {
			if rc := c.subscribe(topic); rc != 0x80 {
				t.Errorf("customer subscribe %q = 0x%x, want refused (0x80)", topic, rc)
			}
		}
		c.mustSubscribe(TopicShop, TopicQueue, CustomerEventsTopic(cust1.ID), CustomerOrderTopic(cust1.ID))
		// The queue is retained and holds cust-2's order: once it arrives,
		// every retained message a refused subscription could have brought
		// would have arrived before it.
		c.wait(TopicQueue, func(m msg) bool { return has(m, `"number":1`) })
		c.wait(TopicShop, nil)
		for _, m := range c.received() {
			if m.topic != TopicShop && m.topic != TopicQueue {
				t.Errorf("customer received %s: %s", m.topic, m.payload)
			}
			if has(m, cust2.ID) || has(m, r.code().Code) {
				t.Errorf("customer saw another customer's id or the QR code on %s: %s", m.topic, m.payload)
			}
		}
	})
}

func TestDisplayTopics(t *testing.T) {
	transports(t, func(t *testing.T, r *rig, url string) {
		r.queued(cust1, "Al")
		d := connect(t, url, display)
		for _, topic := range []string{
			CustomerEventsTopic(cust1.ID), CustomerOrderTopic(cust1.ID), TopicStaffEvents,
			"kiosk/staff/#", "#", "kiosk/display/#", "kiosk/customer/+/order",
		} {
			if rc := d.subscribe(topic); rc != 0x80 {
				t.Errorf("display subscribe %q = 0x%x, want refused (0x80)", topic, rc)
			}
		}
		d.mustSubscribe(TopicShop, TopicQueue, TopicQR)
		qrMsg := d.wait(TopicQR, nil)
		if got := decode[QRState](t, qrMsg); got.Code != r.code().Code {
			t.Errorf("display QR code = %q, want the current one %q", got.Code, r.code().Code)
		}
		d.wait(TopicQueue, func(m msg) bool { return has(m, `"number":1`) })
		for _, m := range d.received() {
			if strings.HasPrefix(m.topic, "kiosk/customer/") || m.topic == TopicStaffEvents {
				t.Errorf("display received %s", m.topic)
			}
		}
	})
}

// No client may publish, whatever its role: the message reaches no one,
// and a retained topic keeps the kiosk's value.
func TestNoClientPublishes(t *testing.T) {
	transports(t, func(t *testing.T, r *rig, url string) {
		staff := connect(t, url, admin)
		staff.mustSubscribe("#")
		staff.wait(TopicQueue, nil)

		topics := []string{TopicQueue, TopicShop, TopicQR, CustomerOrderTopic(cust1.ID), TopicStaffEvents, "elsewhere"}
		for _, who := range []access.Actor{cust1, display, barista} {
			// QoS 0: dropped in silence. A subscribe on the same
			// connection afterwards proves the broker has handled them.
			c := connect(t, url, who)
			for _, topic := range topics {
				c.c.Publish(topic, 0, true, []byte("forged")).WaitTimeout(guard)
			}
			c.mustSubscribe(TopicShop)
			// QoS 1: an MQTT 3.1.1 client is disconnected for it.
			for _, topic := range topics {
				c := connect(t, url, who)
				c.c.Publish(topic, 1, true, []byte("forged"))
				select {
				case <-c.lost:
				case <-time.After(guard):
					t.Errorf("%s: QoS 1 publish to %s was not refused", who.ID, topic)
				}
			}
		}
		// A real change after the forgeries: once staff have it, the
		// forgeries would have reached them first.
		if _, err := r.shop.SetOpen(r.ctx, barista, false); err != nil {
			t.Fatal(err)
		}
		staff.wait(TopicShop, func(m msg) bool { return has(m, `"open":false`) })
		for _, m := range staff.received() {
			if has(m, "forged") {
				t.Errorf("a client's publish reached staff on %s", m.topic)
			}
		}
		late := connect(t, url, cust1)
		late.mustSubscribe(TopicQueue)
		if m := late.last(TopicQueue); has(m, "forged") {
			t.Errorf("retained queue overwritten by a client: %s", m.payload)
		}
	})
}

// A client id in use by one actor cannot be taken over by another: that
// would hand them the first one's session.
func TestClientIDBoundToActor(t *testing.T) {
	r := newRig(t)
	opts := options(r.tcpURL, cust1.ID, password).SetClientID("phone-1")
	first, err := tryConnect(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	first.mustSubscribe(CustomerOrderTopic(cust1.ID))
	opts = options(r.tcpURL, cust2.ID, password).SetClientID("phone-1")
	if _, err := tryConnect(t, opts); err == nil {
		t.Fatal("another customer took over the client id")
	}
	// The owner may come back on the same id.
	opts = options(r.tcpURL, cust1.ID, password).SetClientID("phone-1")
	if _, err := tryConnect(t, opts); err != nil {
		t.Fatalf("the owner could not reconnect on its client id: %v", err)
	}
}

func TestMayRead(t *testing.T) {
	for _, tc := range []struct {
		actor access.Actor
		topic string
		want  bool
	}{
		{cust1, TopicShop, true},
		{cust1, TopicQueue, true},
		{cust1, CustomerEventsTopic("cust-1"), true},
		{cust1, CustomerOrderTopic("cust-1"), true},
		{cust1, CustomerOrderTopic("cust-2"), false},
		{cust1, CustomerOrderTopic("cust-10"), false},
		{cust1, CustomerEventsTopic("cust-"), false},
		{cust1, "kiosk/customer/cust-1", false},
		{cust1, "kiosk/customer/cust-1/", false},
		{cust1, "kiosk/customer/cust-1/order/x", false},
		{cust1, "kiosk/customer/cust-1/eventsx", false},
		{cust1, "kiosk/customer/cust-1/events/", false},
		{cust1, TopicQR, false},
		{cust1, TopicStaffEvents, false},
		{cust1, "kiosk/customer/cust-1/+", false},
		{display, TopicQR, true},
		{display, TopicQueue, true},
		{display, CustomerOrderTopic("cust-1"), false},
		{barista, "kiosk/staff/#", true},
		{admin, CustomerOrderTopic("cust-2"), true},
		{access.SystemActor, TopicShop, false},
		{access.Actor{ID: "x", Role: "stranger"}, TopicShop, false},
	} {
		if got := mayRead(tc.actor, tc.topic); got != tc.want {
			t.Errorf("mayRead(%s, %q) = %v, want %v", tc.actor.Role, tc.topic, got, tc.want)
		}
	}
	for _, id := range []string{"", "a/b", "+", "#", "a+b", strings.Repeat("x", maxIDLen+1)} {
		if validTopicID(id) {
			t.Errorf("validTopicID(%q) = true", id)
		}
	}
}
