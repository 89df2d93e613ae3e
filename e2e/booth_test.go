package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestBoothSettingsReachTheDisplaysQRTopic(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	staff := k.staff()
	creds := staff.realtime()
	c, err := mqttClient(t, "tcp://"+k.mqtt, creds.Username, creds.Password)
	if err != nil {
		t.Fatal(err)
	}
	_, qr := subscribe(t, c, "kiosk/display/qr")
	staff.must("PUT", "/api/booth", `{"wifiSsid":"CoffeeBar","publicUrl":"http://coffee.lan/"}`, nil)
	guard := time.After(20 * time.Second)
	for {
		select {
		case m := <-qr:
			var st struct {
				URL  string
				Wifi *struct{ SSID string }
			}
			json.Unmarshal(m.payload, &st)
			if st.Wifi != nil && st.Wifi.SSID == "CoffeeBar" && strings.HasPrefix(st.URL, "http://coffee.lan/?code=") {
				if strings.Contains(string(m.payload), "password") {
					t.Fatalf("the QR topic carries a password: %s", m.payload)
				}
				return
			}
		case <-guard:
			t.Fatal("the QR topic never showed the booth's Wi-Fi and address")
		}
	}
}
