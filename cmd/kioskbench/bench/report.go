package bench

import (
	"fmt"
	"math"
	"strings"
)

// Check is one target: what was wanted, what was measured, and whether it
// was met. The harness reports targets; it never fails a run on one.
type Check struct {
	Item     string `json:"item"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	// Met is "yes", "no", or "not measured".
	Met string `json:"met"`
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// mb converts KiB to megabytes (10⁶ bytes), the unit of the memory target.
func mb(kib int64) float64 { return math.Round(float64(kib)*1024/1e5) / 10 }

// Evaluate checks the report against the product's performance targets.
func Evaluate(r *Report) []Check {
	var out []Check
	add := func(item, target string, measured string, met string) {
		out = append(out, Check{Item: item, Target: target, Measured: measured, Met: met})
	}
	const none = "not measured"
	if r.Emulated == "" {
		if l := r.Latency; l != nil {
			add("Event to screen, p99", "< 20 ms", fmt.Sprintf("%.1f ms (%d subscribers, %.0f orders/s)", l.Latency.P99, l.Subscribers, l.Rate),
				yesNo(l.Latency.P99 < 20 && l.Lost == 0))
			if ll := r.LatencyLight; ll != nil {
				add("Event to screen, p99, light load (context)", "< 20 ms", fmt.Sprintf("%.1f ms (%d subscribers, %.0f orders/s)", ll.Latency.P99, ll.Subscribers, ll.Rate),
					yesNo(ll.Latency.P99 < 20 && ll.Lost == 0))
			}
		} else {
			add("Event to screen, p99", "< 20 ms", "–", none)
		}
		if k, m := r.Fanout, r.Mosquitto; k != nil && m != nil {
			add(fmt.Sprintf("Fan-out to %d subscribers, first to last delivery, p99", k.Plain.Subscribers), "no slower than mosquitto",
				fmt.Sprintf("kiosk %.1f ms, mosquitto %.1f ms (×%.2f)", k.Plain.Spread.P99, m.Plain.Spread.P99, ratio(k.Plain.Spread.P99, m.Plain.Spread.P99)),
				yesNo(k.Plain.Spread.P99 <= m.Plain.Spread.P99))
			add(fmt.Sprintf("Fan-out to %d subscribers, trigger to last delivery, p99", k.Plain.Subscribers), "no slower than mosquitto",
				fmt.Sprintf("kiosk %.1f ms, mosquitto %.1f ms (×%.2f)", k.Plain.ToLast.P99, m.Plain.ToLast.P99, ratio(k.Plain.ToLast.P99, m.Plain.ToLast.P99)),
				yesNo(k.Plain.ToLast.P99 <= m.Plain.ToLast.P99))
		} else {
			add("Fan-out", "no slower than mosquitto", "–", none)
		}
		if t := r.Throughput; t != nil {
			add("Order throughput / fsync-bound ceiling", "≥ 0.5",
				fmt.Sprintf("%.2f (%.1f of %.1f lifecycles/s)", t.Ratio, t.Sustained, t.CeilingLifecycles), yesNo(t.Ratio >= 0.5))
		} else {
			add("Order throughput / fsync-bound ceiling", "≥ 0.5", "–", none)
		}
	}
	if c := r.Clients; c != nil {
		// Connected and idle, and (when measured) after the fan-out's
		// traffic to as many subscribers: the target holds for both.
		worst := c.With.RSSKiB
		measured := fmt.Sprintf("%.1f MB connected", mb(c.With.RSSKiB))
		if f := r.Fanout; f != nil && f.Plain.Subscribers >= c.Clients {
			busy := max(f.Plain.Memory.RSSKiB, valueOrZero(f.Slow))
			worst = max(worst, busy)
			measured += fmt.Sprintf("; %.1f MB after %d fan-out events", mb(busy), f.Plain.Events)
		}
		add(fmt.Sprintf("Resident memory with %d WebSocket clients", c.Clients), "< 100 MB", measured, yesNo(mb(worst) < 100))
	} else {
		add("Resident memory with 1000 WebSocket clients", "< 100 MB", "–", none)
	}
	if s := r.Start; s != nil {
		add("Start to healthy /healthz", "< 300 ms",
			fmt.Sprintf("new database %.0f ms; restart p50 %.0f ms, max %.0f ms", s.FirstStartMs, s.Restarts.P50, s.Restarts.Max),
			yesNo(s.FirstStartMs < 300 && s.Restarts.P50 < 300))
	} else {
		add("Start to healthy /healthz", "< 300 ms", "–", none)
	}
	if r.Emulated == "" {
		if k := r.Fanout; k != nil && k.Slow != nil {
			without, with := k.Plain.ToLast.P99, k.Slow.ToLast.P99
			add(fmt.Sprintf("%d never-reading consumers do not delay the others (trigger to last, p99)", k.SlowCount), "no delay",
				fmt.Sprintf("%.1f ms without, %.1f ms with (×%.2f)", without, with, ratio(with, without)),
				yesNo(with <= max(without*1.25, without+5)))
		} else {
			add("Slow consumers do not delay the others", "no delay", "–", none)
		}
	}
	if r.Emulated != "" {
		// Emulated figures describe qemu as much as the kiosk: they are
		// reported, not judged.
		for i := range out {
			if out[i].Met != none {
				out[i].Met = "not judged (emulated)"
			}
		}
	}
	return out
}

func valueOrZero(r *FanoutRun) int64 {
	if r == nil {
		return 0
	}
	return r.Memory.RSSKiB
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*100) / 100
}

// notes are the caveats every reader of the figures needs.
func notes(r *Report) []string {
	n := []string{
		"Measured while other work ran on the same machine: the CPU is shared, so every figure is noisy; compare runs, not single numbers.",
		"The harness's clients run on the same cores as the broker they measure; on a 2-core machine they take a large share of the CPU.",
	}
	if r.Emulated != "" {
		n = append(n, "The kiosk ran as an "+r.Emulated+" binary under qemu-user on "+r.Machine.Arch+
			": emulated, not a Raspberry Pi. Times are slower than on the Pi by an unknown factor, and the resident memory includes qemu's own.")
	}
	if r.Machine.Virtual {
		n = append(n, "The machine is a virtual machine: fsync reaches a virtual disk ("+r.Machine.Filesystem+"), not an SD card.")
	}
	return n
}

// Markdown renders the report for people.
func Markdown(r *Report) string {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	title := "Kiosk benchmark"
	if r.Emulated != "" {
		title += " (" + r.Emulated + ", emulated)"
	}
	p("# %s, %s\n\n", title, r.Started.Format("2006-01-02 15:04 UTC"))
	m := r.Machine
	p("- Machine: %s, %d cores, %.1f GiB, Linux %s (%s), %s\n", m.CPU, m.Cores, m.MemoryGiB, m.Kernel, m.Arch, m.Go)
	p("- Scratch disk: %s\n", m.Filesystem)
	p("- Load average (1 min) at the start %.2f, at the end %.2f, on %d cores\n", m.LoadBefore, m.LoadAfter, m.Cores)
	p("- Kiosk: %s; run: %s, %.0f s\n", r.Kiosk.Version, r.Mode, r.Seconds)
	for _, note := range r.Notes {
		p("- %s\n", note)
	}
	p("\n## Targets\n\n| item | target | measured | met |\n|---|---|---|---|\n")
	for _, c := range r.Targets {
		p("| %s | %s | %s | %s |\n", c.Item, c.Target, c.Measured, c.Met)
	}

	if t := r.Throughput; t != nil {
		p("\n## 1. Order throughput\n\n")
		p("A new phone per order loads the page, scans, submits; a barista robot makes, completes and collects. Each step starts a new booth day. ")
		p("Open-loop arrivals, %g s a step; latency is from the arrival's slot to complete answered.\n\n", t.StepSeconds)
		p("| offered /s | achieved /s | p50 ms | p99 ms | max ms | errors | kiosk CPU ms / lifecycle | harness CPU ms / lifecycle | kiosk KB allocated / lifecycle | kiosk GCs | busy, retried |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for i, s := range t.Steps {
			mark := ""
			if i == t.Knee {
				mark = " (knee)"
			}
			if s.Repeated {
				mark = " (did not keep up: offered again)"
			}
			if s.StartedBusy {
				mark += " (kiosk still busy at the start)"
			}
			p("| %.1f%s | %.1f | %.1f | %.1f | %.1f | %d | %.1f | %.1f | %.0f | %d | %d |\n", s.Offered, mark, s.Achieved, s.Latency.P50, s.Latency.P99, s.Latency.Max, s.Errors, s.CPUms, s.HarnessCPUms, s.AllocKB, s.GCs, s.BusyRetries)
		}
		for _, s := range t.Refined {
			mark := " (refining: past the knee)"
			if s.KeepsUp {
				mark = " (refining: keeps up)"
			}
			if s.StartedBusy {
				mark += " (kiosk still busy at the start)"
			}
			p("| %.1f%s | %.1f | %.1f | %.1f | %.1f | %d | %.1f | %.1f | %.0f | %d | %d |\n", s.Offered, mark, s.Achieved, s.Latency.P50, s.Latency.P99, s.Latency.Max, s.Errors, s.CPUms, s.HarnessCPUms, s.AllocKB, s.GCs, s.BusyRetries)
		}
		p("\nSustained: **%.1f lifecycles/s** (peak %.1f). fsync-bound ceiling on the same disk: %.0f commits/s "+
			"(before %.0f, after %.0f; commit p50 %.2f ms) ÷ %d writes per lifecycle = **%.1f lifecycles/s**; ratio **%.2f**.\n",
			t.Sustained, t.Peak, t.CommitsPerSecond, t.CeilingBefore.CommitsPerSecond, t.CeilingAfter.CommitsPerSecond,
			t.CeilingBefore.Commit.P50, t.WritesPerLifecycle, t.CeilingLifecycles, t.Ratio)
		if len(t.DayGrowth) > 0 {
			p("\nAs the booth day grows (a light load of 5 lifecycles/s, one booth day):\n\n| orders already in the day | kiosk CPU ms / lifecycle | p50 ms |\n|---:|---:|---:|\n")
			for _, g := range t.DayGrowth {
				p("| %d | %.1f | %.1f |\n", g.OrdersInDay, g.CPUms, g.P50)
			}
			p("\n")
		}
		if r.FsyncsPerLifecycle > 0 {
			p("strace counted %.1f fsync/fdatasync calls per lifecycle.\n", r.FsyncsPerLifecycle)
		}
		if len(t.Errors) > 0 {
			p("\nErrors: ")
			for i, k := range sortedKeys(t.Errors) {
				if i > 0 {
					p(", ")
				}
				p("%s ×%d", k, t.Errors[k])
			}
			p("\n")
		}
	}
	if l := r.Latency; l != nil {
		p("\n## 2. Event to screen\n\n")
		p("%d customers connected over WebSocket, each subscribed to its own events topic; orders placed by those customers for %.0f s "+
			"at each rate, each rate on a new booth day. From just before the barista's complete request (or from its HTTP answer) to the customer's client holding OrderCompleted.\n\n",
			l.Subscribers, l.Seconds)
		p("| orders/s | from | n | p50 ms | p99 ms | max ms | lost | errors |\n|---:|---|---:|---:|---:|---:|---:|---:|\n")
		for _, x := range []*LatencyResult{r.Latency, r.LatencyLight} {
			if x == nil {
				continue
			}
			errs := 0
			for _, v := range x.Errors {
				errs += v
			}
			p("| %.0f | complete sent | %d | %.1f | %.1f | %.1f | %d | %d |\n", x.Rate, x.Latency.N, x.Latency.P50, x.Latency.P99, x.Latency.Max, x.Lost, errs)
			p("| %.0f | complete answered | %d | %.1f | %.1f | %.1f | | |\n", x.Rate, x.AfterAnswer.N, x.AfterAnswer.P50, x.AfterAnswer.P99, x.AfterAnswer.Max)
		}
		p("\nKiosk resident during the %.0f/s run: %.1f MB.\n", l.Rate, mb(l.Memory.RSSKiB))
		if len(l.Errors) > 0 {
			p("Errors at %.0f/s:", l.Rate)
			for _, k := range sortedKeys(l.Errors) {
				p(" %s ×%d;", k, l.Errors[k])
			}
			p("\n")
		}
	}
	if k := r.Fanout; k != nil {
		p("\n## 3 and 5. Fan-out, and slow consumers\n\n")
		p("One event to every subscriber of `%s` (customer credentials on the kiosk; anonymous on mosquitto), %d-byte payload "+
			"(the kiosk's own queue of 11 orders, replayed to mosquitto as a retained QoS 0 publish, as the kiosk publishes it). "+
			"The kiosk's trigger is a barista's make or unmake over HTTP (commit, projection, queue read, publish); mosquitto's a PUBLISH over TCP.\n\n",
			FanoutTopic, k.PayloadBytes)
		p("| broker | subscribers | slow | events | trigger→last p50 / p99 ms | first→last p50 / p99 ms | trigger→first p50 ms | missed | resident MB |\n")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, f := range []*FanoutResult{r.Fanout, r.Mosquitto} {
			if f == nil {
				continue
			}
			row := func(run FanoutRun, slow int) {
				p("| %s | %d | %d | %d | %.1f / %.1f | %.1f / %.1f | %.1f | %d | %.1f |\n", f.Broker, run.Subscribers, slow, run.Events,
					run.ToLast.P50, run.ToLast.P99, run.Spread.P50, run.Spread.P99, run.ToFirst.P50, run.Missed, mb(run.Memory.RSSKiB))
			}
			row(f.Plain, 0)
			if f.Slow != nil {
				row(*f.Slow, f.SlowCount)
			}
		}
		if m := r.Mosquitto; m != nil {
			p("\nRatio kiosk / mosquitto, p99: trigger→last ×%.2f, first→last ×%.2f. %s\n",
				ratio(k.Plain.ToLast.P99, m.Plain.ToLast.P99), ratio(k.Plain.Spread.P99, m.Plain.Spread.P99), r.MosquittoV)
		}
	}
	p("\n## 4. Memory, start, size\n\n| | value |\n|---|---|\n")
	if s := r.Start; s != nil {
		p("| start to healthy, new database | %.0f ms |\n", s.FirstStartMs)
		p("| start to healthy, restart (n=%d) | p50 %.0f ms, max %.0f ms |\n", s.Restarts.N, s.Restarts.P50, s.Restarts.Max)
		p("| resident, idle after start | %.1f MB |\n", mb(s.Idle.RSSKiB))
	}
	if c := r.Clients; c != nil {
		p("| resident with %d WebSocket clients (%d distinct customers, 4 topics each) | %.1f MB (high-water %.1f MB) |\n",
			c.Clients, c.Distinct, mb(c.With.RSSKiB), mb(c.With.HWMKiB))
	}
	for _, t := range Targets {
		if sz, ok := r.Sizes[t.Name]; ok {
			p("| binary, linux/%s | %.1f MB (%d bytes) |\n", t.Name, float64(sz)/1e6, sz)
		}
	}
	if pr := r.Profiles; len(pr.Throughput)+len(pr.Latency)+len(pr.Fanout) > 0 {
		p("\n## Profiles (perf: the kiosk's own CPU time; pprof: its allocations)\n")
		for _, sec := range []struct {
			name  string
			lines []string
		}{{"throughput, last step", pr.Throughput}, {"event to screen", pr.Latency}, {"fan-out", pr.Fanout}} {
			if len(sec.lines) == 0 {
				continue
			}
			p("\n%s:\n\n```\n%s\n```\n", sec.name, strings.Join(sec.lines, "\n"))
		}
	}
	if len(r.Errors) > 0 {
		p("\n## Errors\n\n")
		for _, e := range r.Errors {
			p("- %s\n", e)
		}
	}
	p("\n## History row\n\n%s\n", HistoryRow(r))
	return b.String()
}

// HistoryRow is one line for the history table of docs/performance.md.
func HistoryRow(r *Report) string {
	cell := func(ok bool, f string, a ...any) string {
		if !ok {
			return "–"
		}
		return fmt.Sprintf(f, a...)
	}
	t, l, k, m, s, c := r.Throughput, r.Latency, r.Fanout, r.Mosquitto, r.Start, r.Clients
	mode := r.Mode
	if r.Emulated != "" {
		mode += ", " + r.Emulated + " emulated"
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |",
		r.Started.Format("2006-01-02"), r.Kiosk.Version, mode,
		cell(t != nil, "%.0f/s (×%.2f)", valueOr(t, func(t *ThroughputResult) float64 { return t.Sustained }), valueOr(t, func(t *ThroughputResult) float64 { return t.Ratio })),
		cell(l != nil, "%.1f ms", valueOr(l, func(l *LatencyResult) float64 { return l.Latency.P99 })),
		cell(k != nil && m != nil, "%.1f / %.1f ms", valueOr(k, func(k *FanoutResult) float64 { return k.Plain.ToLast.P99 }), valueOr(m, func(m *FanoutResult) float64 { return m.Plain.ToLast.P99 })),
		cell(k != nil && k.Slow != nil, "%.1f ms", valueOr(k, func(k *FanoutResult) float64 {
			if k.Slow == nil {
				return 0
			}
			return k.Slow.ToLast.P99
		})),
		cell(c != nil, "%.1f MB", valueOr(c, func(c *ClientsMemory) float64 { return mb(c.With.RSSKiB) })),
		cell(s != nil, "%.0f / %.0f ms", valueOr(s, func(s *StartResult) float64 { return s.FirstStartMs }), valueOr(s, func(s *StartResult) float64 { return s.Restarts.P50 })),
	)
}

func valueOr[T any](v *T, f func(*T) float64) float64 {
	if v == nil {
		return 0
	}
	return f(v)
}
