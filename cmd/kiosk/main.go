// Command kiosk is the coffee bar appliance: one process that serves the
// ordering, barista, display and admin apps, the API and the MQTT broker,
// on one SQLite file.
//
//	kiosk [serve] [flags]   run the kiosk (the default)
//	kiosk config [flags]    print the effective configuration, secrets masked
//	kiosk version           print the version
//	kiosk selfcheck         run one order through the core on a scratch database
//	kiosk restore FILE      put a backup into an empty data directory (--data)
//	kiosk robot [flags]     play customers and baristas against a running kiosk
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/coffeebar/kiosk/daemon"
	"github.com/coffeebar/kiosk/robot"
	"github.com/coffeebar/kiosk/version"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "robot" {
		return robot.Main(args[1:], os.Stdout, os.Stderr)
	}
	if len(args) > 0 && args[0] == "restore" {
		if err := daemon.Restore(args[1:], daemon.Env, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "kiosk:", err)
			return 1
		}
		return 0
	}
	if len(args) > 0 && args[0] == "selfcheck" {
		if err := daemon.SelfCheck(context.Background(), os.Stdout); err != nil {
			return 1
		}
		return 0
	}
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "config" || args[0] == "version") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Println("kiosk", version.Version)
		return 0
	}
	cfg, err := daemon.Parse("kiosk "+cmd, args, daemon.Env, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		return 2
	}
	if cmd == "config" {
		cfg.Print(os.Stdout)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := daemon.Run(ctx, cfg, cfg.Logger(os.Stderr), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		return 1
	}
	return 0
}
