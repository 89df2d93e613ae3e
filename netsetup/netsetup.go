// Package netsetup turns the booth's settings (booth.toml) into the
// configuration files of the box's network: hostapd for the Wi-Fi access
// point, dnsmasq for DHCP and DNS, a systemd-networkd file for the box's
// fixed address, and a NetworkManager drop-in that keeps NetworkManager
// (Raspberry Pi OS's default) away from the booth's interface.
//
// The box runs in one of two modes:
//
//   - WiFiAP: the box is the access point. Phones join its Wi-Fi; it hands
//     out addresses and answers every name with itself. DHCP and DNS are
//     always served in this mode, whatever booth.toml says, because phones
//     on the box's own Wi-Fi have nobody else to ask.
//   - Ethernet: the box is on a cable behind another access point, which
//     must have no internet either. It serves DHCP and DNS on the cable
//     only when booth.toml's serve_dhcp_dns says so (the other access point
//     then runs as a plain bridge with its own DHCP off).
//
// Output is deterministic: the same settings give the same bytes, so the
// caller can compare and write only what changed. Every value that goes
// into a file is checked or encoded so that nothing in booth.toml can end a
// line early and add a directive of its own.
package netsetup

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"unicode"

	"github.com/coffeebar/kiosk/booth"
)

// Mode is how the box joins the booth's network.
type Mode string

// The modes.
const (
	// WiFiAP runs the booth's Wi-Fi access point on the box.
	WiFiAP Mode = "wifi"
	// Ethernet puts the box on a cable behind another access point.
	Ethernet Mode = "ethernet"
)

// The files this package writes. Each is always part of a Plan: with
// content when the mode uses it, or with nil content to say it must not
// exist, so a switch from one mode to the other leaves nothing stale.
const (
	HostapdPath  = "/etc/kiosk/network/hostapd.conf"
	DnsmasqPath  = "/etc/kiosk/network/dnsmasq.conf"
	NetworkdPath = "/etc/systemd/network/10-kiosk.network"
	NMPath       = "/etc/NetworkManager/conf.d/90-kiosk.conf"
)

// DHCPLease is how long a phone keeps its address. Short, because phones
// come and go all day and a /24 has only about 240 addresses; the captive
// portal's memory of a phone is keyed by address and lasts as long.
const DHCPLease = "1h"

// LeaseFile keeps dnsmasq's leases in RAM: after a power cut phones simply
// ask again, and the SD card is spared a write per phone.
const LeaseFile = "/run/kiosk-dns/dnsmasq.leases"

// HostapdControl is hostapd's control socket directory, for hostapd_cli
// when someone investigates the Wi-Fi at the booth.
const HostapdControl = "/run/kiosk-ap"

// Options are the facts about the box that booth.toml does not hold.
type Options struct {
	// Mode is how the box joins the booth's network.
	Mode Mode
	// Interface is the network interface the booth's network is on, such
	// as wlan0 in WiFiAP mode or eth0 in Ethernet mode.
	Interface string
}

// File is one configuration file: where it goes, its permissions, and its
// content. Nil Data means the file must not exist.
type File struct {
	// Path is the absolute path on the box.
	Path string
	// Perm is the file's permission bits.
	Perm fs.FileMode
	// Data is the content, or nil to remove the file.
	Data []byte
}

