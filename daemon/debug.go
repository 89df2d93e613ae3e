package daemon

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// checkDebugAddr accepts only a loopback address for the profiler: it shows
// the kiosk's insides and takes CPU on demand, so it must never be
// reachable from the booth's Wi-Fi. Reach it on the box through an SSH
// tunnel.
func checkDebugAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--debug-addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--debug-addr %q must be a loopback address such as 127.0.0.1:6060: the profiler must not be reachable from the booth's network", addr)
}

// debugHandler serves Go's profiles under /debug/pprof/ as go tool pprof
// asks for them: /profile?seconds=N (CPU), /trace?seconds=N (execution
// trace) and /{name}?debug=N for the runtime's named profiles (heap, allocs,
// goroutine, block, mutex, threadcreate). It is written on runtime/pprof
// and fasthttp, which the kiosk already serves with: net/http/pprof (with
// net/http's server) measured a megabyte more resident memory on every
// box, profiler on or off, against a target of 100 MB with a full booth.
func debugHandler(ctx *fasthttp.RequestCtx) {
	name, ok := strings.CutPrefix(string(ctx.Path()), "/debug/pprof/")
	if !ok {
		ctx.Error("not found", fasthttp.StatusNotFound)
		return
	}
	args := ctx.QueryArgs()
	switch name {
	case "":
		ctx.SetContentType("text/plain; charset=utf-8")
		fmt.Fprintln(ctx, "profile?seconds=30  CPU profile")
		fmt.Fprintln(ctx, "trace?seconds=5     execution trace")
		for _, p := range pprof.Profiles() {
			fmt.Fprintf(ctx, "%-19s %d now (?debug=1 for text)\n", p.Name(), p.Count())
		}
	case "profile":
		span(ctx, args.GetUintOrZero("seconds"), 30, pprof.StartCPUProfile, pprof.StopCPUProfile)
	case "trace":
		span(ctx, args.GetUintOrZero("seconds"), 5, trace.Start, trace.Stop)
	default:
		p := pprof.Lookup(name)
		if p == nil {
			ctx.Error("no profile "+name, fasthttp.StatusNotFound)
			return
		}
		debug := args.GetUintOrZero("debug")
		ctx.SetContentType("application/octet-stream")
		if debug > 0 {
			ctx.SetContentType("text/plain; charset=utf-8")
		}
		_ = p.WriteTo(ctx, debug)
	}
}

// span records for the asked seconds (def when none, at most ten minutes)
// between start and stop, and answers with the recording.
func span(ctx *fasthttp.RequestCtx, seconds, def int, start func(io.Writer) error, stop func()) {
	if seconds <= 0 {
		seconds = def
	}
	var buf bytes.Buffer
	if err := start(&buf); err != nil {
		ctx.Error("could not start: "+err.Error(), fasthttp.StatusConflict)
		return
	}
	t := time.NewTimer(time.Duration(min(seconds, 600)) * time.Second)
	<-t.C
	stop()
	ctx.SetContentType("application/octet-stream")
	ctx.SetBody(buf.Bytes())
}

// serveDebug starts the profiler on addr and returns the server to shut
// down at the end and the address it listens on.
func serveDebug(addr string) (*fasthttp.Server, net.Addr, error) {
	if err := checkDebugAddr(addr); err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("the profiler: listen on %s: %w", addr, err)
	}
	// No write timeout: a CPU profile or a trace takes as long as it was
	// asked to.
	srv := &fasthttp.Server{Handler: debugHandler, ReadTimeout: 10 * time.Second, Name: "kiosk-profiler"}
	go srv.Serve(ln) //nolint:errcheck // ends when the listener closes at Shutdown
	return srv, ln.Addr(), nil
}
