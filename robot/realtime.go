package robot

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// The realtime topics the robot reads.
const topicStaffEvents = "kiosk/staff/events"

// connectTimeout bounds one MQTT connect and the first subscription.
const connectTimeout = 15 * time.Second

// clientSeq makes every MQTT client id of this process unique.
var clientSeq atomic.Int64

// brokerURL resolves the broker address the API gave (often the relative
// "/mqtt") against the kiosk's address, as a WebSocket URL.
func brokerURL(base *url.URL, given string) (string, error) {
	u, err := base.Parse(given)
	if err != nil {
		return "", fmt.Errorf("the broker address %q: %w", given, err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	case "ws", "wss":
	default:
		return "", fmt.Errorf("the broker address %q is not a WebSocket address", given)
	}
	return u.String(), nil
}

// message is one MQTT message and the moment the robot received it.
type message struct {
	topic   string
	payload []byte
	at      time.Time
}

// subscriber is one MQTT connection over WebSocket, subscribed to one
// topic, as an app keeps it: it reconnects and subscribes again after a
// drop.
type subscriber struct {
	c paho.Client
}

// subscribe connects with the credentials the API handed out and
// subscribes to topic at QoS 1, calling handle for every message on the
// client's own goroutine (handle must not block). It returns once the
// subscription is in place, so nothing published after it is missed.
func subscribe(ctx context.Context, base *url.URL, rt realtimeView, name, topic string, handle func(message)) (*subscriber, error) {
	addr, err := brokerURL(base, rt.URL)
	if err != nil {
		return nil, err
	}
	subscribed := make(chan error, 1)
	var once sync.Once
	opts := paho.NewClientOptions().AddBroker(addr).
		SetClientID(fmt.Sprintf("robot-%s-%d-%d", name, time.Now().UnixNano()%1e9, clientSeq.Add(1))).
		SetUsername(rt.Username).SetPassword(rt.Password).
		SetCleanSession(true).
		SetAutoReconnect(true).SetMaxReconnectInterval(2 * time.Second).
		SetConnectTimeout(connectTimeout).SetWriteTimeout(connectTimeout).
		SetKeepAlive(30 * time.Second).
		SetOrderMatters(false).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
			handle(message{topic: m.Topic(), payload: m.Payload(), at: time.Now()})
		}).
		SetOnConnectHandler(func(c paho.Client) {
			// A clean session forgets subscriptions, so every (re)connect
			// subscribes again.
			tok := c.Subscribe(topic, 1, nil)
			go func() {
				err := waitToken(tok, connectTimeout)
				if err == nil {
					if res, ok := tok.(*paho.SubscribeToken); ok && res.Result()[topic] == 0x80 {
						err = fmt.Errorf("the broker refused the subscription to %s", topic)
					}
				}
				once.Do(func() { subscribed <- err })
			}()
		})
	c := paho.NewClient(opts)
	if err := waitToken(c.Connect(), connectTimeout); err != nil {
		c.Disconnect(0)
		return nil, fmt.Errorf("connect to the broker at %s: %w", addr, err)
	}
	select {
	case err = <-subscribed:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		c.Disconnect(0)
		return nil, fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	return &subscriber{c: c}, nil
}

// close disconnects, giving the broker a moment for work in progress.
func (s *subscriber) close() { s.c.Disconnect(100) }

func waitToken(tok paho.Token, timeout time.Duration) error {
	if !tok.WaitTimeout(timeout) {
		return fmt.Errorf("no answer from the broker within %s", timeout)
	}
	return tok.Error()
}