// Plan returns every file of the network stack for cfg in the given mode,
// in a fixed order. It refuses, with an error naming the setting, any value
// it cannot write safely or that the radio rules forbid; booth.Load already
// refuses those, so an error here means the caller skipped it.
func Plan(cfg booth.Config, opt Options) ([]File, error) {
	if err := checkInterface(opt.Interface); err != nil {
		return nil, err
	}
	if err := checkNetwork(cfg.Network); err != nil {
		return nil, err
	}
	var hostapd, dnsmasq []byte
	switch opt.Mode {
	case WiFiAP:
		var err error
		if hostapd, err = Hostapd(cfg.WiFi, opt.Interface); err != nil {
			return nil, err
		}
		dnsmasq = Dnsmasq(cfg.Network, opt.Interface)
	case Ethernet:
		if cfg.Network.ServeDHCPDNS {
			dnsmasq = Dnsmasq(cfg.Network, opt.Interface)
		}
	default:
		return nil, fmt.Errorf("netsetup: unknown mode %q (want %q or %q)", opt.Mode, WiFiAP, Ethernet)
	}
	return []File{
		{Path: HostapdPath, Perm: 0o600, Data: hostapd},
		{Path: DnsmasqPath, Perm: 0o644, Data: dnsmasq},
		{Path: NetworkdPath, Perm: 0o644, Data: Networkd(cfg.Network, opt)},
		{Path: NMPath, Perm: 0o644, Data: NetworkManager(opt.Interface)},
	}, nil
}

const header = `# Written by kiosk-setup from booth.toml at every start of the box.
# Do not edit: change booth.toml on the SD card's boot partition instead.
`

// Hostapd returns hostapd.conf for the booth's access point on iface. It
// refuses an SSID or password that cannot be written safely and a channel
// the country does not allow.
func Hostapd(w booth.WiFi, iface string) ([]byte, error) {
	if err := checkInterface(iface); err != nil {
		return nil, err
	}
	ssid, err := ssidLine(w.SSID)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(w.Password); err != nil {
		return nil, err
	}
	band, err := checkChannel(w.Country, w.Channel)
	if err != nil {
		return nil, err
	}

	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "interface=%s\n", iface)
	b.WriteString("driver=nl80211\n")
	fmt.Fprintf(&b, "ctrl_interface=%s\nctrl_interface_group=0\n", HostapdControl)
	b.WriteString("\n# The network's name.\n")
	b.WriteString(ssid)
	b.WriteString("utf8_ssid=1\nignore_broadcast_ssid=0\n")
	b.WriteString("\n# The radio: the country decides which channels and powers are legal.\n")
	fmt.Fprintf(&b, "country_code=%s\nieee80211d=1\n", w.Country)
	fmt.Fprintf(&b, "hw_mode=%s\nchannel=%d\n", band, w.Channel)
	b.WriteString("ieee80211n=1\nwmm_enabled=1\n")
	b.WriteString("\n# Phones cannot reach each other, only the box.\nap_isolate=1\n")
	b.WriteString("\n# Phones that vanish without saying goodbye are dropped after 5 minutes.\nap_max_inactivity=300\n")
	b.WriteString("\nauth_algs=1\nmacaddr_acl=0\n")
	if w.Open() {
		b.WriteString("\n# An open network: no password.\nwpa=0\n")
	} else {
		b.WriteString("\n# WPA2 with a password.\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\n")
		fmt.Fprintf(&b, "wpa_passphrase=%s\n", w.Password)
	}
	return b.Bytes(), nil
}

// ssidLine returns the SSID directive. A name of plain printable ASCII is
// written as it is; any other byte (letters such as ä, or anything
// invisible) makes the whole name hex-encoded with ssid2=, which hostapd
// reads as raw bytes, so no byte of the name can reach the file as itself.
// Control characters are refused outright: booth.toml never allows them and
// a phone would show them as garbage.
func ssidLine(ssid string) (string, error) {
	if ssid == "" || len(ssid) > 32 {
		return "", fmt.Errorf("netsetup: wifi.ssid must be 1 to 32 bytes, not %d", len(ssid))
	}
	plain := true
	for i := 0; i < len(ssid); i++ {
		c := ssid[i]
		if c < 0x20 || c == 0x7f {
			return "", errors.New("netsetup: wifi.ssid contains a control character (such as a line break)")
		}
		if c > 0x7e {
			plain = false
		}
	}
	// A leading or trailing space is kept exactly by ssid2's hex form.
	if plain && strings.TrimSpace(ssid) == ssid {
		return "ssid=" + ssid + "\n", nil
	}
	if strings.IndexFunc(ssid, unicode.IsControl) >= 0 {
		return "", errors.New("netsetup: wifi.ssid contains a control character (such as a line break)")
	}
	return "ssid2=" + hex.EncodeToString([]byte(ssid)) + "\n", nil
}

