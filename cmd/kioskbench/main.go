// Command kioskbench is the kiosk's benchmark harness (`make bench`). It
// builds the kiosk, starts the real binary on loopback ports with a scratch
// data directory, and measures order throughput against the disk's fsync
// ceiling, event-to-screen latency, fan-out against Debian's mosquitto,
// slow consumers, memory, start time and binary sizes. It prints a
// Markdown report and, with --out, writes report.json and report.md.
//
//	kioskbench [--quick] [--out DIR] [--profile] [--keep]
//	kioskbench --rates 100,150,200 [--profile]   item 1 only, at these loads
//	kioskbench --emulate arm64 [--out DIR]   start time and memory under qemu-user
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/coffeebar/kiosk/cmd/kioskbench/bench"
)

func main() {
	var cfg bench.Config
	fs := flag.NewFlagSet("kioskbench", flag.ContinueOnError)
	fs.BoolVar(&cfg.Quick, "quick", false, "a short run (about a minute): fewer, shorter steps, 500 fan-out subscribers")
	fs.StringVar(&cfg.Out, "out", "", "directory for report.json and report.md")
	fs.StringVar(&cfg.Emulate, "emulate", "", "run the start-time and memory items for this architecture under qemu-user (arm64)")
	fs.BoolVar(&cfg.Profile, "profile", false, "sample the kiosk with perf in the heavy phases and count its fsyncs with strace")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the scratch directory (databases and logs)")
	fs.Func("rates", "only item 1, one step at each of these offered rates (e.g. 100,150,200), no knee search", func(v string) error {
		for _, f := range strings.Split(v, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || r <= 0 {
				return fmt.Errorf("not a rate: %q", f)
			}
			cfg.Rates = append(cfg.Rates, r)
		}
		return nil
	})
	cpuprofile := fs.String("cpuprofile", "", "write the harness's own CPU profile to this file")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "kioskbench:", err)
			os.Exit(1)
		}
	}
	cfg.Stdout, cfg.Stderr = os.Stdout, os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := bench.Run(ctx, cfg)
	bench.StopAll()
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kioskbench:", err)
		os.Exit(1)
	}
}
