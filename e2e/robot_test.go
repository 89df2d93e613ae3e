package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"
	"time"
)

type robotReport struct {
	Orders, Completed, Cancelled, Errors, Failed, TimedOut int
	FirstErrors                                            []string
	EventToScreen                                          struct{ Count int }
}

func runRobot(t *testing.T, k *kiosk, orders int, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	args := append([]string{"robot", "--url", "http://" + k.http, "--staff-password", adminPassword,
		"--orders", fmt.Sprint(orders), "--raise-limits", "--cancel-percent", "10", "--json"}, extra...)
	cmd := exec.Command(binary, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &out
}

func TestTheRobotCompletesItsOrdersAgainstTheRealKiosk(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	cmd, out := runRobot(t, k, 24)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("robot: %v\n%s", err, out)
	}
	var r robotReport
	raw := out.Bytes()
	if i := bytes.LastIndex(raw, []byte("\n{")); i >= 0 {
		raw = raw[i+1:]
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if r.Completed+r.Cancelled != 24 || r.Errors != 0 || r.Failed != 0 || r.TimedOut != 0 {
		t.Fatalf("report %+v", r)
	}
	if r.EventToScreen.Count != r.Completed {
		t.Fatalf("%d event-to-screen samples for %d completed orders", r.EventToScreen.Count, r.Completed)
	}
}

// progress ranks states: an order may only move forward.
var progress = map[string]int{"waiting": 0, "queued": 1, "making": 2, "completed": 3, "cancelled": 3}

type listedOrder struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Number   int    `json:"number"`
	BoothDay int    `json:"boothDay"`
}

// snapshot is every order the API has confirmed, by id.
func snapshot(t *testing.T, staff *browser) map[string]listedOrder {
	t.Helper()
	all := map[string]listedOrder{}
	for _, state := range []string{"waiting", "queued", "making", "ready", "finished"} {
		var res struct{ Orders []listedOrder }
		staff.must("GET", "/api/orders?state="+state+"&limit=500", "", &res)
		for _, o := range res.Orders {
			all[o.ID] = o
		}
	}
	return all
}

func TestKillingTheKioskMidRunLosesNoConfirmedOrder(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	// More orders than the kill waits for: the robot is still working when
	// the kiosk dies. With only a few, a fast kiosk finished them all before
	// the snapshot caught one in progress.
	robot, out := runRobot(t, k, 600, "--rate", "15")
	staff := k.staff()
	var before map[string]listedOrder
	guard := time.Now().Add(60 * time.Second)
	for {
		before = snapshot(t, staff)
		finished := 0
		for _, o := range before {
			if o.State == "completed" || o.State == "cancelled" {
				finished++
			}
		}
		if finished >= 10 && len(before) > finished {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("no moment with 10 orders finished and one in progress: %d orders\n%s", len(before), out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	k.kill()
	robot.Process.Kill()
	robot.Wait()

	k.start()
	after := snapshot(t, k.staff())
	for id, was := range before {
		now, ok := after[id]
		if !ok {
			t.Errorf("order %s (%s, number %d) lost", id, was.State, was.Number)
			continue
		}
		if progress[now.State] < progress[was.State] {
			t.Errorf("order %s went back from %s to %s", id, was.State, now.State)
		}
	}
	numbers := map[string]string{}
	for id, o := range after {
		if o.Number == 0 {
			continue
		}
		key := fmt.Sprint(o.BoothDay, "/", o.Number)
		if other, dup := numbers[key]; dup {
			t.Errorf("number %s used by %s and %s", key, other, id)
		}
		numbers[key] = id
	}
	if len(before) < 11 {
		t.Fatalf("only %d orders were confirmed before the kill", len(before))
	}
}