// checkPassword accepts an empty password (an open network) or a WPA2
// passphrase: 8 to 63 printable ASCII characters.
func checkPassword(p string) error {
	if p == "" {
		return nil
	}
	if len(p) < 8 || len(p) > 63 {
		return fmt.Errorf("netsetup: wifi.password must be 8 to 63 characters, not %d", len(p))
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] > 0x7e {
			return errors.New("netsetup: wifi.password may hold only printable ASCII characters")
		}
	}
	return nil
}

// checkChannel returns hostapd's hw_mode for a channel legal in country:
// "g" for 2.4 GHz, "a" for 5 GHz.
func checkChannel(country string, channel int) (string, error) {
	if len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z' {
		return "", fmt.Errorf("netsetup: wifi.country must be two capital letters, not %q", country)
	}
	switch {
	case channel == 14 && country != "JP":
		return "", fmt.Errorf("netsetup: wifi.channel 14 is allowed only in JP, not %s", country)
	case (channel == 12 || channel == 13) && (country == "US" || country == "CA"):
		return "", fmt.Errorf("netsetup: wifi.channel %d is not allowed in %s", channel, country)
	case channel >= 1 && channel <= 14:
		return "g", nil
	case channel == 36 || channel == 40 || channel == 44 || channel == 48:
		return "a", nil
	}
	return "", fmt.Errorf("netsetup: wifi.channel %d is not one the box uses (1 to 13, or 36, 40, 44, 48)", channel)
}

// Dnsmasq returns dnsmasq.conf for DHCP and DNS on iface: every name
// answers with the box, the box's own name also answers backwards, and
// phones are told the box is their router and name server. Without a
// router, some phones never send their connectivity probes over the Wi-Fi
// and so never show the ordering page.
func Dnsmasq(n booth.Network, iface string) []byte {
	box := n.Address.Addr()
	lo, hi := dhcpRange(n.Address)
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("\n# Only the booth's network, never the box's other interfaces.\n")
	fmt.Fprintf(&b, "interface=%s\nbind-dynamic\n", iface)
	b.WriteString("\n# Offline: nothing is forwarded, no other file is read.\n")
	b.WriteString("no-resolv\nno-hosts\nno-poll\n")
	b.WriteString("\n# Every name is the box, so phones' connectivity probes and any address\n")
	b.WriteString("# typed into a browser reach the ordering page. Other record types (AAAA)\n")
	b.WriteString("# get an empty answer at once instead of a timeout.\n")
	fmt.Fprintf(&b, "address=/#/%s\nlocal=/#/\n", box)
	b.WriteString("\n# The box's own name, also for reverse look-ups.\n")
	fmt.Fprintf(&b, "host-record=%s,%s\n", n.Hostname, box)
	b.WriteString("\n# Addresses for phones and tablets. Names that phones announce are ignored,\n")
	b.WriteString("# so no phone can take the box's name.\n")
	fmt.Fprintf(&b, "dhcp-range=%s,%s,%s,%s\n", lo, hi, netmask(n.Address), DHCPLease)
	fmt.Fprintf(&b, "dhcp-option=option:router,%s\n", box)
	fmt.Fprintf(&b, "dhcp-option=option:dns-server,%s\n", box)
	b.WriteString("dhcp-authoritative\ndhcp-rapid-commit\ndhcp-ignore-names\n")
	fmt.Fprintf(&b, "dhcp-leasefile=%s\n", LeaseFile)
	return b.Bytes()
}

