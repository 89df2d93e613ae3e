package broker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/testkit/cputime"
)

// The benchmarks measure the broker the way the booth loads it: phones on
// MQTT over WebSocket at /mqtt, through the real handler and real sockets.
// They report; nothing here asserts a time.
//
//	go test ./broker -run '^$' -bench 'FanOut|ProjectEvent' -benchtime 200x
//	go test ./broker -run '^$' -bench ConnectedMemory -benchtime 1x
//
// BROKER_BENCH_CLIENTS sets how many phones connect (default 1000);
// BROKER_BENCH_HEAPPROFILE names a file for the heap profile of the
// connected, idle phones.

// benchCustomers signs in anyone whose username starts with "cust-" as that
// customer, so a benchmark can connect a thousand distinct phones.
type benchCustomers struct{}

func (benchCustomers) AuthenticateMQTT(_ context.Context, username, pw string) (access.Actor, bool) {
	if !strings.HasPrefix(username, "cust-") || pw != password {
		return access.Actor{}, false
	}
	return access.Actor{ID: username, Role: access.Customer}, true
}

func benchClients(tb testing.TB) int {
	n := 1000
	if s := os.Getenv("BROKER_BENCH_CLIENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			tb.Fatalf("BROKER_BENCH_CLIENTS=%q", s)
		}
		n = v
	}
	return n
}

// newBenchRig is a rig for n phones, without the TCP listener.
func newBenchRig(tb testing.TB, n int) *rig {
	return newRigFor(tb, benchCustomers{}, func(c *Config) {
		c.TCPAddress = ""
		c.MaxClients = int64(n + 10)
	})
}

