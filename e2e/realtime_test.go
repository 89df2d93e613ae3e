package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// order is what the API answers about an order.
type order struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Number int    `json:"number"`
}

func TestTheRealKioskServesAndGuardsItsRealtime(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	tcp, ws := "tcp://"+k.mqtt, "ws://"+k.http+"/mqtt"

	staff := k.staff()
	var qr struct {
		Code string `json:"code"`
		URL  string `json:"url"`
	}
	staff.must("GET", "/api/display/qr", "", &qr)
	if !strings.HasPrefix(qr.URL, "http://"+k.http+"/?code=") {
		t.Fatalf("QR url %q", qr.URL)
	}

	phone, other := k.browser(), k.browser()
	var mine, theirs order
	phone.must("POST", "/api/orders", `{"name":"Zoë","code":"`+qr.Code+`"}`, &mine)
	other.must("POST", "/api/orders", `{"name":"Kim","code":"`+qr.Code+`"}`, &theirs)
	me, them, staffCreds := phone.realtime(), other.realtime(), staff.realtime()

	t.Run("anonymous and wrong passwords are refused", func(t *testing.T) {
		for _, broker := range []string{tcp, ws} {
			if _, err := mqttClient(t, broker, "", ""); err == nil {
				t.Errorf("%s: anonymous connect accepted", broker)
			}
			if _, err := mqttClient(t, broker, me.Username, "wrong"); err == nil {
				t.Errorf("%s: wrong password accepted", broker)
			}
			if _, err := mqttClient(t, broker, them.Username, me.Password); err == nil {
				t.Errorf("%s: one customer's password worked for another", broker)
			}
		}
	})

	// Staff watch everything over WebSocket, the customer over TCP.
	sc, err := mqttClient(t, ws, staffCreds.Username, staffCreds.Password)
	if err != nil {
		t.Fatalf("staff connect over WebSocket: %v", err)
	}
	code, staffEvents := subscribe(t, sc, "kiosk/staff/events")
	if code > 2 {
		t.Fatalf("staff subscribe refused: %#x", code)
	}
	cc, err := mqttClient(t, tcp, me.Username, me.Password)
	if err != nil {
		t.Fatalf("customer connect over TCP: %v", err)
	}

	t.Run("staff see the printer's state, customers do not", func(t *testing.T) {
		code, printer := subscribe(t, sc, "kiosk/staff/printer")
		if code > 2 {
			t.Fatalf("staff subscribe to the printer refused: %#x", code)
		}
		select {
		case m := <-printer:
			if !strings.Contains(string(m.payload), `"health"`) {
				t.Fatalf("printer state %s", m.payload)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no retained printer state")
		}
	})

	t.Run("a customer reads only their own and public topics", func(t *testing.T) {
		for _, topic := range []string{them.CustomerTopic + "/events", them.CustomerTopic + "/order", "kiosk/staff/printer",
			"kiosk/staff/events", "kiosk/display/qr", "kiosk/#", "#", me.CustomerTopic + "/+"} {
			if code, _ := subscribe(t, cc, topic); code != 0x80 {
				t.Errorf("subscribe %s: SUBACK %#x, want 0x80 (refused)", topic, code)
			}
		}
		for _, topic := range []string{me.CustomerTopic + "/events", "kiosk/public/queue", "kiosk/public/shop"} {
			if code, _ := subscribe(t, cc, topic); code > 2 {
				t.Errorf("subscribe %s refused: %#x", topic, code)
			}
		}
	})

	t.Run("no client publishes", func(t *testing.T) {
		_, spy := subscribe(t, sc, me.CustomerTopic+"/events")
		_, queueSpy := subscribe(t, sc, "kiosk/public/queue")
		drain(queueSpy) // the retained queue
		// Throwaway clients: the broker may drop a client that tries.
		for _, c := range []credentials{me, staffCreds} {
			pub, err := mqttClient(t, tcp, c.Username, c.Password)
			if err != nil {
				t.Fatal(err)
			}
			pub.Publish(me.CustomerTopic+"/events", 1, false, `{"type":"OrderManager.OrderCompleted"}`).WaitTimeout(5 * time.Second)
			pub.Publish("kiosk/public/queue", 1, true, `{"orders":[]}`).WaitTimeout(5 * time.Second)
		}
		select {
		case m := <-spy:
			t.Fatalf("a client's publish was delivered: %s %s", m.topic, m.payload)
		case m := <-queueSpy:
			t.Fatalf("a client's publish was delivered: %s %s", m.topic, m.payload)
		case <-time.After(500 * time.Millisecond):
		}
	})

	_, myEvents := subscribe(t, cc, me.CustomerTopic+"/events")
	_, theirEvents := subscribe(t, cc, them.CustomerTopic+"/events")

	// The whole journey: choose, make, complete.
	phone.must("PUT", "/api/orders/"+mine.ID+"/drink", `{"drinkId":"flat-white","options":[{"group":"Milk","choice":"Oat"}]}`, &mine)
	staff.must("POST", "/api/orders/"+mine.ID+"/make", "", nil)
	staff.must("POST", "/api/orders/"+mine.ID+"/complete", "", nil)

	seen := await(t, staffEvents, "OrderProcessor.orderFinished")
	want := []string{"OrderProcessor.WaitingCompletion", "OrderManager.WaitingCompletion", "OrderManager.MakeOrder",
		"OrderManager.OrderCompleted", "OrderProcessor.orderFinished"}
	if !isSubsequence(want, seen) {
		t.Fatalf("staff saw %v, want %v in order", seen, want)
	}
	got := await(t, myEvents, "OrderManager.OrderCompleted")
	if !slices.Contains(got, "OrderManager.MakeOrder") {
		t.Fatalf("the customer saw %v", got)
	}
	select {
	case m := <-theirEvents:
		t.Fatalf("the customer received another's event: %s", m.payload)
	default:
	}
	phone.must("GET", "/api/orders/"+mine.ID, "", &mine)
	if mine.State != "completed" || mine.Number != 1 {
		t.Fatalf("order after the journey: %+v", mine)
	}
	// The make printed a ticket, to the file printer in the data directory.
	var printerState struct {
		Jobs []struct {
			ID      int  `json:"id"`
			Printed bool `json:"printed"`
		} `json:"jobs"`
	}
	guard := time.Now().Add(10 * time.Second)
	for len(printerState.Jobs) == 0 || !printerState.Jobs[0].Printed {
		if time.Now().After(guard) {
			t.Fatalf("no ticket printed: %+v", printerState)
		}
		staff.must("GET", "/api/printer", "", &printerState)
		time.Sleep(20 * time.Millisecond)
	}
	var preview struct{ Text string }
	staff.must("GET", fmt.Sprintf("/api/printer/jobs/%d/preview", printerState.Jobs[0].ID), "", &preview)
	if !strings.Contains(strings.ReplaceAll(preview.Text, " ", ""), "Zoë") {
		t.Fatalf("ticket preview:\n%s", preview.Text)
	}
	if files, _ := filepath.Glob(filepath.Join(k.dir, "tickets", "job-*.bin")); len(files) != 1 {
		t.Fatalf("ticket files: %v", files)
	}
	k.stop()
	if out := k.output(); !strings.Contains(out, "kiosk stopped") {
		t.Fatalf("no clean shutdown in the log:\n%s", out)
	}
}

func drain(ch <-chan message) {
	for {
		select {
		case <-ch:
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

func isSubsequence(want, seen []string) bool {
	i := 0
	for _, s := range seen {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}
