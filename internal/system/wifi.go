package system

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Network is one Wi-Fi network a scan found.
type Network struct {
	SSID       string // "" for a hidden network
	BSSID      string // the access point's MAC, lower case
	Channel    int    // 0 when unknown
	FreqMHz    int    // 0 when unknown
	SignalDBm  int    // 0 when the tool gives no dBm (nmcli)
	Quality    int    // link quality out of QualityMax
	QualityMax int    // 70 for iwlist and iw (the original's scale), 100 for nmcli
	Security   string // "WPA2", "WPA", "WEP", "open", or the tool's words
	InUse      bool   // the network this interface is connected to
}

// QualityPercent is Quality on a 0–100 scale.
func (n Network) QualityPercent() int {
	if n.QualityMax <= 0 {
		return 0
	}
	p := (n.Quality*100 + n.QualityMax/2) / n.QualityMax
	return max(0, min(100, p))
}

// Scan is one interface's scan result and the tool that made it.
type Scan struct {
	Interface string
	Tool      string // "nmcli", "iw" or "iwlist"
	Networks  []Network
}

// ifaceName guards the interface name given to the scan tools: they get it
// as an argument, never through a shell, but a name from a request must
// still be an interface name and nothing else.
var ifaceName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)

// WiFiScan scans on iface with NetworkManager (nmcli; the install script's
// polkit rule lets the service user ask for a fresh scan), else with iw,
// else with iwlist. A fresh iw or iwlist scan needs root; as any other user
// iw gives the kernel's last results ("scan dump") and iwlist does the same
// by itself, so no sudo is needed (the services run with NoNewPrivileges).
func (h Host) WiFiScan(ctx context.Context, iface string) (Scan, error) {
	if !ifaceName.MatchString(iface) {
		return Scan{}, fmt.Errorf("Wi-Fi scan: %q is not an interface name", iface)
	}
	var errs []error
	out, err := h.run(ctx, "nmcli", "-t", "-f", "IN-USE,BSSID,SSID,CHAN,FREQ,SIGNAL,SECURITY",
		"device", "wifi", "list", "ifname", iface, "--rescan", "auto")
	if err == nil {
		nets, err := ParseNmcliWifi(out)
		if err == nil {
			return Scan{Interface: iface, Tool: "nmcli", Networks: nets}, nil
		}
		errs = append(errs, err)
	} else {
		errs = append(errs, err)
	}
	iwArgs := []string{"dev", iface, "scan"}
	if os.Geteuid() != 0 {
		iwArgs = append(iwArgs, "dump")
	}
	out, err = h.run(ctx, sbin("iw"), iwArgs...)
	if err == nil {
		return Scan{Interface: iface, Tool: "iw", Networks: ParseIwScan(out)}, nil
	}
	errs = append(errs, err)
	out, err = h.run(ctx, sbin("iwlist"), iface, "scan")
	if err == nil {
		return Scan{Interface: iface, Tool: "iwlist", Networks: ParseIwlistScan(out)}, nil
	}
	errs = append(errs, err)
	return Scan{Interface: iface}, fmt.Errorf("Wi-Fi scan on %s: %w", iface, errors.Join(errs...))
}

// sbin finds a tool in the sbin folders, where Debian keeps them and where
// a service's PATH may not look.
func sbin(tool string) string {
	for _, dir := range []string{"/usr/sbin/", "/sbin/", "/usr/bin/"} {
		if _, err := os.Stat(dir + tool); err == nil {
			return dir + tool
		}
	}
	return tool
}

// CurrentSSID is the network iface is connected to, from iw, then nmcli,
// then iwgetid. "" with no error means not connected.
func (h Host) CurrentSSID(ctx context.Context, iface string) (string, error) {
	if !ifaceName.MatchString(iface) {
		return "", fmt.Errorf("SSID: %q is not an interface name", iface)
	}
	var errs []error
	if out, err := h.run(ctx, sbin("iw"), "dev", iface, "link"); err == nil {
		ssid, _ := ParseIwLink(out)
		return ssid, nil
	} else {
		errs = append(errs, err)
	}
	if out, err := h.run(ctx, "nmcli", "-t", "-f", "IN-USE,BSSID,SSID,CHAN,FREQ,SIGNAL,SECURITY",
		"device", "wifi", "list", "ifname", iface, "--rescan", "no"); err == nil {
		if nets, err := ParseNmcliWifi(out); err == nil {
			for _, n := range nets {
				if n.InUse {
					return n.SSID, nil
				}
			}
			return "", nil
		}
	} else {
		errs = append(errs, err)
	}
	if out, err := h.run(ctx, sbin("iwgetid"), "-r", iface); err == nil {
		return strings.TrimSpace(string(out)), nil
	} else {
		errs = append(errs, err)
	}
	return "", fmt.Errorf("SSID of %s: %w", iface, errors.Join(errs...))
}

