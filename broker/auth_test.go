package broker

import (
	"testing"

	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/testkit"
)

// The kiosk's own sign-in works as the broker's Authenticator: a customer's
// credentials from it open exactly that customer's topics.
func TestKioskSignIn(t *testing.T) {
	r := newRig(t)
	svc, err := auth.New(r.ctx, r.env.Store, testkit.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	r.stop()
	b, err := New(r.cfg, svc, Deps{Store: r.env.Store, Shop: r.shop, QR: r.qr, Orders: r.orders,
		Clock: r.env.Clock, Logger: testkit.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(r.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	url := "tcp://" + b.TCPAddr()

	id, _ := svc.NewCustomer()
	other, _ := svc.NewCustomer()
	user, pw := svc.CustomerMQTT(id)
	if _, err := tryConnect(t, options(url, user, pw+"x")); err == nil {
		t.Fatal("a wrong signature was accepted")
	}
	c, err := tryConnect(t, options(url, user, pw))
	if err != nil {
		t.Fatalf("customer credentials refused: %v", err)
	}
	c.mustSubscribe(CustomerOrderTopic(id), CustomerEventsTopic(id), TopicShop)
	for _, topic := range []string{CustomerOrderTopic(other), TopicQR, TopicStaffEvents} {
		if rc := c.subscribe(topic); rc != 0x80 {
			t.Errorf("customer subscribe %s = 0x%x, want refused", topic, rc)
		}
	}
}
