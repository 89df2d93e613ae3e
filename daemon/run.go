package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/api"
	"github.com/coffeebar/kiosk/auth"
	"github.com/coffeebar/kiosk/booth"
	"github.com/coffeebar/kiosk/broker"
	"github.com/coffeebar/kiosk/captive"
	"github.com/coffeebar/kiosk/clock"
	"github.com/coffeebar/kiosk/closeout"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/hardware"
	"github.com/coffeebar/kiosk/hardware/escpos"
	"github.com/coffeebar/kiosk/hardware/gpio"
	"github.com/coffeebar/kiosk/hardware/printer"
	"github.com/coffeebar/kiosk/health"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/qr"
	"github.com/coffeebar/kiosk/sdnotify"
	"github.com/coffeebar/kiosk/shop"
	"github.com/coffeebar/kiosk/storage"
	"github.com/coffeebar/kiosk/ui"
	"github.com/coffeebar/kiosk/version"
)

// shutdownGrace is how long in-flight requests get to finish on shutdown.
const shutdownGrace = 10 * time.Second

// Run starts the kiosk and serves until ctx is done, then shuts down in
// order: stop taking requests and let those in flight finish, close the
// broker, stop the deadline and dispatch loops (saving cursors and the
// running time), close the database. It writes the start-up banner (the
// apps' addresses and how to sign in) to out.
func Run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	log.Info("kiosk starting", "version", version.Version, "data", cfg.DataDir)
	var clk clock.Clock = clock.NewReal()
	var testClock *clock.Adjustable
	if cfg.TestClock {
		testClock = clock.NewAdjustable()
		clk = testClock
		log.Warn("the clock can be moved forward by an admin (--test-clock): for tests only, never at a booth")
	}

	db, err := storage.Open(ctx, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := events.Open(ctx, db, clk, log)
	if err != nil {
		return err
	}
	shopSvc := shop.New(store)
	if err := shopSvc.Init(ctx); err != nil {
		return fmt.Errorf("set up the shop: %w", err)
	}
	if cfg.OpenShop {
		if _, err := shopSvc.SetOpen(ctx, access.Actor{ID: access.SystemActor.ID, Role: access.Admin}, true); err != nil {
			return fmt.Errorf("open the shop: %w", err)
		}
	}
	authSvc, err := auth.New(ctx, store, log)
	if err != nil {
		return err
	}
	_, generated, err := authSvc.EnsureAdmin(ctx, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	validator := qr.New(store)
	orders := order.New(store, log)
	closer := closeout.New(store, shopSvc, cfg.DataDir, splitList(cfg.BackupDirs), log)
	if err := closer.Subscribe(ctx); err != nil {
		return err
	}

	if cfg.DebugAddr != "" {
		dbg, addr, err := serveDebug(cfg.DebugAddr)
		if err != nil {
			return err
		}
		defer func() {
			// A profile being recorded does not hold up the kiosk's stop.
			stop, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = dbg.ShutdownWithContext(stop)
		}()
		log.Warn("the profiler is on (--debug-addr): for measuring, not for a booth", "url", "http://"+addr.String()+"/debug/pprof/")
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = derivePublicURL(ln.Addr())
	}

	bcfg := broker.DefaultConfig()
	bcfg.TCPAddress, bcfg.WebSocketAddress, bcfg.PublicURL = cfg.MQTTAddr, cfg.MQTTWSAddr, publicURL
	bcfg.MaxClients = int64(cfg.MaxClients)
	brk, err := broker.New(bcfg, authSvc, broker.Deps{Store: store, Shop: shopSvc, QR: validator, Orders: orders,
		Clock: clk, Logger: log})
	if err != nil {
		ln.Close()
		return err
	}
	if err := brk.Subscribe(ctx); err != nil {
		ln.Close()
		return err
	}
	ps, err := printerSettings(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	var tickets *hardware.Tickets
	var queue *printer.Queue
	if ps.Kind != printer.KindNone {
		p, err := printer.New(ps, clk)
		if err != nil {
			ln.Close()
			return fmt.Errorf("the ticket printer: %w", err)
		}
		queue = printer.NewQueue(p, printer.QueueOptions{Clock: clk, Logger: log, OnState: func(st printer.State) {
			if err := brk.PublishPrinter(st); err != nil {
				log.Warn("could not publish the printer's state", "err", err)
			}
		}})
		tickets = hardware.NewTickets(store, orders, queue, hardware.TicketOptions{When: cfg.TicketWhen,
			Layout: ps.Layout(), Booth: cfg.BoothName, PublicURL: publicURL, Shop: shopSvc}, log)
		if err := tickets.Subscribe(ctx); err != nil {
			ln.Close()
			return err
		}
		log.Info("ticket printer", "printer", printer.Name(p), "when", cfg.TicketWhen)
	}

	mqttURL := ""
	if cfg.MQTTWSAddr != "" {
		mqttURL = "ws://" + hostOf(publicURL) + ":" + portOf(cfg.MQTTWSAddr) + "/mqtt"
	}
	hw := gpio.Settings{LightPin: cfg.LightPin, LightActiveLow: cfg.LightLowOn, ButtonPin: cfg.ButtonPin}
	light, button, err := gpio.Open(hw, gpio.Options{Clock: clk, Logger: log})
	if err != nil {
		ln.Close()
		return fmt.Errorf("the ready light: %w", err)
	}
	if err := hardware.FollowReady(ctx, store, orders, shopSvc, light, log); err != nil {
		ln.Close()
		return err
	}

	var portal *captive.Portal
	if cfg.Captive {
		if portal, err = captive.New(captive.Config{PortalURL: publicURL, OwnHosts: splitList(cfg.OwnHosts), Clock: clk, Log: log}); err != nil {
			ln.Close()
			return fmt.Errorf("the captive portal: %w", err)
		}
		log.Info("answering captive-portal probes", "portal", publicURL)
	}
	setup := boothSetup(cfg.BoothStatus, log)
	server := api.New(api.Deps{
		Store: store, Shop: shopSvc, QR: validator, Orders: orders, Auth: authSvc, Log: log,
		PublicURL: publicURL, MQTT: brk.WebSocketHandler(), MQTTURL: mqttURL,
		Pages:      api.Pages(ui.FS(), ui.Built()),
		TestClock:  testClockOrNil(testClock),
		Printer:    printerOrNil(tickets),
		Closer:     closer,
		TimeHelper: cfg.TimeHelper,
		Setup:      api.Setup{Language: cfg.Language, Report: setup},
		BoxHealth: func(ctx context.Context) health.Report {
			parts := health.Parts{DB: db, DataDir: cfg.DataDir, Now: clk.Now, RunTime: store.RunTime,
				LightSimulated: light.Simulated(),
				Clients: func() map[string]int {
					out := map[string]int{}
					for role, n := range brk.Connected() {
						out[string(role)] = n
					}
					return out
				}}
			if queue != nil {
				parts.Printer = func() any { return queue.State() }
			}
			return health.Collect(ctx, parts)
		},
		Before: portalHandler(portal),
		OnCustomer: func(ip string) {
			if portal != nil {
				portal.Allow(ip)
			}
		},
		Health: func(ctx context.Context) map[string]error {
			return map[string]error{"database": db.Ping(ctx), "broker": brk.Healthy()}
		},
	})

	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if queue != nil {
		wg.Add(1)
		go func() { defer wg.Done(); queue.Run(work) }()
	}
	wg.Add(3)
	go func() { defer wg.Done(); store.Run(work) }()
	go func() { defer wg.Done(); orders.Run(work) }()
	go func() { defer wg.Done(); light.Run(work) }()
	wg.Add(2)
	go func() { defer wg.Done(); closer.Run(work) }()
	button.OnLongPress(func() {
		// The button's own goroutine must not wait on the database.
		go func() {
			log.Info("the close-the-booth button was held: closing the booth")
			if _, err := closer.Close(work, access.Actor{ID: "button", Role: access.Admin}); err != nil {
				log.Error("closing the booth from the button", "err", err)
			}
		}()
	})
	go func() { defer wg.Done(); button.Run(work) }()
	stopAll := func() {
		stopWork()
		wg.Wait()
	}
	if err := brk.Start(ctx); err != nil {
		ln.Close()
		stopAll()
		return err
	}

	if queue != nil {
		if err := brk.PublishPrinter(queue.State()); err != nil {
			log.Warn("could not publish the printer's state", "err", err)
		}
	}

	served := make(chan error, 1)
	go func() { served <- server.App().Listener(ln) }()
	banner(out, publicURL, ln.Addr(), brk.TCPAddr(), generated, cfg.AdminPassword, ui.Built())
	log.Info("kiosk ready", "http", ln.Addr().String(), "public_url", publicURL, "mqtt", brk.TCPAddr())

	notify := sdnotify.FromEnv(log)
	if err := notify.Ready(); err != nil {
		log.Warn("could not tell systemd the kiosk is ready", "err", err)
	}
	if interval, err := sdnotify.WatchdogInterval(); err != nil {
		log.Warn("the systemd watchdog setting is unreadable", "err", err)
	} else if interval > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Fed only while the database and the broker are healthy, so a
			// kiosk that cannot serve is restarted.
			notify.RunWatchdog(work, clk, interval, func(ctx context.Context) error {
				if err := db.Ping(ctx); err != nil {
					return err
				}
				return brk.Healthy()
			})
		}()
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
		log.Error("the HTTP server stopped", "err", serveErr)
	}
	log.Info("kiosk shutting down")
	notify.Stopping()
	if err := server.App().ShutdownWithTimeout(shutdownGrace); err != nil {
		log.Warn("HTTP shutdown", "err", err)
	}
	brk.Close()
	stopAll()
	log.Info("kiosk stopped")
	return serveErr
}

