package broker

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/coffeebar/kiosk/access"
)

// Authenticator says who an MQTT client is. The kiosk's sign-in implements
// it; the broker never sees how credentials are made or stored.
type Authenticator interface {
	// AuthenticateMQTT checks a client's username and password and says who it is.
	AuthenticateMQTT(ctx context.Context, username, password string) (access.Actor, bool)
}

// The topics. Customer topics carry the customer's id as one level.
const (
	TopicStaffEvents = "kiosk/staff/events"
	TopicShop        = "kiosk/public/shop"
	TopicQueue       = "kiosk/public/queue"
	TopicQR          = "kiosk/display/qr"
	// TopicBroadcast is staff's message to everyone waiting, retained.
	TopicBroadcast = "kiosk/public/broadcast"
	// TopicPrinter is the ticket printer's state, retained, for staff.
	TopicPrinter = "kiosk/staff/printer"
)

// CustomerEventsTopic is where a customer receives their orders' events.
func CustomerEventsTopic(customerID string) string {
	return "kiosk/customer/" + customerID + "/events"
}

// CustomerOrderTopic is where a customer's latest order is retained.
func CustomerOrderTopic(customerID string) string {
	return "kiosk/customer/" + customerID + "/order"
}

// maxIDLen bounds an id used as a topic level.
const maxIDLen = 128

// validTopicID reports whether id can be one topic level on its own: not
// empty, no level separator, no wildcard, no NUL. A customer whose id could
// widen a topic into a wildcard is never let in.
func validTopicID(id string) bool {
	return id != "" && len(id) <= maxIDLen && !strings.ContainsAny(id, "/+#\x00")
}

// authTimeout bounds one sign-in check.
const authTimeout = 5 * time.Second

// session is the actor behind one client id, and the client that holds it.
type session struct {
	cl    *mqtt.Client
	actor access.Actor
}

// accessHook authenticates clients and decides what each may read. It is
// the broker's only authentication and ACL hook: the broker grants access if
// any hook does, so an allow-all hook beside it would open everything.
type accessHook struct {
	mqtt.HookBase
	auth Authenticator
	log  *slog.Logger

	mu sync.Mutex
	// sessions maps each mochi client id to the actor that signed in with
	// it. An entry lives as long as the broker keeps the session: it goes at
	// disconnect for a clean session, at expiry for a persistent one, so a
	// persistent session's queued messages can never be handed to another
	// actor reusing its client id.
	sessions map[string]session
}

func newAccessHook(auth Authenticator, log *slog.Logger) *accessHook {
	return &accessHook{auth: auth, log: log, sessions: map[string]session{}}
}

// ID names the hook.
func (h *accessHook) ID() string { return "kiosk-access" }

// Provides lists the events the hook handles: sign-in, ACL, and the end of
// a session to forget its actor.
func (h *accessHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnDisconnect, mqtt.OnClientExpired:
		return true
	}
	return false
}

// OnConnectAuthenticate lets a client in only with a username and password
// the Authenticator accepts, for a role the broker knows.
func (h *accessHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	refuse := func(reason string) bool {
		h.log.Debug("MQTT sign-in refused", "client", cl.ID, "remote", cl.Net.Remote, "reason", reason)
		return false
	}
	if pk.Connect.WillFlag {
		// A will is published by the broker itself when the client drops,
		// without any ACL check: it could overwrite a retained topic.
		return refuse("a will message is not allowed")
	}
	if cl.ID == mqtt.InlineClientId {
		return refuse("reserved client id")
	}
	user, pass := string(pk.Connect.Username), string(pk.Connect.Password)
	if user == "" || pass == "" {
		return refuse("anonymous")
	}
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	actor, ok := h.auth.AuthenticateMQTT(ctx, user, pass)
	if !ok {
		return refuse("wrong username or password")
	}
	switch {
	case actor.ID == "":
		return refuse("no actor id")
	case actor.Role == access.Customer && !validTopicID(actor.ID):
		return refuse("customer id unusable in a topic")
	case actor.Role != access.Customer && actor.Role != access.Display && !actor.IsStaff():
		return refuse("role not allowed on MQTT")
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.sessions[cl.ID]; ok && s.actor != actor {
		return refuse("client id held by someone else")
	}
	h.sessions[cl.ID] = session{cl: cl, actor: actor}
	return true
}

// OnDisconnect forgets the actor of a session that ends with its
// connection. A client that was taken over by a new connection leaves the
// new one's entry alone.
func (h *accessHook) OnDisconnect(cl *mqtt.Client, _ error, expire bool) {
	if !expire {
		return
	}
	h.forget(cl)
}

// OnClientExpired forgets the actor of a persistent session that expired.
func (h *accessHook) OnClientExpired(cl *mqtt.Client) { h.forget(cl) }

func (h *accessHook) forget(cl *mqtt.Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.sessions[cl.ID]; ok && s.cl == cl {
		delete(h.sessions, cl.ID)
	}
}

// actor returns who signed in as this client.
func (h *accessHook) actor(cl *mqtt.Client) (access.Actor, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.sessions[cl.ID]
	return s.actor, ok
}

// OnACLCheck refuses every publish, and allows a read (a subscription, or
// the delivery of one message) only of the topics the actor's role may see.
// The broker calls it with the filter on subscribe and again with the
// concrete topic on every delivery.
func (h *accessHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if write {
		return false
	}
	a, ok := h.actor(cl)
	return ok && mayRead(a, topic)
}

// mayReadClient is OnACLCheck for a delivery: whether cl may read topic.
func (h *accessHook) mayReadClient(cl *mqtt.Client, topic string) bool {
	return h.OnACLCheck(cl, topic, false)
}

// mayRead is the read rule. Staff read everything, with wildcards. The
// display and customers read only exact topics, so a wildcard filter never
// matches for them.
func mayRead(a access.Actor, topic string) bool {
	switch {
	case a.IsStaff():
		return true
	case a.Role == access.Display:
		return topic == TopicShop || topic == TopicQueue || topic == TopicQR || topic == TopicBroadcast
	case a.Role == access.Customer:
		return topic == TopicShop || topic == TopicQueue || topic == TopicBroadcast || ownCustomerTopic(a.ID, topic)
	}
	return false
}

// ownCustomerTopic reports whether topic is CustomerEventsTopic(id) or
// CustomerOrderTopic(id). It is asked on every delivery, so it compares in
// place rather than building the two topics.
func ownCustomerTopic(id, topic string) bool {
	rest, ok := strings.CutPrefix(topic, "kiosk/customer/")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(rest, id)
	return ok && (rest == "/events" || rest == "/order")
}
