package system

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Interface is one network interface as the Network page shows it.
type Interface struct {
	Name      string
	Up        bool   // administratively up and the link is running
	OperState string // from sysfs: up, down, dormant, unknown…
	Carrier   bool
	Flags     string // e.g. "up|broadcast|multicast|running"
	MAC       string
	MTU       int
	SpeedMbps int    // -1 when the driver does not say (Wi-Fi, a down link)
	Duplex    string // full, half, or "" when unknown
	Wireless  bool
	SSID      string // for an up Wi-Fi interface; "" when not known
	Addrs     []Addr
	Stats     Counters
}

// Addr is one address of an interface.
type Addr struct {
	Family    string // "IPv4" or "IPv6"
	Address   string
	Prefix    int
	Netmask   string // IPv4 dotted mask
	Broadcast string // IPv4 broadcast, "" for point-to-point or /31+
}

// Counters are the kernel's totals since the interface came up.
type Counters struct {
	RxBytes, TxBytes     uint64
	RxPackets, TxPackets uint64
	RxErrors, TxErrors   uint64
	RxDropped, TxDropped uint64
}

// Link is what sysfs says about an interface.
type Link struct {
	OperState string
	Carrier   bool
	MTU       int
	SpeedMbps int
	Duplex    string
	MAC       string
	Wireless  bool
	Stats     Counters
}

// ReadLink reads /sys/class/net/<name> (dir). Files a driver does not
// provide, or that it refuses to read while the link is down (speed,
// duplex, carrier give EINVAL then), leave their field at its "unknown" value.
func ReadLink(dir string) (Link, error) {
	if _, err := os.Stat(dir); err != nil {
		return Link{}, fmt.Errorf("link %s: %w", filepath.Base(dir), err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	num := func(name string) (int64, bool) {
		n, err := strconv.ParseInt(read(name), 10, 64)
		return n, err == nil
	}
	l := Link{OperState: read("operstate"), MAC: read("address"), Duplex: read("duplex"), SpeedMbps: -1}
	if l.Duplex == "unknown" {
		l.Duplex = ""
	}
	l.Carrier = read("carrier") == "1"
	if n, ok := num("mtu"); ok {
		l.MTU = int(n)
	}
	// Drivers report -1 or 4294967295 for "no speed".
	if n, ok := num("speed"); ok && n > 0 && n < 4000000 {
		l.SpeedMbps = int(n)
	}
	if st, err := os.Stat(filepath.Join(dir, "wireless")); err == nil && st.IsDir() {
		l.Wireless = true
	} else if st, err := os.Stat(filepath.Join(dir, "phy80211")); err == nil && st.IsDir() {
		l.Wireless = true
	}
	c := func(name string) uint64 {
		n, _ := strconv.ParseUint(read(filepath.Join("statistics", name)), 10, 64)
		return n
	}
	l.Stats = Counters{
		RxBytes: c("rx_bytes"), TxBytes: c("tx_bytes"),
		RxPackets: c("rx_packets"), TxPackets: c("tx_packets"),
		RxErrors: c("rx_errors"), TxErrors: c("tx_errors"),
		RxDropped: c("rx_dropped"), TxDropped: c("tx_dropped"),
	}
	return l, nil
}

// Interfaces lists every interface but loopback, by name, with its sysfs
// facts, its addresses and, for an up Wi-Fi interface, its SSID.
func (h Host) Interfaces(ctx context.Context) ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("network interfaces: %w", err)
	}
	var out []Interface
	var errs []error
	for _, ni := range ifs {
		if ni.Flags&net.FlagLoopback != 0 || ni.Name == "lo" {
			continue
		}
		it := Interface{
			Name: ni.Name, MTU: ni.MTU, MAC: ni.HardwareAddr.String(), SpeedMbps: -1,
			Flags: strings.ReplaceAll(ni.Flags.String(), "|", ", "),
		}
		if l, err := ReadLink(h.path(filepath.Join("/sys/class/net", ni.Name))); err == nil {
			it.OperState, it.Carrier, it.SpeedMbps, it.Duplex, it.Wireless, it.Stats = l.OperState, l.Carrier, l.SpeedMbps, l.Duplex, l.Wireless, l.Stats
			if l.MTU > 0 {
				it.MTU = l.MTU
			}
		} else {
			errs = append(errs, err)
		}
		it.Up = ni.Flags&net.FlagUp != 0 && ni.Flags&net.FlagRunning != 0
		if !it.Wireless && strings.HasPrefix(ni.Name, "wlan") {
			it.Wireless = true
		}
		addrs, err := ni.Addrs()
		if err != nil {
			errs = append(errs, fmt.Errorf("addresses of %s: %w", ni.Name, err))
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				it.Addrs = append(it.Addrs, MakeAddr(ipn, ni.Flags&net.FlagPointToPoint != 0))
			}
		}
		if it.Wireless && it.Up {
			if ssid, err := h.CurrentSSID(ctx, ni.Name); err == nil {
				it.SSID = ssid
			} else {
				errs = append(errs, err)
			}
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}

// MakeAddr describes one address; IPv4 ones get their mask and broadcast.
func MakeAddr(ipn *net.IPNet, pointToPoint bool) Addr {
	ones, bits := ipn.Mask.Size()
	if ip4 := ipn.IP.To4(); ip4 != nil {
		mask := net.IP(net.CIDRMask(ones, 32)).To4()
		if bits == 128 { // a v4 address carrying a 16-byte mask
			mask = net.IP(ipn.Mask[12:]).To4()
			ones -= 96
		}
		a := Addr{Family: "IPv4", Address: ip4.String(), Prefix: ones, Netmask: mask.String()}
		if !pointToPoint && ones < 31 {
			bc := make(net.IP, 4)
			for i := range bc {
				bc[i] = ip4[i] | ^mask[i]
			}
			a.Broadcast = bc.String()
		}
		return a
	}
	return Addr{Family: "IPv6", Address: ipn.IP.String(), Prefix: ones}
}

// WirelessInterfaces names the Wi-Fi interfaces, from sysfs.
func (h Host) WirelessInterfaces() ([]string, error) {
	dir := h.path("/sys/class/net")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("network interfaces: %w", err)
	}
	var out []string
	for _, e := range ents {
		if l, err := ReadLink(filepath.Join(dir, e.Name())); err == nil && l.Wireless {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