// derivePublicURL names this machine as phones on its network would reach
// it: its first non-loopback IPv4 address, or localhost.
func derivePublicURL(addr net.Addr) string {
	port := portOf(addr.String())
	host := "localhost"
	if ifs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				host = ipn.IP.String()
				break
			}
		}
	}
	if port == "80" {
		return "http://" + host + "/"
	}
	return "http://" + host + ":" + port + "/"
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return port
}

func hostOf(rawURL string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(rawURL, "http://"), "https://")
	s, _, _ = strings.Cut(s, "/")
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}

func banner(w io.Writer, publicURL string, httpAddr net.Addr, mqttAddr, generated, given string, built bool) {
	base := strings.TrimSuffix(publicURL, "/")
	local := "http://localhost:" + portOf(httpAddr.String())
	fmt.Fprintf(w, "\nCoffee bar kiosk %s is running.\n\n", version.Version)
	fmt.Fprintf(w, "  Customers (phones):  %s/   (they arrive by scanning the QR code on the display)\n", base)
	fmt.Fprintf(w, "  Baristas (tablet):   %s/barista/\n", base)
	fmt.Fprintf(w, "  Display (HDMI):      %s/display/   (opened on this machine it signs in by itself)\n", local)
	fmt.Fprintf(w, "  Admin:               %s/admin/\n", base)
	if mqttAddr != "" {
		fmt.Fprintf(w, "  MQTT (LAN tools):    %s\n", mqttAddr)
	}
	fmt.Fprintln(w)
	switch {
	case generated != "":
		fmt.Fprintf(w, "  Staff sign-in: user \"admin\", password %q (generated now, shown only this once;\n", generated)
		fmt.Fprintln(w, "  change it or add barista accounts in the admin app).")
	case given != "":
		fmt.Fprintf(w, "  Staff sign-in: user \"admin\", password %q (set with --admin-password when this data directory was created).\n", given)
	default:
		fmt.Fprintln(w, "  Staff sign-in: the accounts already in this data directory (the first admin is \"admin\").")
	}
	if !built {
		fmt.Fprintln(w, "\n  The web apps are not built into this binary: `make run` builds them.")
	}
	fmt.Fprintln(w, "\n  Stop with Ctrl-C.")
	fmt.Fprintln(w)
}

