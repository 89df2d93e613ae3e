package order

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/testkit"
)

// The crash tests run part of their work in a child process (this test
// binary again, selecting TestCrashChild) and kill it with SIGKILL: no
// deferred function, no Close, no flush runs, as when the plug is pulled.

const crashDirEnv, crashModeEnv = "KIOSK_CRASH_DIR", "KIOSK_CRASH_MODE"

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("runs only as the child of a crash test")
	}
	b := &bar{t: t, env: testkit.At(t, dir), ctx: context.Background()}
	b.wire()
	if err := b.shop.Init(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.shop.SetOpen(b.ctx, barista, true)
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	switch os.Getenv(crashModeEnv) {
	case "states":
		// A subscriber that registers and then never gets to run: every
		// event stays committed but undispatched.
		if err := b.env.Store.Subscribe(b.ctx, "recorder", events.FromStart, func(context.Context, events.Event) error { return nil }); err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{
			"waiting": b.open(customer(1)).ID,
			"queued":  b.queued(customer(2)).ID,
			"making":  b.making(customer(3), barista).ID,
			"ready":   b.ready(customer(4), barista).ID,
		}
		raw, _ := json.Marshal(ids)
		say("IDS %s", raw)
	case "load":
		b.settings(func(s *shop.Settings) {
			s.DrinksPerCode, s.MaxInFlight, s.DrinksPerCustomerPerDay = 1000, 1000, 0
		})
		for i := 0; ; i++ {
			who := customer(i)
			o, err := b.orders.Open(b.ctx, who, "Sam", b.code())
			if err != nil {
				t.Fatal(err)
			}
			say("CONFIRMED %s waiting", o.ID)
			if i%4 == 0 {
				continue // left waiting for the customer
			}
			if _, err := b.orders.Submit(b.ctx, who, o.ID, flatWhite); err != nil {
				t.Fatal(err)
			}
			say("CONFIRMED %s queued", o.ID)
			if i%4 == 1 {
				continue
			}
			if _, err := b.orders.Make(b.ctx, barista, o.ID); err != nil {
				t.Fatal(err)
			}
			say("CONFIRMED %s making", o.ID)
			if i%4 == 2 {
				continue
			}
			if _, err := b.orders.Complete(b.ctx, barista, o.ID); err != nil {
				t.Fatal(err)
			}
			say("CONFIRMED %s completed", o.ID)
		}
	}
	say("READY")
	select {} // wait to be killed
}

// startChild runs TestCrashChild in mode on dir and returns its output
// lines as they come, and a kill function.
func startChild(t *testing.T, dir, mode string) (<-chan string, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashModeEnv+"="+mode)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	kill := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	t.Cleanup(kill)
	return lines, kill
}

func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("the child ended before it was killed")
		}
		return l
	case <-time.After(60 * time.Second):
		t.Fatal("the child said nothing")
		return ""
	}
}

func TestKilledMidWorkflowResumesEveryOrder(t *testing.T) {
	dir := t.TempDir()
	lines, kill := startChild(t, dir, "states")
	var ids map[string]string
	for {
		l := nextLine(t, lines)
		if after, ok := strings.CutPrefix(l, "IDS "); ok {
			json.Unmarshal([]byte(after), &ids)
		}
		if l == "READY" {
			break
		}
	}
	kill()

	b := &bar{t: t, env: testkit.At(t, dir), ctx: context.Background()}
	b.wire()
	want := map[string]State{"waiting": Waiting, "queued": Queued, "making": Making, "ready": Completed}
	for name, st := range want {
		if o := b.state(ids[name]); o.State != st {
			t.Fatalf("%s order is %s after the crash", name, o.State)
		}
	}

	// Committed but never dispatched: delivered after the restart.
	head := b.env.Head(t)
	got := make(chan events.Event, 100)
	if err := b.env.Store.Subscribe(b.ctx, "recorder", events.FromStart, func(_ context.Context, e events.Event) error {
		got <- e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan struct{})
	go func() { b.env.Store.Run(ctx); close(done) }()
	for seq := int64(1); seq <= head; seq++ {
		select {
		case e := <-got:
			if e.Seq != seq {
				t.Fatalf("delivered seq %d, want %d", e.Seq, seq)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d of %d never delivered after restart", seq, head)
		}
	}
	cancel()
	<-done

	// Every deadline fires once: three timeouts and one ready expiry.
	from := b.env.Head(t)
	b.env.Clock.Advance(15 * time.Minute)
	if n := b.fire(); n != 4 {
		t.Fatalf("%d deadlines fired, want 4", n)
	}
	b.restart()
	b.env.Clock.Advance(time.Hour)
	if n := b.fire(); n != 0 {
		t.Fatalf("%d deadlines fired again after another restart", n)
	}
	causes := map[string]string{}
	for _, to := range details[*events.OrderTimeOut](t, b, from) {
		causes[to.OrderID] = to.Cause
	}
	if len(causes) != 3 || causes[ids["waiting"]] != "customer" || causes[ids["queued"]] != "barista" || causes[ids["making"]] != "barista" {
		t.Fatalf("timeouts %v", causes)
	}
	if c := details[*events.OrderCollected](t, b, from); len(c) != 1 || c[0].OrderID != ids["ready"] {
		t.Fatalf("ready expiry %+v", c)
	}
}

var progress = map[State]int{Waiting: 0, Queued: 1, Making: 2, Completed: 3, Cancelled: 3}

func TestKilledUnderLoadLosesNoConfirmedOrder(t *testing.T) {
	dir := t.TempDir()
	lines, kill := startChild(t, dir, "load")
	confirmed := map[string]State{}
	for len(confirmed) < 40 {
		l := nextLine(t, lines)
		var id, state string
		if _, err := fmt.Sscanf(l, "CONFIRMED %s %s", &id, &state); err == nil {
			confirmed[id] = State(state)
		}
	}
	kill() // mid-write, most likely

	b := &bar{t: t, env: testkit.At(t, dir), ctx: context.Background()}
	b.wire()
	for id, st := range confirmed {
		o, err := b.orders.get(b.ctx, id)
		if err != nil {
			t.Fatalf("confirmed order %s lost: %v", id, err)
		}
		if progress[o.State] < progress[st] {
			t.Fatalf("order %s went back from %s to %s", id, st, o.State)
		}
	}
	// The log has no gap, and every order's events match its state.
	var n, maxSeq int64
	b.env.DB.Read().QueryRow("SELECT count(*), coalesce(max(seq), 0) FROM events").Scan(&n, &maxSeq)
	if n != maxSeq {
		t.Fatalf("the log has %d events up to seq %d: a gap", n, maxSeq)
	}
	finished := map[string]int{}
	for _, f := range details[*events.OrderFinished](t, b, 0) {
		finished[f.OrderID]++
	}
	all, _ := b.orders.list(b.ctx, "1 = 1")
	for _, o := range all {
		if (o.State == Completed) != (finished[o.ID] == 1) || finished[o.ID] > 1 {
			t.Fatalf("order %s is %s with %d orderFinished events", o.ID, o.State, finished[o.ID])
		}
	}
	// And every open order still times out exactly once.
	open := 0
	for _, o := range all {
		if o.State.Open() {
			open++
		}
	}
	b.env.Clock.Advance(15 * time.Minute)
	fired := b.fire()
	if fired < open {
		t.Fatalf("%d deadlines fired for %d open orders", fired, open)
	}
	if b.fire() != 0 {
		t.Fatal("deadlines fired twice")
	}
}
