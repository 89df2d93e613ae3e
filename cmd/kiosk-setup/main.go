// Command kiosk-setup is the booth box's small privileged helper. It runs as
// root, never as the kiosk, and does these things:
//
//	kiosk-setup [boot] [flags]      at every start, before the network and the kiosk:
//	                                read booth.toml from the boot partition, write the
//	                                Wi-Fi, DHCP/DNS and address files, the kiosk's
//	                                settings, and the problems found in booth.toml
//	kiosk-setup data [flags]        at every start, before the kiosk: put the kiosk's
//	                                data on a USB drive labelled KIOSKUSB if one is in
//	kiosk-setup settime             one request from the kiosk, on standard input (a
//	                                socket systemd accepted): set the clock forward
//	kiosk-setup settime --force T   on the console: set the clock to T (RFC 3339),
//	                                backwards too
//	kiosk-setup version             print the version
//
// The kiosk itself never gets the right to change the network or the clock;
// see systemd/kiosk-setup.service and systemd/kiosk-settime.socket.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/coffeebar/kiosk/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	cmd := "boot"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	// The journal adds its own time stamps, and the box's clock is not to
	// be trusted anyway.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	switch cmd {
	case "boot":
		return bootMain(args, log, stderr)
	case "data":
		return dataMain(args, log, stderr)
	case "settime":
		return settimeMain(args, stdin, stdout, log, stderr)
	case "version":
		fmt.Fprintln(stdout, "kiosk-setup", version.Version)
		return 0
	}
	fmt.Fprintf(stderr, "kiosk-setup: unknown command %q (boot, data, settime or version)\n", cmd)
	return 2
}

// bootMain parses the flags of the boot command and runs it.
func bootMain(args []string, log *slog.Logger, stderr io.Writer) int {
	s := Setup{Log: log}
	fs := flag.NewFlagSet("kiosk-setup boot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.Root, "root", "/", "the directory standing for / (for trying it out on a copy)")
	booth := fs.String("booth", strings.Join(DefaultBoothPaths, ","), "booth.toml paths to try, in order, comma separated")
	fs.StringVar(&s.Mode, "mode", envOr("KIOSK_SETUP_MODE", "auto"), "auto, wifi or ethernet ($KIOSK_SETUP_MODE)")
	fs.StringVar(&s.WiFiInterface, "wifi-interface", os.Getenv("KIOSK_SETUP_WIFI_INTERFACE"), "the Wi-Fi interface for the access point; empty: found automatically ($KIOSK_SETUP_WIFI_INTERFACE)")
	fs.StringVar(&s.EthernetInterface, "ethernet-interface", os.Getenv("KIOSK_SETUP_ETHERNET_INTERFACE"), "the wired interface; empty: found automatically ($KIOSK_SETUP_ETHERNET_INTERFACE)")
	fs.DurationVar(&s.Wait, "wait", 15*time.Second, "how long to wait for a Wi-Fi interface to appear")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kiosk-setup boot: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	s.BoothPaths = strings.Split(*booth, ",")
	if err := s.Run(); err != nil {
		log.Error("setup failed", "err", err)
		return 1
	}
	return 0
}

// pollEvery is how often a wait at boot looks again.
const pollEvery = 250 * time.Millisecond

// poll calls found until it says yes or wait has passed, sleeping with
// sleep in between (time.Sleep on the box, a counter in tests). It
// reports found's last answer.
func poll(wait time.Duration, sleep func(time.Duration), found func() bool) bool {
	for waited := time.Duration(0); ; waited += pollEvery {
		if found() {
			return true
		}
		if waited >= wait {
			return false
		}
		sleep(pollEvery)
	}
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
