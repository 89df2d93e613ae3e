package e2e

import (
	"testing"
)

func TestTestClockFiresTheCustomersDeadline(t *testing.T) {
	k := startKiosk(t, t.TempDir(), "--test-clock")
	staff := k.staff()
	phone, o := k.scan(staff)
	me := phone.realtime()
	cc, err := mqttClient(t, "tcp://"+k.mqtt, me.Username, me.Password)
	if err != nil {
		t.Fatal(err)
	}
	_, events := subscribe(t, cc, me.CustomerTopic+"/events")

	staff.must("POST", "/api/test/clock", `{"advanceSeconds":899}`, nil)
	phone.must("GET", "/api/orders/"+o.ID, "", &o)
	if o.State != "waiting" {
		t.Fatalf("timed out early: %+v", o)
	}
	staff.must("POST", "/api/test/clock", `{"advanceSeconds":2}`, nil)
	await(t, events, "OrderProcessor.OrderTimeOut")
	phone.must("GET", "/api/orders/"+o.ID, "", &o)
	if o.State != "cancelled" {
		t.Fatalf("after the deadline: %+v", o)
	}
	if code := phone.call("POST", "/api/test/clock", `{"advanceSeconds":5}`, nil); code != 401 {
		t.Fatalf("a customer moved the clock: %d", code)
	}
}

func TestTheClockCannotBeMovedWithoutTheTestFlag(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	if code := k.staff().call("POST", "/api/test/clock", `{"advanceSeconds":5}`, nil); code != 404 {
		t.Fatalf("POST /api/test/clock answered %d without --test-clock", code)
	}
}
