package e2e

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	_ "modernc.org/sqlite"

	"github.com/coffeebar/kiosk/robot"
	"github.com/coffeebar/kiosk/storage"
)

// faultsEnv turns on the slow fault tests (make faults, which make test
// runs); killsEnv sets how many times the kiosk is killed.
const faultsEnv, killsEnv = "KIOSK_FAULTS", "KIOSK_KILLS"

// onceEvents may each be written at most once for an order.
var onceEvents = []string{
	"Validator.NewOrder", "OrderProcessor.WorkflowStarted", "OrderProcessor.WaitingCompletion",
	"OrderManager.WaitingCompletion", "OrderProcessor.OrderTimeOut", "OrderProcessor.orderFinished",
	"OrderManager.OrderCompleted", "OrderManager.OrderCancelled", "OrderManager.OrderCollected",
}

// dbOrder is an order as the database holds it.
type dbOrder struct {
	state    string
	number   int
	boothDay int
	events   map[string]int // detail type → how many
}

// TestKilledAtRandomMomentsUnderLoad pulls the plug on the kiosk again and
// again while the robot orders and works the queue, and sometimes while a
// clock jump fires deadlines, restarting it on the same data each time.
// After every kill: whatever the API confirmed to the robot is there in
// the state it confirmed or a later one, no order number is used twice, the
// event log has no gap and no order has an event twice, and a realtime
// client that was connected all along has caught up with the queue. At the
// end every deadline is made due: each fires once and every order ends.
func TestKilledAtRandomMomentsUnderLoad(t *testing.T) {
	if os.Getenv(faultsEnv) == "" {
		t.Skip("a fault test: make faults (part of make test) runs it with " + faultsEnv + "=1")
	}
	kills := 20
	if n, err := strconv.Atoi(os.Getenv(killsEnv)); err == nil && n > 0 {
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("random moments from seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))

	dir := t.TempDir()
	k := startKiosk(t, dir, "--test-clock")
	screen := newQueueWatcher(t, k)

	confirmed := map[string]robot.Confirmation{} // the furthest confirmation per order
	var runningTime int64
	for cycle := 1; cycle <= kills; cycle++ {
		journal := filepath.Join(t.TempDir(), "journal.jsonl")
		rb, out := runRobot(t, k, 5000, "--rate", "25", "--journal", journal, "--log-level", "error")
		// Every fifth cycle an hour passes while the robot runs: the
		// deadlines of every open order fire together, under load.
		if cycle%5 == 0 {
			time.Sleep(time.Duration(rng.IntN(800)) * time.Millisecond)
			k.staff().must("POST", "/api/test/clock", `{"advanceSeconds":3600}`, nil)
		}
		// The moment of the kill, anywhere from the robot's first requests
		// to well into its run.
		time.Sleep(time.Duration(200+rng.IntN(2800)) * time.Millisecond)
		k.kill()
		rb.Process.Kill()
		rb.Wait()

		n := readJournal(t, journal, confirmed)
		orders, rt := checkDatabase(t, filepath.Join(dir, storage.FileName))
		if rt < runningTime {
			t.Errorf("cycle %d: the running time went back from %d to %d", cycle, runningTime, rt)
		}
		runningTime = rt
		for id, c := range confirmed {
			o, ok := orders[id]
			switch {
			case !ok:
				t.Errorf("cycle %d: order %s confirmed %s is lost", cycle, id, c.State)
			case progress[o.state] < progress[c.State]:
				t.Errorf("cycle %d: order %s confirmed %s is back at %s", cycle, id, c.State, o.state)
			case progress[c.State] == 3 && o.state != c.State:
				t.Errorf("cycle %d: order %s confirmed %s is now %s", cycle, id, c.State, o.state)
			case c.Number != 0 && (o.number != c.Number || o.boothDay != c.BoothDay):
				t.Errorf("cycle %d: order %s confirmed as %d/%d is now %d/%d", cycle, id, c.BoothDay, c.Number, o.boothDay, o.number)
			}
		}
		t.Logf("cycle %d: %d changes confirmed, %d orders in the database", cycle, n, len(orders))
		if t.Failed() {
			t.Fatalf("robot output:\n%s", out)
		}

		k.start()
		screen.caughtUp(cycle)
	}
	if len(confirmed) < kills {
		t.Fatalf("only %d orders were confirmed over %d runs: the load was too light to test anything", len(confirmed), kills)
	}

	// Every deadline due: the customers', the baristas' and the ready
	// drinks'. Each order ends, and no deadline fires twice.
	k.staff().must("POST", "/api/test/clock", `{"advanceSeconds":86400}`, nil)
	staff := k.staff() // the day ended the first session
	guard := time.Now().Add(60 * time.Second)
	for {
		open := 0
		for _, state := range []string{"waiting", "queued", "making", "ready"} {
			var res struct{ Orders []listedOrder }
			staff.must("GET", "/api/orders?state="+state+"&limit=500", "", &res)
			open += len(res.Orders)
		}
		if open == 0 {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("%d orders still open a day after their deadlines", open)
		}
		time.Sleep(50 * time.Millisecond)
	}
	k.stop()
	orders, _ := checkDatabase(t, filepath.Join(dir, storage.FileName))
	timedOut := 0
	for id, o := range orders {
		if progress[o.state] != 3 {
			t.Errorf("order %s is still %s", id, o.state)
		}
		timedOut += o.events["OrderProcessor.OrderTimeOut"]
	}
	if timedOut == 0 {
		t.Error("no deadline fired: the clock jumps tested nothing")
	}
	t.Logf("%d kills, %d orders confirmed, %d in all, %d timed out", kills, len(confirmed), len(orders), timedOut)
}

// readJournal folds a robot's journal into confirmed, keeping each order's
// furthest state, and returns how many lines it read.
func readJournal(t *testing.T, path string, confirmed map[string]robot.Confirmation) int {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0 // killed before its first confirmation
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c robot.Confirmation
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			// The robot is killed too: its last line may be cut short,
			// but only a line written whole was a confirmation it had.
			continue
		}
		n++
		if was, ok := confirmed[c.ID]; !ok || progress[c.State] >= progress[was.State] {
			confirmed[c.ID] = c
		}
	}
	return n
}