// PowerSave reports whether Wi-Fi power saving is on for iface, from
// `iw dev IFACE get power_save`.
func (h Host) PowerSave(ctx context.Context, iface string) (bool, error) {
	if !ifaceName.MatchString(iface) {
		return false, fmt.Errorf("power save: %q is not an interface name", iface)
	}
	out, err := h.run(ctx, sbin("iw"), "dev", iface, "get", "power_save")
	if err != nil {
		return false, fmt.Errorf("power save of %s: %w", iface, err)
	}
	return ParsePowerSave(out)
}

// ParsePowerSave reads "Power save: on" / "Power save: off".
func ParsePowerSave(out []byte) (bool, error) {
	s := strings.ToLower(strings.TrimSpace(string(out)))
	_, v, ok := strings.Cut(s, "power save:")
	if !ok {
		return false, fmt.Errorf("power save: unexpected output %q", truncate(s, 80))
	}
	switch strings.TrimSpace(v) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("power save: unexpected value %q", strings.TrimSpace(v))
}

// ParseIwLink reads `iw dev IFACE link`: the SSID, and whether connected.
func ParseIwLink(out []byte) (ssid string, connected bool) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "Connected to ") {
			connected = true
		}
		if v, ok := strings.CutPrefix(line, "SSID:"); ok {
			ssid = unescapeIw(strings.TrimPrefix(v, " "))
		}
	}
	return ssid, connected
}

// splitTerse splits one line of nmcli's terse output: fields are separated
// by ":", and a ":" or "\" inside a value is escaped with a backslash.
func splitTerse(line string) []string {
	var fields []string
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && i+1 < len(line):
			i++
			b.WriteByte(line[i])
		case c == ':':
			fields = append(fields, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(fields, b.String())
}

// ParseNmcliWifi reads `nmcli -t -f IN-USE,BSSID,SSID,CHAN,FREQ,SIGNAL,SECURITY
// device wifi list`. FREQ may carry its unit ("2437 MHz").
func ParseNmcliWifi(out []byte) ([]Network, error) {
	var nets []Network
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := splitTerse(line)
		if len(f) != 7 {
			return nil, fmt.Errorf("nmcli wifi list line %d: %d fields, want 7: %q", n, len(f), truncate(line, 120))
		}
		net := Network{
			InUse: strings.TrimSpace(f[0]) == "*", BSSID: strings.ToLower(f[1]), SSID: f[2],
			QualityMax: 100, Security: strings.TrimSpace(f[6]),
		}
		net.Channel, _ = strconv.Atoi(strings.TrimSpace(f[3]))
		net.FreqMHz, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f[4]), "MHz")))
		net.Quality, _ = strconv.Atoi(strings.TrimSpace(f[5]))
		if net.Security == "" || net.Security == "--" {
			net.Security = "open"
		}
		if net.Channel == 0 {
			net.Channel = channelOf(net.FreqMHz)
		}
		nets = append(nets, net)
	}
	return nets, sc.Err()
}

var (
	iwBSS     = regexp.MustCompile(`^BSS ([0-9a-fA-F:]{17})`)
	iwSignal  = regexp.MustCompile(`^signal: (-?[0-9.]+) dBm`)
	iwFreq    = regexp.MustCompile(`^freq: ([0-9.]+)`)
	iwChannel = regexp.MustCompile(`^(?:DS Parameter set: channel|\* primary channel:) ([0-9]+)`)
)

// completeScanned fills what a scan block left out: a network with no
// WPA/RSN line is open, or WEP when it only said it was encrypted; the
// channel follows from the frequency when none was given.
func completeScanned(n Network, encrypted bool) Network {
	if n.Security == "" {
		n.Security = "open"
		if encrypted {
			n.Security = "WEP"
		}
	}
	if n.Channel == 0 {
		n.Channel = channelOf(n.FreqMHz)
	}
	return n
}

