package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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

func TestBoothTomlProblemsReachTheLogAndTheDisplay(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "booth-status.json")
	os.WriteFile(status, []byte(`{"file":"/boot/firmware/booth.toml","mode":"wifi","problems":[
		{"line":7,"key":"language","message":"/boot/firmware/booth.toml:7: language: \"fr\" is not one of en, de; using en."}]}`), 0o644)
	k := startKiosk(t, filepath.Join(dir, "data"), "--booth-status", status, "--language", "de")
	var got struct {
		Language string
		Report   struct {
			File     string
			Problems []struct {
				Line    int
				Key     string
				Message string
			}
		}
	}
	k.browser().must("GET", "/api/setup", "", &got)
	if got.Language != "de" || got.Report.File != "/boot/firmware/booth.toml" || len(got.Report.Problems) != 1 ||
		got.Report.Problems[0].Line != 7 || got.Report.Problems[0].Key != "language" {
		t.Fatalf("GET /api/setup: %+v", got)
	}
	if out := k.output(); !strings.Contains(out, "booth.toml problem") || !strings.Contains(out, "line=7") {
		t.Errorf("the log does not name the problem:\n%s", out)
	}

	// A status file that is missing is itself shown: the box runs on.
	k2 := startKiosk(t, filepath.Join(dir, "data2"), "--booth-status", filepath.Join(dir, "missing.json"))
	k2.browser().must("GET", "/api/setup", "", &got)
	if got.Language != "en" || len(got.Report.Problems) != 1 || !strings.Contains(got.Report.Problems[0].Message, "no report") {
		t.Fatalf("GET /api/setup without a status file: %+v", got)
	}

	// A kiosk started by hand has no report, and a language it does not
	// speak is refused at start.
	k3 := startKiosk(t, filepath.Join(dir, "data3"))
	var bare map[string]any
	k3.browser().must("GET", "/api/setup", "", &bare)
	if bare["report"] != nil || bare["language"] != "en" {
		t.Fatalf("GET /api/setup by hand: %v", bare)
	}
	out, err := exec.Command(binary, "--data", filepath.Join(dir, "data4"), "--language", "fr").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the language must be en or de") {
		t.Fatalf("--language fr: %v\n%s", err, out)
	}
}
