package daemon

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// checkDebugAddr accepts only a loopback address for the profiler: it shows
// the kiosk's insides, its command line among them, and takes CPU on demand,
// so it must never be reachable from the booth's Wi-Fi. Reach it on the box
// through an SSH tunnel.
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

// debugHandler serves Go's profiles under /debug/pprof/: CPU, heap,
// allocations, goroutines, blocking and locks, and execution traces.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveDebug starts the profiler on addr and returns the server to close at
// the end.
func serveDebug(addr string) (*http.Server, net.Addr, error) {
	if err := checkDebugAddr(addr); err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("the profiler: listen on %s: %w", addr, err)
	}
	// No write timeout: a CPU profile or a trace streams for as long as it
	// was asked to.
	srv := &http.Server{Handler: debugHandler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at Close
	return srv, ln.Addr(), nil
}