// testClockOrNil keeps a nil *Adjustable from becoming a non-nil interface.
func testClockOrNil(a *clock.Adjustable) api.ClockAdvancer {
	if a == nil {
		return nil
	}
	return a
}

func printerOrNil(t *hardware.Tickets) api.Printer {
	if t == nil {
		return nil
	}
	return t
}

// printerSettings reads --printer kind[:address] and its companions. A file
// printer without a directory writes into the data directory.
func printerSettings(cfg Config) (printer.Settings, error) {
	kind, addr, _ := strings.Cut(cfg.Printer, ":")
	s := printer.Settings{Kind: printer.Kind(kind), Address: addr, Baud: cfg.PrinterBaud}
	if s.Kind == printer.KindFile && addr == "" {
		s.Address = filepath.Join(cfg.DataDir, "tickets")
	}
	if err := s.Paper.UnmarshalText([]byte(cfg.PrinterPaper)); err != nil {
		return s, fmt.Errorf("--printer-paper: %w", err)
	}
	switch cfg.PrinterQR {
	case "raster":
		s.QR = escpos.QRRaster
	case "native":
		s.QR = escpos.QRNative
	default:
		return s, fmt.Errorf("--printer-qr must be raster or native, not %q", cfg.PrinterQR)
	}
	if s.Kind == printer.KindNone {
		return s, nil
	}
	return s, s.Validate()
}

func portalHandler(p *captive.Portal) fiber.Handler {
	if p == nil {
		return nil
	}
	return p.Handler()
}

// splitList reads a comma-separated setting.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// boothSetup reads the report the box's setup wrote from booth.toml, logs
// each problem in it, and returns it for the display. A report that cannot
// be read is itself the problem shown: the box goes on with its defaults.
func boothSetup(path string, log *slog.Logger) *booth.Report {
	if path == "" {
		return nil
	}
	r, err := booth.ReadReport(path)
	if err != nil {
		log.Warn("could not read what the box's setup made of booth.toml", "err", err)
		return &booth.Report{Problems: []booth.Problem{{Message: "The box's setup left no report of booth.toml (" +
			err.Error() + "). The box runs with its default settings."}}}
	}
	for _, p := range r.Problems {
		log.Warn("booth.toml problem", "file", r.File, "line", p.Line, "key", p.Key, "problem", p.Message)
	}
	return &r
}
