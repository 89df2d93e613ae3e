package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coffeebar/kiosk/booth"
	"github.com/coffeebar/kiosk/netsetup"
)

// SysClassNet is where Linux lists the network interfaces.
const SysClassNet = "/sys/class/net"

// netInterface is what kiosk-setup needs to know about one interface.
type netInterface struct {
	name     string
	wireless bool
	usb      bool
	wired    bool
}

// interfaces lists the physical interfaces under root's /sys/class/net,
// sorted by name. Virtual ones (loopback, bridges) have no device link.
func interfaces(root string) []netInterface {
	dir := filepath.Join(root, SysClassNet)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []netInterface
	for _, e := range entries {
		base := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(base, "device")); err != nil {
			continue
		}
		n := netInterface{name: e.Name()}
		n.wireless = exists(filepath.Join(base, "wireless")) || exists(filepath.Join(base, "phy80211"))
		if sub, err := os.Readlink(filepath.Join(base, "device", "subsystem")); err == nil {
			n.usb = filepath.Base(sub) == "usb"
		}
		typ, _ := os.ReadFile(filepath.Join(base, "type"))
		n.wired = !n.wireless && strings.TrimSpace(string(typ)) == "1"
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// wifi returns the interface for the access point: a USB adapter before the
// Pi's own Wi-Fi (a USB adapter is fitted to serve more phones than the
// onboard chip's 8 to 10), then the first by name; "" if there is none.
func wifi(ifs []netInterface) string {
	best := ""
	for _, n := range ifs {
		switch {
		case !n.wireless:
		case n.usb:
			return n.name
		case best == "":
			best = n.name
		}
	}
	return best
}

// wired returns the first wired interface by name, or "".
func wired(ifs []netInterface) string {
	for _, n := range ifs {
		if n.wired {
			return n.name
		}
	}
	return ""
}

// chooseNetwork decides the mode and the interface, and returns a note for
// staff when the box had to guess. In "auto" mode a booth.toml that says
// serve_dhcp_dns = false means the box is on a cable behind another access
// point; otherwise the box runs the Wi-Fi if it has any, else serves DHCP
// and DNS on its cable.
func (s *Setup) chooseNetwork(cfg booth.Config) (netsetup.Options, string) {
	mode := s.Mode
	switch mode {
	case "wifi", "ethernet":
	case "auto", "":
		mode = "wifi"
		if !cfg.Network.ServeDHCPDNS {
			mode = "ethernet"
		}
	default:
		note := fmt.Sprintf("KIOSK_SETUP_MODE=%q is not auto, wifi or ethernet; the box decides by itself.", s.Mode)
		s.Mode = "auto"
		opt, more := s.chooseNetwork(cfg)
		return opt, strings.TrimSpace(note + " " + more)
	}

	if mode == "ethernet" {
		iface := s.EthernetInterface
		if iface == "" {
			iface = wired(interfaces(s.Root))
		}
		if iface == "" {
			return netsetup.Options{Mode: netsetup.Ethernet, Interface: "eth0"},
				"No network socket for a cable was found; the box set up eth0 in case one appears."
		}
		return netsetup.Options{Mode: netsetup.Ethernet, Interface: iface}, ""
	}

	if s.WiFiInterface != "" {
		return netsetup.Options{Mode: netsetup.WiFiAP, Interface: s.WiFiInterface}, ""
	}
	// At boot the Wi-Fi driver may still be loading: look again for a while.
	var ifs []netInterface
	poll(s.Wait, s.sleep, func() bool {
		ifs = interfaces(s.Root)
		return wifi(ifs) != ""
	})
	if iface := wifi(ifs); iface != "" {
		return netsetup.Options{Mode: netsetup.WiFiAP, Interface: iface}, ""
	}
	if s.Mode != "wifi" {
		if iface := wired(ifs); iface != "" {
			return netsetup.Options{Mode: netsetup.Ethernet, Interface: iface},
				fmt.Sprintf("The box has no Wi-Fi, so it hands out addresses and answers names on its cable (%s) instead.", iface)
		}
	}
	return netsetup.Options{Mode: netsetup.WiFiAP, Interface: "wlan0"},
		"No Wi-Fi was found; the box set up wlan0 in case it appears. Phones cannot join until it does."
}