// queuePayload is a queue of eleven orders, the size the booth's display
// shows (about 1.2 kB).
func queuePayload(i int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"orders":[`)
	for n := 1; n <= 11; n++ {
		if n > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"number":%d,"name":"Customer %02d","drink":"Flat White","icon":"flat-white","state":"queued","sinceSubmittedMs":%d}`, n, n, 84000+i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// mqttPacket frames body as an MQTT packet of the given first byte.
func mqttPacket(first byte, body []byte) []byte {
	out := []byte{first}
	n := len(body)
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		out = append(out, d)
		if n == 0 {
			break
		}
	}
	return append(out, body...)
}

// rawClient is a bare MQTT 3.1.1 client over WebSocket: little memory and
// no allocation per message, so that a thousand of them in the benchmark's
// own process disturb the broker as little as they can.
type rawClient struct {
	ws *websocket.Conn
	r  *bufio.Reader
}

// wsStream reads a WebSocket's binary messages as one byte stream.
type wsStream struct {
	ws  *websocket.Conn
	cur io.Reader
}

func (s *wsStream) Read(p []byte) (int, error) {
	for {
		if s.cur == nil {
			_, r, err := s.ws.NextReader()
			if err != nil {
				return 0, err
			}
			s.cur = r
		}
		n, err := s.cur.Read(p)
		if errors.Is(err, io.EOF) {
			s.cur = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// dialRaw connects as user and subscribes to topics in one SUBSCRIBE.
func dialRaw(url, user string, topics ...string) (*rawClient, error) {
	d := websocket.Dialer{Subprotocols: []string{"mqtt"}, HandshakeTimeout: guard,
		ReadBufferSize: 2048, WriteBufferSize: 512}
	ws, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	c := &rawClient{ws: ws}
	c.r = bufio.NewReaderSize(&wsStream{ws: ws}, 2048)
	if err := ws.WriteMessage(websocket.BinaryMessage, connectPacket(4, user+"-bench", user)); err != nil {
		ws.Close()
		return nil, err
	}
	buf := make([]byte, 0, 64)
	typ, ack, err := c.next(buf)
	if err != nil || typ != 0x20 || len(ack) != 2 || ack[1] != 0 {
		ws.Close()
		return nil, fmt.Errorf("CONNACK %x %x: %v", typ, ack, err)
	}
	sub := []byte{0, 1}
	for _, t := range topics {
		sub = append(append(sub, mqttString(t)...), 0)
	}
	if err := ws.WriteMessage(websocket.BinaryMessage, mqttPacket(0x82, sub)); err != nil {
		ws.Close()
		return nil, err
	}
	return c, nil
}

// connectPacket is a CONNECT for MQTT version 4 (3.1.1) or 5: clean
// session, no keepalive (so the broker sets no read deadline of its own),
// no properties, signing in as user with the test password.
func connectPacket(version byte, clientID, user string) []byte {
	body := append(mqttString("MQTT"), version, 0xC2, 0, 0)
	if version == 5 {
		body = append(body, 0) // no properties
	}
	body = append(body, mqttString(clientID)...)
	body = append(body, mqttString(user)...)
	body = append(body, mqttString(password)...)
	return mqttPacket(0x10, body)
}

// next reads one packet into buf and returns its type and body.
func (c *rawClient) next(buf []byte) (byte, []byte, error) {
	first, err := c.r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, shift := 0, 0
	for {
		d, err := c.r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		n |= int(d&0x7f) << shift
		shift += 7
		if d&0x80 == 0 {
			break
		}
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	_, err = io.ReadFull(c.r, buf)
	return first & 0xf0, buf, err
}

// each reads packets until the connection ends, handing each to fn (which
// must not keep body: its buffer is reused); a nil fn only drains.
func (c *rawClient) each(fn func(typ byte, body []byte)) {
	buf := make([]byte, 0, 2048)
	for {
		typ, body, err := c.next(buf)
		if err != nil {
			return
		}
		if fn != nil {
			fn(typ, body)
		}
		buf = body[:0]
	}
}

// publishTopic is the topic of a PUBLISH body.
func publishTopic(body []byte) []byte {
	if len(body) < 2 {
		return nil
	}
	n := int(body[0])<<8 | int(body[1])
	if len(body) < 2+n {
		return nil
	}
	return body[2 : 2+n]
}

// BenchmarkFanOut is one retained queue publish (1.2 kB) delivered to every
// one of the WebSocket subscribers of kiosk/public/queue. An op ends when
// the last of them holds it.
func BenchmarkFanOut(b *testing.B) {
	n := benchClients(b)
	r := newBenchRig(b, n)
	var (
		left    atomic.Int64
		done    = make(chan struct{}, 1)
		clients []*rawClient
		wg      sync.WaitGroup
	)
	left.Store(int64(n)) // the retained queue every subscriber gets first
	topic := []byte(TopicQueue)
	for i := range n {
		c, err := dialRaw(r.wsURL, fmt.Sprintf("cust-%d", i), TopicQueue)
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		clients = append(clients, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.each(func(typ byte, body []byte) {
				if typ == 0x30 && bytes.Equal(publishTopic(body), topic) && left.Add(-1) == 0 {
					done <- struct{}{}
				}
			})
		}()
	}
	b.Cleanup(func() {
		for _, c := range clients {
			c.ws.Close()
		}
		wg.Wait()
	})
	wait := func() {
		select {
		case <-done:
		case <-time.After(guard):
			b.Fatalf("%d of %d subscribers still wait", left.Load(), n)
		}
	}
	wait()
	payloads := [2][]byte{queuePayload(0), queuePayload(1)}
	b.SetBytes(int64(len(payloads[0])) * int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for i := range b.N {
		left.Store(int64(n))
		r.broker.publish(TopicQueue, payloads[i%2], true)
		wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
	// CPU time is what other work on the machine disturbs least; it counts
	// the subscribers' reading too.
	b.ReportMetric(float64((cputime.Used()-cpu).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/delivery")
}

// helperEnv starts TestBenchClientsHelper as the clients' own process.
const helperEnv = "BROKER_BENCH_HELPER"

// TestBenchClientsHelper is not a test: BenchmarkConnectedMemory runs it in
// a process of its own to hold phones connected to the benchmark's broker,
// so that the broker's process holds only the broker's memory. Each phone
// subscribes to the customer app's four topics and reads what arrives.
func TestBenchClientsHelper(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("runs only as BenchmarkConnectedMemory's helper")
	}
	url, count, _ := strings.Cut(spec, " ")
	n, err := strconv.Atoi(count)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("cust-%d", i)
		c, err := dialRaw(url, id, CustomerEventsTopic(id), CustomerOrderTopic(id), TopicQueue, TopicShop)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		defer c.ws.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.each(nil)
		}()
	}
	fmt.Println("connected")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark is done
}

// writeHeapProfile saves what is live now, for go tool pprof.
func writeHeapProfile(tb testing.TB, path string) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		tb.Fatal(err)
	}
}

// memFigures is the broker process's memory, after a collection.
type memFigures struct {
	heap, stack, rss uint64
	// runtime is what the Go runtime holds from the system, which is
	// what GOMEMLIMIT bounds.
	runtime    uint64
	goroutines int
}

func measureMemory(gc bool) memFigures {
	if gc {
		runtime.GC()
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memFigures{heap: ms.HeapInuse, stack: ms.StackInuse, rss: vmRSS(),
		runtime: ms.Sys - ms.HeapReleased, goroutines: runtime.NumGoroutine()}
}

// vmRSS is the process's resident memory from /proc, 0 where there is none.
func vmRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkConnectedMemory connects phones from a process of their own,
// each subscribed to the customer app's four topics, and reports the
// broker's memory per connection: idle, then after 200 queue publishes to
// every one of them (before and after a collection). One iteration is the
// whole run; run it with -benchtime 1x.
func BenchmarkConnectedMemory(b *testing.B) {
	n := benchClients(b)
	for range b.N {
		r := newBenchRig(b, n)
		base := measureMemory(true)

		cmd := exec.Command(os.Args[0], "-test.run=^TestBenchClientsHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+r.wsURL+" "+strconv.Itoa(n))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "connected\n" {
			b.Fatalf("helper: %q, %v", line, err)
		}
		// Let the last subscriptions and retained messages settle.
		for atomic.LoadInt64(&r.broker.srv.Info.ClientsConnected) < int64(n) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond)
		idle := measureMemory(true)
		if path := os.Getenv("BROKER_BENCH_HEAPPROFILE"); path != "" {
			writeHeapProfile(b, path)
		}

		// One event at a time, each delivered to every phone before the
		// next, as the booth's barista toggles an order.
		const events = 200
		for i := range events {
			sent := atomic.LoadInt64(&r.broker.srv.Info.MessagesSent)
			r.broker.publish(TopicQueue, queuePayload(i), true)
			for deadline := time.Now().Add(guard); atomic.LoadInt64(&r.broker.srv.Info.MessagesSent) < sent+int64(n); {
				if time.Now().After(deadline) {
					b.Fatalf("event %d: not delivered to every phone within %s", i, guard)
				}
				time.Sleep(time.Millisecond)
			}
		}
		traffic := measureMemory(false)
		collected := measureMemory(true)

		_ = stdin.Close()
		_ = cmd.Wait()

		per := func(v, base uint64) float64 { return (float64(v) - float64(base)) / float64(n) / 1024 }
		b.ReportMetric(per(idle.heap, base.heap), "heapKiB/conn")
		b.ReportMetric(per(idle.stack, base.stack), "stackKiB/conn")
		b.ReportMetric(per(idle.rss, base.rss), "rssKiB/conn")
		b.ReportMetric(float64(idle.goroutines-base.goroutines)/float64(n), "goroutines/conn")
		b.ReportMetric(float64(idle.rss)/(1<<20), "rssMiB")
		b.ReportMetric(float64(traffic.rss)/(1<<20), "rssMiB-traffic")
		b.ReportMetric(float64(traffic.heap)/(1<<20), "heapMiB-traffic")
		b.ReportMetric(float64(collected.heap)/(1<<20), "heapMiB-collected")
		b.ReportMetric(float64(traffic.runtime)/(1<<20), "goMiB-traffic")
	}
}

// BenchmarkProjectEvent is the realtime projection's time per order event:
// what one event holds up the next for. A customer follows their own
// events and order over WebSocket; an op is one MakeOrder event handled.
// Each event also has the queue published to its phones, none or
// BROKER_BENCH_CLIENTS of them, beside the projection.
func BenchmarkProjectEvent(b *testing.B) {
	for _, phones := range []int{0, benchClients(b)} {
		b.Run(fmt.Sprintf("queue-phones=%d", phones), func(b *testing.B) { benchProjectEvent(b, phones) })
	}
}

func benchProjectEvent(b *testing.B, phones int) {
	r := newBenchRig(b, phones+1)
	for i := range phones {
		c, err := dialRaw(r.wsURL, fmt.Sprintf("cust-phone-%d", i), TopicQueue)
		if err != nil {
			b.Fatal(err)
		}
		go c.each(nil)
		b.Cleanup(func() { c.ws.Close() })
	}
	c, err := dialRaw(r.wsURL, cust1.ID, CustomerEventsTopic(cust1.ID), CustomerOrderTopic(cust1.ID), TopicQueue)
	if err != nil {
		b.Fatal(err)
	}
	go c.each(nil)
	b.Cleanup(func() { c.ws.Close() })
	o := r.queued(cust1, "Al")
	if _, err := r.orders.Make(r.ctx, barista, o.ID); err != nil {
		b.Fatal(err)
	}
	logged, err := r.env.Store.ForOrder(r.ctx, o.ID)
	if err != nil {
		b.Fatal(err)
	}
	e := logged[len(logged)-1]
	took := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := r.broker.handle(r.ctx, e); err != nil {
			b.Fatal(err)
		}
		took[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(took[len(took)-1].Nanoseconds()), "max-ns")
}
