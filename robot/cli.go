package robot

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// passwordEnv names the environment variable that may carry the staff
// password, so it need not appear in the process list.
const passwordEnv = "KIOSK_ROBOT_PASSWORD"

// Main is the `kiosk robot` command: it parses args, runs the robot until
// every order has ended or Ctrl-C, prints the report to stdout and returns
// the exit code: 0 when every order ended as expected, 1 otherwise, 2 for
// a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return command(ctx, args, os.Getenv, stdout, stderr)
}

func command(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg, asJSON, logLevel, journalPath, err := parse(args, env, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "kiosk robot:", err)
		return 2
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel}))
	if journalPath != "" {
		f, err := os.OpenFile(journalPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(stderr, "kiosk robot:", err)
			return 1
		}
		defer f.Close()
		cfg.Journal = f
	}
	rep, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "kiosk robot:", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "kiosk robot:", err)
			return 1
		}
	} else {
		rep.WriteText(stdout)
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

func parse(args []string, env func(string) string, stderr io.Writer) (cfg Config, asJSON bool, level slog.Level, journalPath string, err error) {
	fs := flag.NewFlagSet("kiosk robot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: kiosk robot --url URL --staff-password P --orders N [flags]

Plays customers and baristas against a running kiosk through its HTTP API
and MQTT, obeying the bar's rules, and reports how every order ended and
the latencies. Exit code 0 when every order ended as expected.

`)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.URL, "url", "", "the kiosk's address, e.g. http://10.42.0.1/")
	fs.StringVar(&cfg.StaffUser, "staff-user", "admin", "staff account for the QR code and the baristas (admin: one barista account per robot)")
	fs.StringVar(&cfg.StaffPassword, "staff-password", env(passwordEnv), "its password ($"+passwordEnv+")")
	fs.IntVar(&cfg.Orders, "orders", 0, "orders to place")
	fs.Float64Var(&cfg.Rate, "rate", 0, "orders started per second; 0 = as fast as allowed")
	fs.Float64Var(&cfg.CancelPercent, "cancel-percent", 0, "chance in percent that a customer cancels its order while it is queued")
	fs.IntVar(&cfg.Baristas, "baristas", DefaultBaristas, "barista robots")
	fs.BoolVar(&cfg.RaiseLimits, "raise-limits", false, "raise drinksPerCode, maxInFlight and drinksPerCustomerPerDay for the run (admin), restored at the end")
	fs.IntVar(&cfg.Concurrency, "concurrency", DefaultConcurrency, "robot customers active at once")
	fs.DurationVar(&cfg.MakeTime, "make-time", 0, "average time a barista robot takes per drink")
	fs.DurationVar(&cfg.OrderTimeout, "order-timeout", DefaultOrderTimeout, "longest a customer waits for its order to end")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&journalPath, "journal", "", "append a JSON line to this file for every order change the kiosk confirmed (for crash tests)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error (to stderr)")
	if err = fs.Parse(args); err != nil {
		return
	}
	if fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		return
	}
	if err = level.UnmarshalText([]byte(*logLevel)); err != nil {
		err = fmt.Errorf("the log level must be debug, info, warn or error, not %q", *logLevel)
		return
	}
	_, err = cfg.withDefaults().validate()
	return
}