// checkDatabase opens the kiosk's database while the kiosk is down, checks
// the event log (no gap in its sequence, no order with an event twice, an
// end event exactly for the ended orders, no order number used twice) and
// returns the orders and the latest running time the log recorded.
func checkDatabase(t *testing.T, path string) (map[string]*dbOrder, int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orders := map[string]*dbOrder{}
	rows, err := db.Query(`SELECT id, state, COALESCE(number, 0), booth_day FROM orders`)
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[string]string{}
	for rows.Next() {
		var id string
		o := &dbOrder{events: map[string]int{}}
		if err := rows.Scan(&id, &o.state, &o.number, &o.boothDay); err != nil {
			t.Fatal(err)
		}
		orders[id] = o
		if o.number != 0 {
			key := fmt.Sprint(o.boothDay, "/", o.number)
			if other, dup := numbers[key]; dup {
				t.Errorf("number %s is used by %s and %s", key, other, id)
			}
			numbers[key] = id
		}
	}
	rows.Close()

	rows, err = db.Query(`SELECT seq, detail_type, COALESCE(order_id, ''), time_run FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var last, runMax int64
	for rows.Next() {
		var seq, run int64
		var typ, orderID string
		if err := rows.Scan(&seq, &typ, &orderID, &run); err != nil {
			t.Fatal(err)
		}
		if seq != last+1 {
			t.Errorf("the event log goes from %d to %d", last, seq)
		}
		last, runMax = seq, max(runMax, run)
		if o := orders[orderID]; o != nil {
			o.events[typ]++
		}
	}
	rows.Close()
	for id, o := range orders {
		for _, typ := range onceEvents {
			if o.events[typ] > 1 {
				t.Errorf("order %s has %s %d times", id, typ, o.events[typ])
			}
		}
		ended := o.events["OrderProcessor.orderFinished"] == 1
		if ended != (progress[o.state] == 3) {
			t.Errorf("order %s is %s with %d end events", id, o.state, o.events["OrderProcessor.orderFinished"])
		}
		if o.events["OrderProcessor.OrderTimeOut"] == 1 && o.state != "cancelled" {
			t.Errorf("order %s timed out but is %s", id, o.state)
		}
	}
	return orders, runMax
}

// queueWatcher is a realtime client that stays connected across the
// kiosk's restarts, as the display does: Paho over WebSocket, reconnecting
// and subscribing again to the retained public queue.
type queueWatcher struct {
	t    *testing.T
	k    *kiosk
	mu   sync.Mutex
	last []queueEntry
	gen  int // connections so far
}

type queueEntry struct {
	Number int    `json:"number"`
	State  string `json:"state"`
}

func newQueueWatcher(t *testing.T, k *kiosk) *queueWatcher {
	t.Helper()
	w := &queueWatcher{t: t, k: k}
	creds := k.staff().realtime()
	opts := mqtt.NewClientOptions().AddBroker("ws://" + k.http + "/mqtt").
		SetClientID(fmt.Sprintf("e2e-watcher-%d", time.Now().UnixNano())).
		SetUsername(creds.Username).SetPassword(creds.Password).SetCleanSession(true).
		SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(100 * time.Millisecond).
		SetMaxReconnectInterval(200 * time.Millisecond).SetConnectTimeout(5 * time.Second)
	opts.SetOnConnectHandler(func(c mqtt.Client) {
		w.mu.Lock()
		w.gen++
		w.mu.Unlock()
		c.Subscribe("kiosk/public/queue", 0, func(_ mqtt.Client, m mqtt.Message) {
			var q struct{ Orders []queueEntry }
			if json.Unmarshal(m.Payload(), &q) != nil {
				return
			}
			w.mu.Lock()
			w.last = q.Orders
			w.mu.Unlock()
		})
	})
	c := mqtt.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(15*time.Second) || tok.Error() != nil {
		t.Fatalf("the watcher could not connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return w
}

// caughtUp waits until the watcher has reconnected after the restart of
// the given cycle and shows the queue the API shows.
func (w *queueWatcher) caughtUp(cycle int) {
	w.t.Helper()
	anyone := w.k.browser()
	guard := time.Now().Add(30 * time.Second)
	for {
		var res struct{ Queue []queueEntry }
		anyone.must("GET", "/api/queue", "", &res)
		want := res.Queue
		w.mu.Lock()
		seen, gen := slices.Clone(w.last), w.gen
		w.mu.Unlock()
		if gen > cycle && slices.Equal(seen, want) {
			return
		}
		if time.Now().After(guard) {
			w.t.Fatalf("cycle %d: after %d connections the watcher shows %v, the API %v", cycle, gen, seen, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
