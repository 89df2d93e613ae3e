// Package bench is the kiosk's benchmark harness: it builds the real
// binary, starts it on loopback ports with a scratch data directory, plays
// phones, baristas and screens against it through the public HTTP API and
// MQTT over WebSocket, runs the same fan-out against Debian's mosquitto,
// and reports what it measured as JSON and as a Markdown table. It reports;
// it asserts nothing. Every process it starts is stopped on every way out.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// Config is one run of the harness.
type Config struct {
	// Quick is the short run `make bench` uses: fewer and shorter steps,
	// fewer subscribers.
	Quick bool
	// Out is a directory for report.json and report.md; empty writes
	// neither (the Markdown goes to Stdout either way).
	Out string
	// Emulate runs only the start-time and memory items, for the arm64
	// binary under qemu-user ("arm64").
	Emulate string
	// Profile samples the kiosk with perf during the heavy phases and
	// counts its fsyncs per lifecycle with strace.
	Profile bool
	// Keep leaves the scratch directory (databases, logs) in place.
	Keep bool
	// Rates runs item 1 only, one step at each offered rate (lifecycles
	// per second), with no knee search: to study the kiosk at a given load.
	Rates []float64
	// Stdout receives the Markdown report, Stderr the progress.
	Stdout, Stderr io.Writer
}

// plan is the size of a run.
type plan struct {
	restarts    int
	throughput  ThroughputPlan
	customers   int // distinct customers made for the realtime items
	memClients  int
	fanout      FanoutPlan
	latencySubs int
	latencyRate float64
	latencyFor  time.Duration
}

func (c Config) plan() plan {
	if c.Quick {
		return plan{
			restarts:    3,
			throughput:  ThroughputPlan{Start: 20, Factor: 2, MaxSteps: 6, Step: 3 * time.Second, Ceiling: 2 * time.Second, Budget: 25 * time.Second, Refine: 2},
			customers:   500,
			memClients:  1000,
			fanout:      FanoutPlan{Subscribers: 500, Slow: 50, Events: 30, SlowWarmup: 10},
			latencySubs: 500, latencyRate: 50, latencyFor: 6 * time.Second,
		}
	}
	return plan{
		restarts: 10,
		throughput: ThroughputPlan{Start: 10, Factor: 1.4, MaxSteps: 14, Step: 8 * time.Second, Ceiling: 5 * time.Second, Budget: 150 * time.Second,
			GrowthOrders: 200, GrowthRate: 10, Refine: 3},
		customers:   1000,
		memClients:  1000,
		fanout:      FanoutPlan{Subscribers: 1000, Slow: 50, Events: 200, SlowWarmup: 30},
		latencySubs: 500, latencyRate: 50, latencyFor: 30 * time.Second,
	}
}

// Report is everything a run measured.
type Report struct {
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"`
	Mode     string    `json:"mode"`
	Emulated string    `json:"emulated,omitempty"`
	Machine  Machine   `json:"machine"`
	Kiosk    struct {
		Version string   `json:"version"`
		Flags   []string `json:"flags"`
	} `json:"kiosk"`
	Sizes      map[string]int64  `json:"binarySizes,omitempty"`
	Start      *StartResult      `json:"start,omitempty"`
	Clients    *ClientsMemory    `json:"memoryWithClients,omitempty"`
	Throughput *ThroughputResult `json:"throughput,omitempty"`
	Latency    *LatencyResult    `json:"eventToScreen,omitempty"`
	// LatencyLight is the same at a light load, well below the knee, to
	// tell the broker's path from the queueing of an overloaded kiosk.
	LatencyLight *LatencyResult `json:"eventToScreenLight,omitempty"`
	Fanout       *FanoutResult  `json:"fanout,omitempty"`
	Mosquitto    *FanoutResult  `json:"fanoutMosquitto,omitempty"`
	MosquittoV   string         `json:"mosquittoVersion,omitempty"`
	// FsyncsPerLifecycle is what strace counted (profile runs only).
	FsyncsPerLifecycle float64  `json:"fsyncsPerLifecycle,omitempty"`
	Profiles           Profiles `json:"profiles,omitempty"`
	Targets            []Check  `json:"targets"`
	Notes              []string `json:"notes"`
	Errors             []string `json:"errors,omitempty"`
}

// Profiles are the hottest functions of the kiosk in each profiled phase.
type Profiles struct {
	Throughput []string `json:"throughput,omitempty"`
	Latency    []string `json:"eventToScreen,omitempty"`
	Fanout     []string `json:"fanout,omitempty"`
}