// ParseIwScan reads `iw dev IFACE scan`: one "BSS" block per access point.
func ParseIwScan(out []byte) []Network {
	var nets []Network
	var cur *Network
	var privacy bool
	finish := func() {
		if cur != nil {
			nets = append(nets, completeScanned(*cur, privacy))
			cur = nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if m := iwBSS.FindStringSubmatch(raw); m != nil {
			finish()
			cur = &Network{BSSID: strings.ToLower(m[1]), QualityMax: 70, InUse: strings.Contains(raw, "-- associated")}
			privacy = false
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case iwSignal.MatchString(line):
			f, _ := strconv.ParseFloat(iwSignal.FindStringSubmatch(line)[1], 64)
			cur.SignalDBm = int(f)
			cur.Quality = max(0, min(70, cur.SignalDBm+110))
		case iwFreq.MatchString(line):
			f, _ := strconv.ParseFloat(iwFreq.FindStringSubmatch(line)[1], 64)
			cur.FreqMHz = int(f)
		case strings.HasPrefix(line, "SSID:"):
			cur.SSID = unescapeIw(strings.TrimPrefix(strings.TrimPrefix(line, "SSID:"), " "))
		case iwChannel.MatchString(line):
			if cur.Channel == 0 {
				cur.Channel, _ = strconv.Atoi(iwChannel.FindStringSubmatch(line)[1])
			}
		case strings.HasPrefix(line, "capability:"):
			privacy = strings.Contains(line, "Privacy")
		case strings.HasPrefix(line, "RSN:"):
			cur.Security = "WPA2"
		case strings.HasPrefix(line, "WPA:"):
			if cur.Security == "" {
				cur.Security = "WPA"
			}
		}
	}
	finish()
	return nets
}

var (
	iwlistCell    = regexp.MustCompile(`^Cell [0-9]+ - Address: ([0-9A-Fa-f:]{17})`)
	iwlistQuality = regexp.MustCompile(`Quality[=:]([0-9]+)/([0-9]+)`)
	iwlistSignal  = regexp.MustCompile(`Signal level[=:](-?[0-9]+) dBm`)
	iwlistFreq    = regexp.MustCompile(`^Frequency:([0-9.]+) GHz`)
)

// ParseIwlistScan reads `iwlist IFACE scan`: one "Cell" block per access
// point. Unlike the original's parser, every cell starts afresh, so a cell
// missing a line never inherits the previous network's value.
func ParseIwlistScan(out []byte) []Network {
	var nets []Network
	var cur *Network
	var encrypted bool
	finish := func() {
		if cur != nil {
			nets = append(nets, completeScanned(*cur, encrypted))
			cur = nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := iwlistCell.FindStringSubmatch(line); m != nil {
			finish()
			cur = &Network{BSSID: strings.ToLower(m[1])}
			encrypted = false
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case strings.HasPrefix(line, "Channel:"):
			cur.Channel, _ = strconv.Atoi(strings.TrimPrefix(line, "Channel:"))
		case iwlistFreq.MatchString(line):
			f, _ := strconv.ParseFloat(iwlistFreq.FindStringSubmatch(line)[1], 64)
			cur.FreqMHz = int(f*1000 + 0.5)
		case strings.HasPrefix(line, "Quality"):
			if m := iwlistQuality.FindStringSubmatch(line); m != nil {
				cur.Quality, _ = strconv.Atoi(m[1])
				cur.QualityMax, _ = strconv.Atoi(m[2])
			}
			if m := iwlistSignal.FindStringSubmatch(line); m != nil {
				cur.SignalDBm, _ = strconv.Atoi(m[1])
			}
		case strings.HasPrefix(line, "ESSID:"):
			v := strings.TrimPrefix(line, "ESSID:")
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			cur.SSID = unescapeIw(v)
		case strings.HasPrefix(line, "Encryption key:"):
			encrypted = strings.TrimPrefix(line, "Encryption key:") == "on"
		case strings.HasPrefix(line, "IE: IEEE 802.11i/WPA2"):
			cur.Security = "WPA2"
		case strings.HasPrefix(line, "IE: WPA Version"):
			if cur.Security == "" {
				cur.Security = "WPA"
			}
		}
	}
	finish()
	return nets
}

// unescapeIw turns iw's and iwlist's \xNN escapes back into bytes; a hidden
// network made of NULs becomes "".
func unescapeIw(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	if strings.Trim(b.String(), "\x00") == "" {
		return ""
	}
	return b.String()
}

// channelOf maps a frequency to its Wi-Fi channel (2.4 and 5 GHz bands).
func channelOf(mhz int) int {
	switch {
	case mhz == 2484:
		return 14
	case mhz >= 2412 && mhz <= 2472:
		return (mhz-2412)/5 + 1
	case mhz >= 5000 && mhz <= 5900:
		return (mhz - 5000) / 5
	}
	return 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
