package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// StartResult is the start-time and idle-memory part of item 4.
type StartResult struct {
	// FirstStart is exec to the first healthy /healthz on a new data
	// directory (the database created and migrated, the first admin's
	// password hashed).
	FirstStartMs float64 `json:"firstStartMs"`
	// Restarts are the same on the existing database after a clean stop.
	Restarts Summary `json:"restarts"`
	Idle     Memory  `json:"idle"`
}

// MeasureStart starts a kiosk on a fresh data directory, reads its idle
// memory, then restarts it n times.
func MeasureStart(ctx context.Context, argv []string, dir string, n int, poll time.Duration) (StartResult, error) {
	var res StartResult
	k, err := StartKiosk(ctx, KioskOptions{Argv: argv, Dir: filepath.Join(dir, "data"), LogPath: filepath.Join(dir, "kiosk.log"), Poll: poll})
	if err != nil {
		return res, err
	}
	// Not "defer k.Stop()": that would bind the first process, and each
	// restart replaces it.
	defer func() { k.Stop() }()
	res.FirstStartMs = round3(ms(k.Healthy))
	time.Sleep(2 * time.Second)
	if res.Idle, err = k.Memory(); err != nil {
		return res, err
	}
	var times []time.Duration
	for range n {
		if err := k.Restart(ctx, poll); err != nil {
			return res, fmt.Errorf("restart: %w", err)
		}
		times = append(times, k.Healthy)
	}
	res.Restarts = Summarize(times)
	return res, nil
}

// ClientsMemory is the resident memory with many clients, part of item 4.
type ClientsMemory struct {
	Clients int `json:"clients"`
	// Topics is what each client subscribed to, as the customer app does.
	Topics   []string `json:"topics"`
	Distinct int      `json:"distinctCustomers"`
	Before   Memory   `json:"before"`
	With     Memory   `json:"with"`
	// ConnectSeconds is how long connecting them all took.
	ConnectSeconds float64 `json:"connectSeconds"`
}

// MeasureClientsMemory connects n WebSocket clients with the credentials
// of customers (round robin), each subscribed to the customer app's four
// topics, and reads the kiosk's resident memory.
func MeasureClientsMemory(ctx context.Context, k *Kiosk, customers []*Customer, n int) (ClientsMemory, error) {
	res := ClientsMemory{Clients: n, Distinct: min(n, len(customers)),
		Topics: []string{"kiosk/customer/{id}/events", "kiosk/customer/{id}/order", "kiosk/public/queue", "kiosk/public/shop"}}
	var err error
	if res.Before, err = k.Memory(); err != nil {
		return res, err
	}
	start := time.Now()
	clients, err := ConnectAll(ctx, n, 16, func(i int) DialOptions {
		c := customers[i%len(customers)].Creds
		return DialOptions{URL: k.WS(), ClientID: ClientID("phone"), Username: c.Username, Password: c.Password,
			KeepAlive: 60 * time.Second, OnMessage: func(Message) {}}
	}, func(i int) []string {
		t := customers[i%len(customers)].Creds.CustomerTopic
		return []string{t + "/events", t + "/order", "kiosk/public/queue", "kiosk/public/shop"}
	}, false)
	if err != nil {
		return res, err
	}
	defer CloseAll(clients)
	res.ConnectSeconds = round3(time.Since(start).Seconds())
	time.Sleep(3 * time.Second)
	res.With, err = k.Memory()
	return res, err
}

// Sizes builds the kiosk for every release target into dir and returns
// each binary's size in bytes.
func Sizes(ctx context.Context, root, dir, version string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range Targets {
		path := filepath.Join(dir, "kiosk-"+t.Name)
		if err := Build(ctx, root, path, version, t, false); err != nil {
			return nil, err
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		out[t.Name] = st.Size()
	}
	return out, nil
}