// dhcpRange returns the addresses handed out: the larger stretch of the
// network on either side of the box's own address. When that stretch holds
// more than 100 addresses its first 9 are kept back for devices given a
// fixed address by hand (a printer, another access point's admin page).
func dhcpRange(p netip.Prefix) (lo, hi netip.Addr) {
	first := p.Masked().Addr().Next()
	last := lastAddr(p).Prev()
	box := p.Addr()
	below := distance(first, box)
	above := distance(box, last)
	if above >= below {
		lo, hi = box.Next(), last
	} else {
		lo, hi = first, box.Prev()
	}
	if distance(lo, hi) >= 100 {
		for range 9 {
			lo = lo.Next()
		}
	}
	return lo, hi
}

// lastAddr returns the broadcast address of an IPv4 prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	n := be32(a) | (uint32(1)<<(32-p.Bits()) - 1)
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// netmask returns the dotted mask of an IPv4 prefix.
func netmask(p netip.Prefix) netip.Addr {
	n := ^(uint32(1)<<(32-p.Bits()) - 1)
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// distance returns b minus a for IPv4 addresses, 0 when b comes first.
func distance(a, b netip.Addr) uint32 {
	x, y := be32(a.As4()), be32(b.As4())
	if y < x {
		return 0
	}
	return y - x
}

func be32(a [4]byte) uint32 {
	return uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
}

// Networkd returns the systemd-networkd file that gives the booth's
// interface the box's fixed address, with nothing else configured on it:
// no DHCP client, no IPv6, no default route. The address is set before a
// cable or a phone is there, so dnsmasq and the kiosk can start at once.
func Networkd(n booth.Network, opt Options) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	if opt.Mode == Ethernet {
		b.WriteString("# The box on the cable behind the booth's access point.\n")
	} else {
		b.WriteString("# The box as the booth's Wi-Fi access point.\n")
	}
	fmt.Fprintf(&b, "\n[Match]\nName=%s\n", opt.Interface)
	fmt.Fprintf(&b, "\n[Network]\nAddress=%s\n", n.Address)
	b.WriteString("DHCP=no\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n")
	b.WriteString("ConfigureWithoutCarrier=yes\nIgnoreCarrierLoss=yes\n")
	return b.Bytes()
}

// NetworkManager returns a NetworkManager drop-in that leaves iface to the
// box's own set-up; on Raspberry Pi OS NetworkManager would otherwise try
// to join a Wi-Fi or ask for DHCP on it.
func NetworkManager(iface string) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "\n[keyfile]\nunmanaged-devices=interface-name:%s\n", iface)
	return b.Bytes()
}

// checkInterface accepts a Linux interface name: 1 to 15 letters, digits,
// '-', '_' or '.', and not "." or "..".
func checkInterface(name string) error {
	if name == "" || len(name) > 15 || name == "." || name == ".." {
		return fmt.Errorf("netsetup: %q is not a network interface name", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("netsetup: %q is not a network interface name", name)
		}
	}
	return nil
}

// checkNetwork refuses an address or host name that cannot go into the
// files as it is.
func checkNetwork(n booth.Network) error {
	p := n.Address
	if !p.IsValid() || !p.Addr().Is4() || p.Bits() < 8 || p.Bits() > 30 {
		return fmt.Errorf("netsetup: network.address %s is not an IPv4 address with a size from /8 to /30", p)
	}
	if p.Addr() == p.Masked().Addr() || p.Addr() == lastAddr(p) {
		return fmt.Errorf("netsetup: network.address %s is the network's own or broadcast address", p)
	}
	h := n.Hostname
	if h == "" || len(h) > 253 {
		return fmt.Errorf("netsetup: network.hostname %q is not a host name", h)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("netsetup: network.hostname %q is not a host name", h)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("netsetup: network.hostname %q is not a host name", h)
			}
		}
	}
	return nil
}
