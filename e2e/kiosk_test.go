// Package e2e starts the real kiosk binary and talks to it only as its
// clients do: HTTP with cookies, and MQTT over TCP and WebSocket through an
// independent client library (Eclipse Paho).
package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kiosk-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "kiosk")
	build := exec.Command("go", "build", "-o", binary, "../cmd/kiosk")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the kiosk:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

const adminPassword = "e2e-admin-pass"

// kiosk is one running kiosk process.
type kiosk struct {
	t      *testing.T
	cmd    *exec.Cmd
	dir    string
	http   string
	mqtt   string
	exited chan error
	extra  []string
	env    []string
	logMu  sync.Mutex
	log    strings.Builder
}

func startKiosk(t *testing.T, dir string, extra ...string) *kiosk {
	t.Helper()
	k := &kiosk{t: t, dir: dir, http: freePort(t), mqtt: freePort(t), exited: make(chan error, 1), extra: extra}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kiosk output (every start):\n%s", k.output())
		}
	})
	k.start()
	return k
}

func (k *kiosk) start() {
	t := k.t
	t.Helper()
	args := []string{"--data", k.dir, "--http", k.http, "--mqtt", k.mqtt, "--open",
		"--admin-password", adminPassword, "--public-url", "http://" + k.http + "/"}
	k.cmd = exec.Command(binary, append(args, k.extra...)...)
	k.cmd.Env = append(os.Environ(), k.env...)
	out, _ := k.cmd.StdoutPipe()
	k.cmd.Stderr = k.cmd.Stdout
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			k.logMu.Lock()
			k.log.WriteString(sc.Text() + "\n")
			k.logMu.Unlock()
		}
	}()
	exited := make(chan error, 1)
	k.exited = exited
	go func() { exited <- k.cmd.Wait() }()
	t.Cleanup(func() {
		if k.cmd.ProcessState == nil {
			k.cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + k.http + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("the kiosk exited at start: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the kiosk never became healthy")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (k *kiosk) stop() {
	k.t.Helper()
	k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-k.exited:
		if err != nil {
			k.t.Fatalf("the kiosk did not exit cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		k.t.Fatal("the kiosk did not stop on SIGTERM")
	}
}

// kill pulls the plug: SIGKILL, nothing runs.
func (k *kiosk) kill() {
	k.cmd.Process.Kill()
	<-k.exited
}

func (k *kiosk) output() string {
	k.logMu.Lock()
	defer k.logMu.Unlock()
	return k.log.String()
}

// browser is an HTTP client with cookies that echoes the CSRF cookie.
type browser struct {
	t    *testing.T
	base string
	jar  *cookiejar.Jar
	c    *http.Client
}

// scan opens an order for Sam on a new phone, with the code the display
// shows (read by staff).
func (k *kiosk) scan(staff *browser) (*browser, order) {
	var qr struct{ Code string }
	staff.must("GET", "/api/display/qr", "", &qr)
	phone := k.browser()
	var o order
	phone.must("POST", "/api/orders", `{"name":"Sam","code":"`+qr.Code+`"}`, &o)
	return phone, o
}

func (k *kiosk) browser() *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: k.t, base: "http://" + k.http, jar: jar, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	b.call("GET", "/api/shop", "", nil)
	return b
}

func (b *browser) call(method, path, body string, out any) int {
	b.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	u, _ := url.Parse(b.base)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "kiosk_csrf" {
			req.Header.Set("X-Kiosk-CSRF", c.Value)
		}
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode
}

func (b *browser) must(method, path, body string, out any) {
	b.t.Helper()
	var raw json.RawMessage
	code := b.call(method, path, body, &raw)
	if code >= 300 {
		b.t.Fatalf("%s %s: %d %s", method, path, code, raw)
	}
	if out != nil {
		json.Unmarshal(raw, out)
	}
}

func (k *kiosk) staff() *browser {
	b := k.browser()
	b.must("POST", "/api/session", `{"username":"admin","password":"`+adminPassword+`"}`, nil)
	return b
}

type credentials struct {
	URL           string `json:"url"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	CustomerTopic string `json:"customerTopic"`
}

func (b *browser) realtime() credentials {
	var c credentials
	b.must("GET", "/api/realtime", "", &c)
	return c
}

// message is what a topic carried.
type message struct {
	topic   string
	payload []byte
}

// mqttClient connects Paho to broker (tcp://… or ws://…) with credentials.
func mqttClient(t *testing.T, broker, user, pass string) (mqtt.Client, error) {
	t.Helper()
	opts := mqtt.NewClientOptions().AddBroker(broker).SetClientID(fmt.Sprintf("e2e-%d", time.Now().UnixNano())).
		SetUsername(user).SetPassword(pass).SetAutoReconnect(false).SetConnectRetry(false).
		SetConnectTimeout(10 * time.Second).SetCleanSession(true)
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(15 * time.Second) {
		return nil, fmt.Errorf("connect timed out")
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c, nil
}

// subscribe returns the SUBACK code and a channel of what arrives.
func subscribe(t *testing.T, c mqtt.Client, topic string) (byte, <-chan message) {
	t.Helper()
	ch := make(chan message, 256)
	tok := c.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) {
		ch <- message{topic: m.Topic(), payload: m.Payload()}
	})
	if !tok.WaitTimeout(15 * time.Second) {
		t.Fatalf("subscribe %s timed out", topic)
	}
	res := tok.(*mqtt.SubscribeToken).Result()
	return res[topic], ch
}

type event struct {
	Type   string          `json:"type"`
	Detail json.RawMessage `json:"detail"`
}

// await reads messages until one of type want arrives, returning the types
// seen on the way.
func await(t *testing.T, ch <-chan message, want string) []string {
	t.Helper()
	var seen []string
	guard := time.After(20 * time.Second)
	for {
		select {
		case m := <-ch:
			var e event
			json.Unmarshal(m.payload, &e)
			seen = append(seen, e.Type)
			if e.Type == want {
				return seen
			}
		case <-guard:
			t.Fatalf("no %s; saw %v", want, seen)
		}
	}
}