// Run performs a whole run and writes the report. It returns an error
// only when the run could not report at all; a phase that fails is
// recorded in the report and the run goes on.
func Run(ctx context.Context, cfg Config) (err error) {
	defer StopAll()
	p := cfg.plan()
	p.throughput.Rates = cfg.Rates
	progress := func(f string, a ...any) {
		fmt.Fprintf(cfg.Stderr, "%s  "+f+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
	}
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "kioskbench-")
	if err != nil {
		return err
	}
	failed := false
	defer func() {
		if cfg.Keep || failed {
			progress("scratch directory kept: %s", scratch)
			return
		}
		os.RemoveAll(scratch)
	}()

	rep := &Report{Started: time.Now().UTC().Truncate(time.Second), Mode: "full", Emulated: cfg.Emulate}
	switch {
	case len(cfg.Rates) > 0:
		rep.Mode = fmt.Sprintf("throughput at %v lifecycles/s only", cfg.Rates)
	case cfg.Quick:
		rep.Mode = "quick"
	}
	rep.Machine = DescribeMachine(scratch)
	fail := func(phase string, err error) {
		failed = true
		rep.Errors = append(rep.Errors, phase+": "+err.Error())
		progress("%s FAILED: %v", phase, err)
	}

	version := SourceVersion(ctx, root)
	progress("build the kiosk (%s) for every release target", version)
	bins := filepath.Join(scratch, "bin")
	if rep.Sizes, err = Sizes(ctx, root, bins, version); err != nil {
		return err
	}
	host := filepath.Join(bins, "kiosk-"+hostTarget())
	argv := []string{host}
	switch cfg.Emulate {
	case "":
	case "arm64":
		qemu, err := exec.LookPath("qemu-aarch64-static")
		if err != nil {
			return fmt.Errorf("--emulate arm64 needs qemu-aarch64-static (apt-get install qemu-user-static)")
		}
		argv = []string{qemu, filepath.Join(bins, "kiosk-arm64")}
	default:
		return fmt.Errorf("--emulate: only arm64 is supported, not %q", cfg.Emulate)
	}
	if rep.Kiosk.Version, err = BinaryVersion(ctx, argv); err != nil {
		return fmt.Errorf("ask the kiosk its version: %w", err)
	}
	rep.Kiosk.Flags = []string{"--open", "--admin-password …", "--http 127.0.0.1:…", "--mqtt 127.0.0.1:…", "--printer " + benchPrinter,
		"--test-clock (items 1, 2, 3, 5 and the memory with clients)", "--max-clients 2000 (same)"}

	// Item 4: start time and idle memory, on a kiosk without the test clock.
	poll := 2 * time.Millisecond
	if cfg.Emulate != "" {
		poll = 5 * time.Millisecond
	}
	progress("start time: a new data directory, then %d restarts", p.restarts)
	if st, err := MeasureStart(ctx, argv, filepath.Join(scratch, "start"), p.restarts, poll); err != nil {
		fail("start", err)
	} else {
		rep.Start = &st
		progress("  first start %.0f ms, restarts p50 %.0f ms, idle %.1f MiB", st.FirstStartMs, st.Restarts.P50, st.Idle.MiB())
	}
	if ctx.Err() != nil {
		return finish(cfg, rep, ctx.Err())
	}

	profArgv := argv
	if cfg.Profile && cfg.Emulate == "" {
		sym := filepath.Join(bins, "kiosk-symbols")
		if err := Build(ctx, root, sym, version, Target{hostTarget(), runtime.GOARCH, ""}, true); err != nil {
			return err
		}
		profArgv = []string{sym}
	}
	extra := []string{"--test-clock", "--max-clients", "2000"}

	// Item 1: throughput, on its own kiosk.
	if cfg.Emulate == "" {
		progress("throughput: rising load until the knee")
		err := func() error {
			k, err := StartKiosk(ctx, KioskOptions{Argv: profArgv, Dir: filepath.Join(scratch, "throughput", "data"),
				LogPath: filepath.Join(scratch, "throughput", "kiosk.log"), Extra: extra})
			if err != nil {
				return err
			}
			defer k.Stop()
			var prof func() func() []string
			if cfg.Profile {
				prof = NewProfiler(filepath.Join(scratch, "throughput"), k, progress).Start
			}
			res, err := Throughput(ctx, k, filepath.Join(scratch, "throughput"), p.throughput, progress, prof)
			if err != nil {
				return err
			}
			rep.Throughput = &res
			rep.Profiles.Throughput = res.Profile
			if cfg.Profile {
				if n, err := CountFsyncs(ctx, k, 100); err != nil {
					progress("strace: %v", err)
				} else {
					rep.FsyncsPerLifecycle = n
				}
			}
			return nil
		}()
		if err != nil {
			fail("throughput", err)
		}
		if ctx.Err() != nil || len(cfg.Rates) > 0 {
			return finish(cfg, rep, ctx.Err())
		}
	}

	// Items 2, 3, 5 and the memory with clients, on one kiosk.
	var sample *queueSample
	err = func() error {
		k, err := StartKiosk(ctx, KioskOptions{Argv: profArgv, Dir: filepath.Join(scratch, "realtime", "data"),
			LogPath: filepath.Join(scratch, "realtime", "kiosk.log"), Extra: extra})
		if err != nil {
			return err
		}
		defer k.Stop()
		staff, err := k.Staff(ctx)
		if err != nil {
			return fmt.Errorf("sign in: %w", err)
		}
		if err := RaiseLimits(ctx, staff); err != nil {
			return fmt.Errorf("raise the limits: %w", err)
		}
		drink, err := FirstDrink(ctx, staff)
		if err != nil {
			return err
		}
		qr := NewQRSource(staff)
		e := &lifecycleEnv{k: k, staff: staff, qr: qr, drink: drink}
		n := p.customers
		if cfg.Emulate != "" {
			n = 100 // making a thousand under emulation takes minutes; each serves ten clients
		}
		progress("make %d customers through the API", n)
		t0 := time.Now()
		customers, err := NewCustomers(ctx, k, qr, n, 8)
		if err != nil {
			return err
		}
		progress("  in %.1f s", time.Since(t0).Seconds())

		progress("memory with %d connected WebSocket clients", p.memClients)
		mem, err := MeasureClientsMemory(ctx, k, customers, p.memClients)
		if err != nil {
			fail("memory with clients", err)
		} else {
			rep.Clients = &mem
			progress("  %.1f MiB (idle kiosk before: %.1f MiB)", mem.With.MiB(), mem.Before.MiB())
		}
		if cfg.Emulate != "" || ctx.Err() != nil {
			return nil
		}

		var prof *Profiler
		if cfg.Profile {
			prof = NewProfiler(filepath.Join(scratch, "realtime"), k, progress)
		}
		if sample, err = kioskFanout(ctx, k, e, customers, p, rep, prof, progress); err != nil {
			fail("fan-out (kiosk)", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The light load first: after an overload the kiosk's dispatchers
		// take a while to catch up, which would count against it.
		// A new booth day, so that the cost of the day's figures (computed
		// from the whole day's log on every customer read; see item 1's
		// day growth) does not depend on the customers made above.
		if err := newBoothDay(ctx, staff); err != nil {
			return fmt.Errorf("start a new booth day: %w", err)
		}
		progress("event to screen, light load: %.0f orders/s", lightRate)
		light, err := EventToScreen(ctx, k, e, customers[:min(p.latencySubs, len(customers))], lightRate, p.latencyFor/2, progress)
		if err != nil {
			fail("event to screen, light load", err)
		} else {
			rep.LatencyLight = &light
			progress("  p50 %.1f ms, p99 %.1f ms, max %.1f ms, lost %d", light.Latency.P50, light.Latency.P99, light.Latency.Max, light.Lost)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(2 * time.Second)
		if err := newBoothDay(ctx, staff); err != nil {
			return fmt.Errorf("start a new booth day: %w", err)
		}
		progress("event to screen: %d customers connected, %.0f orders/s", p.latencySubs, p.latencyRate)
		var stop func() []string
		if prof != nil {
			stop = prof.Start()
		}
		lat, err := EventToScreen(ctx, k, e, customers[:min(p.latencySubs, len(customers))], p.latencyRate, p.latencyFor, progress)
		if stop != nil {
			rep.Profiles.Latency = stop()
		}
		if err != nil {
			fail("event to screen", err)
		} else {
			rep.Latency = &lat
			progress("  p50 %.1f ms, p99 %.1f ms, max %.1f ms, lost %d", lat.Latency.P50, lat.Latency.P99, lat.Latency.Max, lat.Lost)
		}
		return nil
	}()
	if err != nil {
		fail("realtime", err)
	}
	if ctx.Err() != nil {
		return finish(cfg, rep, ctx.Err())
	}

	if cfg.Emulate == "" && sample != nil {
		if err := mosquittoFanout(ctx, scratch, p, sample, rep, progress); err != nil {
			fail("fan-out (mosquitto)", err)
		}
	}
	return finish(cfg, rep, nil)
}

// lightRate is the event-to-screen rate well below the knee: ten orders a
// second is still far more than a booth's thousand drinks a day.
const lightRate float64 = 10

// hostTarget names the release target of the machine the harness runs on.
func hostTarget() string {
	if runtime.GOARCH == "arm" {
		return "armv7"
	}
	return runtime.GOARCH
}

// kioskFanout prepares a realistic queue (ten orders waiting and the one
// that is toggled), then measures items 3 and 5 on the kiosk.
func kioskFanout(ctx context.Context, k *Kiosk, e *lifecycleEnv, customers []*Customer, p plan, rep *Report, prof *Profiler, progress func(string, ...any)) (*queueSample, error) {
	var toggled Order
	for i := range 11 {
		b := NewBrowser(k.Base)
		if err := b.Do(ctx, "GET", "/api/shop", nil, nil); err != nil {
			return nil, err
		}
		o, err := Scan(ctx, b, e.qr, fmt.Sprintf("Queue%d", i))
		if err != nil {
			return nil, err
		}
		if err := Submit(ctx, b, o.ID, e.drink); err != nil {
			return nil, err
		}
		if err := b.Do(ctx, "GET", "/api/orders/"+o.ID, nil, &toggled); err != nil {
			return nil, err
		}
	}
	f := newFanout(toggled.Number)
	target := fanoutTarget{
		name:   "kiosk",
		memory: k.Memory,
		dial: func(i int, slow bool) DialOptions {
			c := customers[i%len(customers)].Creds
			o := DialOptions{URL: k.WS(), ClientID: ClientID("fan"), Username: c.Username, Password: c.Password,
				KeepAlive: 60 * time.Second}
			if slow {
				o.NoPing, o.ReceiveBuffer = true, 4096
			}
			return o
		},
		trigger: func(i int) (time.Time, error) {
			action := "make"
			if i%2 == 1 {
				action = "unmake"
			}
			t0 := time.Now()
			return t0, Act(ctx, e.staff, toggled.ID, action)
		},
	}
	var stop func() []string
	if prof != nil {
		stop = prof.Start()
	}
	res, err := runFanout(ctx, target, f, p.fanout, progress)
	if stop != nil {
		rep.Profiles.Fanout = stop()
	}
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	sample := &queueSample{number: toggled.Number, payloads: f.captured}
	f.mu.Unlock()
	res.PayloadBytes = len(sample.payloads["making"])
	rep.Fanout = &res
	return sample, nil
}

// queueSample is what the comparison broker carries: the kiosk's own
// queue payloads (the toggled order making, and queued again) and the
// toggled order's number.
type queueSample struct {
	number   int
	payloads map[string][]byte
}

// mosquittoFanout measures items 3 and 5 on mosquitto with the kiosk's own
// payloads.
func mosquittoFanout(ctx context.Context, scratch string, p plan, sample *queueSample, rep *Report, progress func(string, ...any)) error {
	captured := sample.payloads
	if captured["making"] == nil || captured["queued"] == nil {
		return fmt.Errorf("no queue payload was captured from the kiosk")
	}
	dir := filepath.Join(scratch, "mosquitto")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m, err := StartMosquitto(ctx, dir)
	if err != nil {
		return err
	}
	defer m.Stop()
	rep.MosquittoV = m.Version
	pub, err := Dial(ctx, DialOptions{URL: "tcp://" + m.TCP, ClientID: ClientID("publisher"), KeepAlive: 60 * time.Second})
	if err != nil {
		return err
	}
	pub.Start()
	defer pub.Close()
	f := newFanout(sample.number)
	target := fanoutTarget{
		name:   "mosquitto",
		memory: func() (Memory, error) { return ReadMemory(m.Pid()) },
		dial: func(i int, slow bool) DialOptions {
			o := DialOptions{URL: "ws://" + m.WS + "/mqtt", ClientID: ClientID("fan"), KeepAlive: 60 * time.Second}
			if slow {
				o.NoPing, o.ReceiveBuffer = true, 4096
			}
			return o
		},
		trigger: func(i int) (time.Time, error) {
			payload := captured["making"]
			if i%2 == 1 {
				payload = captured["queued"]
			}
			t0 := time.Now()
			return t0, pub.Publish(FanoutTopic, payload, 0, true)
		},
	}
	res, err := runFanout(ctx, target, f, p.fanout, progress)
	if err != nil {
		return err
	}
	res.PayloadBytes = len(captured["making"])
	rep.Mosquitto = &res
	return nil
}

// finish evaluates the targets and writes the report.
func finish(cfg Config, rep *Report, runErr error) error {
	if runErr != nil {
		rep.Errors = append(rep.Errors, "run stopped: "+runErr.Error())
	}
	rep.Seconds = round3(time.Since(rep.Started).Seconds())
	rep.Machine.LoadAfter = LoadAverage()
	rep.Targets = Evaluate(rep)
	rep.Notes = append(rep.Notes, notes(rep)...)
	md := Markdown(rep)
	fmt.Fprint(cfg.Stdout, md)
	if cfg.Out != "" {
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return err
		}
		raw, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cfg.Out, "report.json"), append(raw, '\n'), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cfg.Out, "report.md"), []byte(md), 0o644); err != nil {
			return err
		}
	}
	return runErr
}
