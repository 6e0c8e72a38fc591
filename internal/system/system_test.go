package system

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseIwScan(t *testing.T) {
	got := ParseIwScan(sample(t, "iw-scan.txt"))
	want := []Network{
		{SSID: "FieldSite", BSSID: "70:f0:96:d2:e0:62", Channel: 1, FreqMHz: 2412, SignalDBm: -64, Quality: 46, QualityMax: 70, Security: "WPA2", InUse: true},
		{SSID: "Cafe ☕ Guest", BSSID: "2c:3a:fd:10:22:9b", Channel: 6, FreqMHz: 2437, SignalDBm: -81, Quality: 29, QualityMax: 70, Security: "open"},
		{SSID: "", BSSID: "a4:91:b1:00:00:01", Channel: 36, FreqMHz: 5180, SignalDBm: -55, Quality: 55, QualityMax: 70, Security: "WPA"},
		{SSID: "<script>alert(1)</script>", BSSID: "de:ad:be:ef:00:02", Channel: 11, FreqMHz: 2462, SignalDBm: -70, Quality: 40, QualityMax: 70, Security: "WEP"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseIwlistScan(t *testing.T) {
	got := ParseIwlistScan(sample(t, "iwlist-scan.txt"))
	want := []Network{
		{SSID: "FieldSite", BSSID: "70:f0:96:d2:e0:62", Channel: 1, FreqMHz: 2412, SignalDBm: -64, Quality: 46, QualityMax: 70, Security: "WPA2"},
		// No Channel: line: taken from the frequency.
		{SSID: "Cafe Guest", BSSID: "2c:3a:fd:10:22:9b", Channel: 6, FreqMHz: 2437, SignalDBm: -81, Quality: 29, QualityMax: 70, Security: "open"},
		{SSID: "", BSSID: "a4:91:b1:00:00:01", Channel: 36, FreqMHz: 5180, SignalDBm: -55, Quality: 55, QualityMax: 70, Security: "WPA"},
		// No frequency and no WPA IE: nothing inherited from the cell before.
		{SSID: "OldRouter", BSSID: "de:ad:be:ef:00:02", Channel: 11, SignalDBm: -70, Quality: 40, QualityMax: 70, Security: "WEP"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
	if n := ParseIwlistScan([]byte("wlan0     No scan results\n")); len(n) != 0 {
		t.Fatalf("no results: got %v", n)
	}
}

func TestParseNmcliWifi(t *testing.T) {
	got, err := ParseNmcliWifi(sample(t, "nmcli-wifi.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Network{
		{SSID: "FieldSite", BSSID: "70:f0:96:d2:e0:62", Channel: 1, FreqMHz: 2412, Quality: 77, QualityMax: 100, Security: "WPA2", InUse: true},
		{SSID: "Cafe Guest", BSSID: "2c:3a:fd:10:22:9b", Channel: 6, FreqMHz: 2437, Quality: 32, QualityMax: 100, Security: "open"},
		{SSID: "", BSSID: "a4:91:b1:00:00:01", Channel: 36, FreqMHz: 5180, Quality: 90, QualityMax: 100, Security: "WPA1"},
		{SSID: `my:colon\net`, BSSID: "de:ad:be:ef:00:02", Channel: 11, FreqMHz: 2462, Quality: 60, QualityMax: 100, Security: "WPA1 WPA2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
	if _, err := ParseNmcliWifi([]byte("Error: NetworkManager is not running.\n")); err == nil {
		t.Fatal("an nmcli error message parsed as networks")
	}
}

func TestQualityPercent(t *testing.T) {
	for _, c := range []struct{ q, max, want int }{{70, 70, 100}, {35, 70, 50}, {0, 70, 0}, {77, 100, 77}, {5, 0, 0}, {90, 70, 100}} {
		if got := (Network{Quality: c.q, QualityMax: c.max}).QualityPercent(); got != c.want {
			t.Errorf("%d/%d: got %d want %d", c.q, c.max, got, c.want)
		}
	}
}

func TestParseIwLinkAndPowerSave(t *testing.T) {
	if ssid, ok := ParseIwLink(sample(t, "iw-link.txt")); ssid != "FieldSite" || !ok {
		t.Fatalf("link: %q %v", ssid, ok)
	}
	if ssid, ok := ParseIwLink(sample(t, "iw-link-down.txt")); ssid != "" || ok {
		t.Fatalf("not connected: %q %v", ssid, ok)
	}
	for in, want := range map[string]bool{"Power save: on\n": true, "Power save: off\n": false} {
		got, err := ParsePowerSave([]byte(in))
		if err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "command failed: No such device (-19)\n", "Power save: maybe\n"} {
		if _, err := ParsePowerSave([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseTimedatectl(t *testing.T) {
	c, err := ParseTimedatectl(sample(t, "timedatectl-ntp.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Australia/Sydney" || !c.NTP || !c.NTPSynchronized || !c.CanNTP || c.Source() != "NTP" {
		t.Fatalf("ntp: %+v", c)
	}
	c, err = ParseTimedatectl(sample(t, "timedatectl-nontp.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Etc/UTC" || c.NTP || c.NTPSynchronized || c.Source() != "Arduino" {
		t.Fatalf("no ntp: %+v", c)
	}
	if _, err := ParseTimedatectl([]byte("Failed to connect to bus: No such file or directory\n")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestParseUnit(t *testing.T) {
	u, err := ParseUnit("heartbeat.timer", sample(t, "systemctl-show-timer.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if u != (Unit{Name: "heartbeat.timer", LoadState: "loaded", ActiveState: "active", SubState: "waiting", UnitFileState: "enabled", Result: "success"}) {
		t.Fatalf("%+v", u)
	}
	u, err = ParseUnit("settime.service", sample(t, "systemctl-show-failed.txt"))
	if err != nil || u.ActiveState != "failed" || u.Type != "oneshot" || u.Result != "exit-code" {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := ParseUnit("x.service", []byte("System has not been booted with systemd\n")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestParseOSRelease(t *testing.T) {
	kv := ParseOSRelease(sample(t, "os-release-rpios.txt"))
	if kv["PRETTY_NAME"] != "Raspbian GNU/Linux 12 (bookworm)" || kv["VERSION_CODENAME"] != "bookworm" || kv["ID"] != "raspbian" {
		t.Fatalf("%v", kv)
	}
	// The original gave up on a line without "="; here it is skipped.
	kv = ParseOSRelease([]byte("garbage line\nNAME='Quoted OS'\nPRETTY_NAME=\"A \\\"B\\\" C\"\n"))
	if kv["PRETTY_NAME"] != `A "B" C` || kv["NAME"] != "Quoted OS" {
		t.Fatalf("%v", kv)
	}
}

func TestUptime(t *testing.T) {
	d, err := ParseUptime([]byte("183845.49 334567.12\n"))
	if err != nil || d != 183845*time.Second {
		t.Fatalf("%v %v", d, err)
	}
	// Rounded as Python's round() rounds: halves to even.
	for in, want := range map[string]time.Duration{"59.9 1": 60 * time.Second, "58.5 1": 58 * time.Second, "59.5 1": 60 * time.Second, "0.4 0": 0} {
		if d, err := ParseUptime([]byte(in)); err != nil || d != want {
			t.Errorf("%q: %v %v, want %v", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "abc 1", "-5 1"} {
		if _, err := ParseUptime([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for d, want := range map[time.Duration]string{
		0: "0:00:00", 3*time.Hour + 4*time.Minute + 5*time.Second: "3:04:05",
		26 * time.Hour: "1 day, 2:00:00", 183845 * time.Second: "2 days, 3:04:05",
	} {
		if got := FormatUptime(d); got != want {
			t.Errorf("%v: got %q want %q", d, got, want)
		}
	}
}

// A fake root: device-tree model with the firmware's NUL, os-release, uptime.
func fakeRoot(t *testing.T) string {
	root := t.TempDir()
	files := map[string]string{
		"proc/device-tree/model":   "Raspberry Pi Zero W Rev 1.1\x00",
		"etc/os-release":           string(sample(t, "os-release-rpios.txt")),
		"proc/uptime":              "93784.20 90000.00\n",
		"proc/sys/kernel/hostname": "timelapse-ridge\n",
	}
	testutil.WriteTree(t, root, files)
	return root
}

func TestFactsFromFakeRoot(t *testing.T) {
	root := fakeRoot(t)
	h := Host{Root: root, Run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
		return nil, errors.New("Facts runs no command: " + name)
	}}
	// The photo store does not exist yet: its nearest ancestor answers.
	f := h.Facts(filepath.Join(root, "home", "pi", "photos"))
	if f.Model != "Raspberry Pi Zero W Rev 1.1" || f.OS != "Raspbian GNU/Linux 12 (bookworm)" || f.Hostname != "timelapse-ridge" {
		t.Fatalf("model/OS/host: %q %q %q", f.Model, f.OS, f.Hostname)
	}
	if !f.UptimeOK || FormatUptime(f.Uptime) != "1 day, 2:03:04" {
		t.Fatalf("uptime %v", f.Uptime)
	}
	if !f.DiskOK || f.Disk.Total == 0 || f.Disk.Free > f.Disk.Total || len(f.Errs) != 0 {
		t.Fatalf("%+v", f)
	}
	if f.Bits != 32 && f.Bits != 64 {
		t.Fatalf("bits %d", f.Bits)
	}
	// Nothing readable: Unknown, with the reasons kept.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := Host{Root: t.TempDir(), Run: h.Run}
	f = empty.Facts(filepath.Join(file, "below"))
	if f.Model != "Unknown" || f.OS != "Unknown" || f.Hostname != "Unknown" || f.UptimeOK || f.DiskOK || len(f.Errs) != 5 {
		t.Fatalf("%+v", f)
	}
}

// Not a Pi: the CPU's model name stands in for the board's; a device tree
// whose model is empty is an error, not a fallback.
func TestModelFallback(t *testing.T) {
	root := t.TempDir()
	write := func(p, c string) { testutil.WriteTree(t, root, map[string]string{p: c}) }
	write("proc/cpuinfo", "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU\n")
	h := Host{Root: root}
	if m, err := h.Model(); err != nil || m != "Intel(R) Xeon(R) CPU" {
		t.Fatalf("cpuinfo fallback: %q %v", m, err)
	}
	write("proc/device-tree/model", "\x00")
	if m, err := h.Model(); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty model: %q %v", m, err)
	}
}

func TestReadLink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wlan0")
	files := map[string]string{
		"operstate": "up\n", "carrier": "1\n", "mtu": "1500\n", "address": "b8:27:eb:12:34:56\n",
		"statistics/rx_bytes": "123456789\n", "statistics/tx_bytes": "98765\n",
		"statistics/rx_packets": "1000\n", "statistics/tx_packets": "900\n",
		"statistics/rx_errors": "2\n", "statistics/tx_errors": "0\n",
		"statistics/rx_dropped": "7\n", "statistics/tx_dropped": "1\n",
		"speed": "-1\n", // what Wi-Fi drivers give
	}
	for p, c := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "wireless"), 0o755)
	l, err := ReadLink(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Link{OperState: "up", Carrier: true, MTU: 1500, SpeedMbps: -1, MAC: "b8:27:eb:12:34:56", Wireless: true,
		Stats: Counters{RxBytes: 123456789, TxBytes: 98765, RxPackets: 1000, TxPackets: 900, RxErrors: 2, RxDropped: 7, TxDropped: 1}}
	if l != want {
		t.Fatalf("got %+v\nwant %+v", l, want)
	}
	os.WriteFile(filepath.Join(dir, "speed"), []byte("100\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "duplex"), []byte("full\n"), 0o644)
	if l, _ = ReadLink(dir); l.SpeedMbps != 100 || l.Duplex != "full" {
		t.Fatalf("%+v", l)
	}
	if _, err := ReadLink(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("missing interface gave no error")
	}
}

func TestMakeAddr(t *testing.T) {
	_, n, _ := net.ParseCIDR("192.168.1.0/24")
	n.IP = net.ParseIP("192.168.1.42")
	a := MakeAddr(n, false)
	if a != (Addr{Family: "IPv4", Address: "192.168.1.42", Prefix: 24, Netmask: "255.255.255.0", Broadcast: "192.168.1.255"}) {
		t.Fatalf("%+v", a)
	}
	if a := MakeAddr(n, true); a.Broadcast != "" {
		t.Fatalf("point to point got a broadcast: %+v", a)
	}
	_, n6, _ := net.ParseCIDR("fe80::1/64")
	if a := MakeAddr(n6, false); a.Family != "IPv6" || a.Prefix != 64 || a.Address != "fe80::" {
		t.Fatalf("%+v", a)
	}
}

// The live machine: the loopback is left out, and every interface has a name
// and its sysfs state.
func TestInterfacesLive(t *testing.T) {
	h := Host{Root: "/", Run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
		return nil, errors.New("no wifi tools in this test")
	}}
	ifs, _ := h.Interfaces(context.Background())
	for _, it := range ifs {
		if it.Name == "lo" {
			t.Fatal("loopback listed")
		}
		if it.Name == "" || it.OperState == "" {
			t.Fatalf("%+v", it)
		}
	}
}

func TestWiFiScanFallsBack(t *testing.T) {
	var calls []string
	h := Host{Run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
		calls = append(calls, name+" "+strings.Join(args, " "))
		switch {
		case name == "nmcli":
			return []byte("Error: NetworkManager is not running.\n"), errors.New("exit status 8")
		case strings.HasSuffix(name, "iw") && args[2] == "scan":
			return sample(t, "iw-scan.txt"), nil
		}
		return nil, errors.New("unexpected " + name)
	}}
	s, err := h.WiFiScan(context.Background(), "wlan0")
	if err != nil {
		t.Fatal(err)
	}
	if s.Tool != "iw" || len(s.Networks) != 4 || len(calls) != 2 || strings.Contains(strings.Join(calls, ";"), "sudo") {
		t.Fatalf("%+v %v", s, calls)
	}
	if _, err := h.WiFiScan(context.Background(), "wlan0; reboot"); err == nil {
		t.Fatal("bad interface name accepted")
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[uint64]string{512: "512 B", 1536: "1.5 KB", 3 << 30: "3.0 GB", 5 << 40: "5.0 TB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("%d: %q want %q", n, got, want)
		}
	}
}

// FormatGB prints what the original's pages printed, Python's
// str(round(bytes / 2**30, 2)) + " GB", checked against python3 itself.
func TestFormatGBMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("no python3 (scripts/test-deps.sh installs it)")
	}
	vals := []uint64{0, 1, 1 << 30, 12*(1<<30) + 322122547, 5368709120, 123456789012, 10737418, 16106127360, 2684354560, 1 << 40, 999999999999, 5367, 1<<64 - 1}
	var script strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&script, "print(str(round(%d / 2**30, 2)) + ' GB')\n", v)
	}
	out, err := exec.Command(py, "-c", script.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, v := range vals {
		if got := FormatGB(v); got != lines[i] {
			t.Errorf("FormatGB(%d) = %q, Python %q", v, got, lines[i])
		}
	}
}

func TestWirelessInterfaces(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"sys/class/net/eth0", "sys/class/net/wlan0/wireless", "sys/class/net/wlan1/phy80211", "sys/class/net/lo"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	got, err := Host{Root: root}.WirelessInterfaces()
	if err != nil || strings.Join(got, ",") != "wlan0,wlan1" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := (Host{Root: t.TempDir()}).WirelessInterfaces(); err == nil {
		t.Fatal("no sysfs gave no error")
	}
}

// FreeBytes is DiskUsage's Free for a folder that exists, and its nearest
// existing ancestor's for one that does not yet (the photo store before the
// first copy); DiskUsage itself refuses a missing path (doctor reports it).
func TestFreeBytes(t *testing.T) {
	dir := t.TempDir()
	d, err := DiskUsage(dir)
	if err != nil || d.Total == 0 || d.Free > d.Total {
		t.Fatalf("DiskUsage(%s) = %+v, %v", dir, d, err)
	}
	missing := filepath.Join(dir, "photos", "DCIM")
	if _, err := DiskUsage(missing); err == nil {
		t.Fatal("DiskUsage of a missing folder gave no error")
	}
	for _, p := range []string{dir, missing} {
		free, err := FreeBytes(p)
		if err != nil {
			t.Fatalf("FreeBytes(%s): %v", p, err)
		}
		// The same file system, measured a moment apart: within 64 MiB.
		if diff := int64(free) - int64(d.Free); diff > 64<<20 || diff < -(64<<20) {
			t.Errorf("FreeBytes(%s) = %d, DiskUsage's Free %d", p, free, d.Free)
		}
	}
	f := filepath.Join(dir, "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FreeBytes(filepath.Join(f, "below")); err == nil {
		t.Error("a path below a file gave no error")
	}
}
