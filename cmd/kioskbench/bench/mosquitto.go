package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Mosquitto is Debian's mosquitto, started as the comparison broker: one
// TCP listener for the test publisher and one WebSocket listener for the
// subscribers, both on loopback, anonymous, nothing persisted.
type Mosquitto struct {
	*Proc
	TCP, WS string // 127.0.0.1:port
	Version string
}

// StartMosquitto writes a configuration into dir and starts mosquitto.
func StartMosquitto(ctx context.Context, dir string) (*Mosquitto, error) {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/mosquitto"); serr != nil {
			return nil, fmt.Errorf("mosquitto is not installed (apt-get install mosquitto)")
		}
		bin = "/usr/sbin/mosquitto"
	}
	tcp, err := FreePort()
	if err != nil {
		return nil, err
	}
	ws, err := FreePort()
	if err != nil {
		return nil, err
	}
	port := func(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }
	conf := strings.Join([]string{
		"# The comparison broker of the kiosk's benchmark harness.",
		"per_listener_settings false",
		"allow_anonymous true",
		"persistence false",
		"log_dest stderr",
		"log_type error",
		"log_type warning",
		"max_connections -1",
		"listener " + port(tcp) + " 127.0.0.1",
		"listener " + port(ws) + " 127.0.0.1",
		"protocol websockets",
		"",
	}, "\n")
	confPath := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	m := &Mosquitto{TCP: tcp, WS: ws}
	if out, err := exec.CommandContext(ctx, bin, "-h").CombinedOutput(); len(out) > 0 {
		_ = err // mosquitto -h exits non-zero after printing its version
		m.Version = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	p, err := Spawn("mosquitto", filepath.Join(dir, "mosquitto.log"), []string{bin, "-c", confPath}, os.Environ())
	if err != nil {
		return nil, err
	}
	m.Proc = p
	for _, addr := range []string{tcp, ws} {
		if err := WaitListening(ctx, p, addr, 10e9); err != nil {
			p.Stop()
			return nil, err
		}
	}
	return m, nil
}
