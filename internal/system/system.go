// Package system gathers the Pi's own facts: model, OS, bitness, uptime,
// hostname, disk space, time zone and clock source, network interfaces and
// Wi-Fi. Every command's output is parsed by a plain function that is tested
// on sample output, and every file is read below a root folder, so the whole
// package runs against a fake /proc and /sys as well as the real ones.
package system

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Runner runs a command and returns its standard output. Tests and the
// doctor can swap it; Exec is the real one.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// commandTimeout bounds every command: a wedged nmcli must not hang a page.
const commandTimeout = 15 * time.Second

// Exec runs name with args in the C locale (so the output parses the same on
// every box), with a timeout, and puts the command's stderr in the error.
func Exec(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.Join(strings.Fields(stderr.String()), " ")
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		if msg != "" {
			return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, msg)
		}
		return out, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out, nil
}

// Host reads the facts of one machine.
type Host struct {
	// Root is prefixed to /proc, /sys and /etc paths ("" or "/" for the live system).
	Root string
	Run  Runner
}

// Live is the machine this process runs on.
func Live() Host { return Host{Root: "/", Run: Exec} }

func (h Host) path(p string) string {
	if h.Root == "" {
		return p
	}
	return filepath.Join(h.Root, p)
}

func (h Host) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	if h.Run == nil {
		return Exec(ctx, name, args...)
	}
	return h.Run(ctx, name, args...)
}

// Facts is what the System page's information tables show about the Pi.
// Whether NTP sets the clock is not here: that is settime's rule (Host.NTP),
// shared with the time helper.
type Facts struct {
	Model    string // "Raspberry Pi Zero W Rev 1.1", or "Unknown"
	OS       string // PRETTY_NAME of os-release, or "Unknown"
	Bits     int    // 32 or 64: this program's word size
	Kernel   string // machine from uname, e.g. "aarch64", "armv6l"
	Hostname string // or "Unknown"
	Uptime   time.Duration
	UptimeOK bool    // Uptime could be read
	Disk     Disk    // of the photo store's file system (DiskNear)
	DiskOK   bool    // Disk could be read
	TimeZone string  // the zone abbreviation now, e.g. "AEST"
	Errs     []error // what could not be read, for the log
}

// Facts collects everything, with the disk space of the file system that
// holds photos (or would, once it exists); what cannot be read is left
// "Unknown" (or zero) and its error kept in Errs.
func (h Host) Facts(photos string) Facts {
	f := Facts{Model: "Unknown", OS: "Unknown", Hostname: "Unknown", Bits: strconv.IntSize, Kernel: machine()}
	keep := func(v string, err error, into *string) {
		if err != nil {
			f.Errs = append(f.Errs, err)
			return
		}
		*into = v
	}
	m, err := h.Model()
	keep(m, err, &f.Model)
	o, err := h.OSPrettyName()
	keep(o, err, &f.OS)
	n, err := h.Hostname()
	keep(n, err, &f.Hostname)
	if f.Uptime, err = h.Uptime(); err != nil {
		f.Errs = append(f.Errs, err)
	}
	f.UptimeOK = err == nil
	if f.Disk, err = DiskNear(photos); err != nil {
		f.Errs = append(f.Errs, err)
	}
	f.DiskOK = err == nil
	f.TimeZone, _ = time.Now().Zone()
	return f
}

// Hostname is the kernel's host name (/proc/sys/kernel/hostname, as
// os.Hostname reads it on Linux, but below Root).
func (h Host) Hostname() (string, error) {
	return h.readText("/proc/sys/kernel/hostname", "host name")
}

// Model is the board's name from the device tree, or, not on a Pi (no
// device tree), the CPU's model name.
func (h Host) Model() (string, error) {
	m, err := h.readText("/proc/device-tree/model", "board model")
	if err != nil && !errors.Is(err, errEmpty) {
		if m, err2 := h.cpuModel(); err2 == nil {
			return m, nil
		}
	}
	return m, err
}

// readText is a one-value file's text, without the white space and the
// trailing NUL (the firmware leaves one in the device tree); empty is an
// error. what names the value in errors.
func (h Host) readText(p, what string) (string, error) {
	data, err := os.ReadFile(h.path(p))
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	v := strings.TrimSpace(strings.TrimRight(string(data), "\x00"))
	if v == "" {
		return "", fmt.Errorf("%s: %w: %s", what, errEmpty, p)
	}
	return v, nil
}

// errEmpty is a one-value file that holds nothing.
var errEmpty = errors.New("empty")

func (h Host) cpuModel() (string, error) {
	data, err := os.ReadFile(h.path("/proc/cpuinfo"))
	if err != nil {
		return "", err
	}
	for _, key := range []string{"Model", "model name", "Hardware"} {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == key && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v), nil
			}
		}
	}
	return "", errors.New("no model in /proc/cpuinfo")
}

// OSPrettyName is PRETTY_NAME from /etc/os-release (or /usr/lib/os-release).
func (h Host) OSPrettyName() (string, error) {
	var lastErr error
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		data, err := os.ReadFile(h.path(p))
		if err != nil {
			lastErr = err
			continue
		}
		kv := ParseOSRelease(data)
		if v := kv["PRETTY_NAME"]; v != "" {
			return v, nil
		}
		if v := strings.TrimSpace(kv["NAME"] + " " + kv["VERSION"]); v != "" {
			return v, nil
		}
		lastErr = fmt.Errorf("%s has no PRETTY_NAME", p)
	}
	return "", fmt.Errorf("OS name: %w", lastErr)
}

// ParseOSRelease reads os-release's KEY=value lines, with the shell quoting
// the format allows; lines it cannot read are skipped, not fatal.
func ParseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			continue
		}
		out[k] = unquoteShell(v)
	}
	return out
}

func unquoteShell(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		q := v[0]
		v = v[1 : len(v)-1]
		if q == '"' {
			var b strings.Builder
			for i := 0; i < len(v); i++ {
				if v[i] == '\\' && i+1 < len(v) && strings.IndexByte("\"\\$`", v[i+1]) >= 0 {
					i++
				}
				b.WriteByte(v[i])
			}
			v = b.String()
		}
	}
	return v
}

// Uptime is the time since boot, from /proc/uptime.
func (h Host) Uptime() (time.Duration, error) {
	data, err := os.ReadFile(h.path("/proc/uptime"))
	if err != nil {
		return 0, fmt.Errorf("uptime: %w", err)
	}
	return ParseUptime(data)
}

// ParseUptime reads the first number of /proc/uptime (seconds since boot),
// rounded to whole seconds.
func ParseUptime(data []byte) (time.Duration, error) {
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, errors.New("uptime: empty /proc/uptime")
	}
	secs, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || secs < 0 {
		return 0, fmt.Errorf("uptime: %q is not a number of seconds", fields[0])
	}
	// Whole seconds, rounded as the original did (Python's round: halves
	// to even), so the page shows what it showed.
	return time.Duration(math.RoundToEven(secs)) * time.Second, nil
}

// FormatUptime writes d as the original showed it (Python's timedelta):
// "3:04:05", "1 day, 3:04:05", "2 days, 0:00:09".
func FormatUptime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	days, s := s/86400, s%86400
	hms := fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	switch days {
	case 0:
		return hms
	case 1:
		return "1 day, " + hms
	default:
		return fmt.Sprintf("%d days, %s", days, hms)
	}
}

// Disk is the space of one file system.
type Disk struct {
	Path        string
	Total, Free uint64 // bytes; Free is what an unprivileged user may use
}

// FreePercent is Free as a share of Total, 0–100.
func (d Disk) FreePercent() float64 {
	if d.Total == 0 {
		return 0
	}
	return float64(d.Free) * 100 / float64(d.Total)
}

// DiskUsage is the space of the file system that holds path.
func DiskUsage(path string) (Disk, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return Disk{Path: path}, fmt.Errorf("disk space of %s: %w", path, err)
	}
	bs := uint64(st.Bsize)
	return Disk{Path: path, Total: uint64(st.Blocks) * bs, Free: uint64(st.Bavail) * bs}, nil
}

// DiskNear is the space of the file system that holds dir or, when dir
// does not exist yet, its nearest existing ancestor (a photo store not yet
// created still answers). Disk.Path is dir as asked.
func DiskNear(dir string) (Disk, error) {
	asked := dir
	for {
		d, err := DiskUsage(dir)
		if err == nil {
			d.Path = asked
			return d, nil
		}
		parent := filepath.Dir(dir)
		if !errors.Is(err, syscall.ENOENT) || parent == dir {
			return Disk{Path: asked}, fmt.Errorf("free space of %s: %w", asked, errors.Unwrap(err))
		}
		dir = parent
	}
}

// FreeBytes is DiskNear's Free: the space an unprivileged user may use for
// dir. The pages' free space and the copy's space check come from here.
func FreeBytes(dir string) (uint64, error) {
	d, err := DiskNear(dir)
	return d.Free, err
}

// Sizes are written two ways, each kept as it is shown today:
//   - FormatGB: the pages' free space, as the original printed it;
//   - FormatBytes: intvlm8r-doctor's disk check (new in this port).

// FormatGB writes bytes as the original's pages did: GiB rounded to 2
// decimals and printed as Python prints a float ("12.3 GB", "12.0 GB").
func FormatGB(bytes uint64) string {
	gib := float64(bytes) / (1 << 30)
	// Both Python's round(x, 2) and FormatFloat round the exact binary value
	// correctly; re-parsing gives the float Python holds. Its str() is then
	// the shortest text that reads back the same, with a ".0" when whole
	// (no exponent form: a uint64 of bytes stays far below 1e16 GiB, and a
	// rounded non-zero value is at least 0.01).
	r, _ := strconv.ParseFloat(strconv.FormatFloat(gib, 'f', 2, 64), 64)
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s + " GB"
}

// FormatBytes writes n with a binary unit and one decimal, as "1.5 GB".
func FormatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTP"[exp])
}

func machine() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return ""
	}
	b := make([]byte, 0, len(u.Machine))
	for _, c := range u.Machine {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// Temperature is the SoC's temperature in whole °C, from the kernel's first
// thermal zone; ok is false when there is none.
func (h Host) Temperature() (int, bool) {
	data, err := os.ReadFile(h.path("/sys/class/thermal/thermal_zone0/temp"))
	if err != nil {
		return 0, false
	}
	milli, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, false
	}
	return int(math.RoundToEven(float64(milli) / 1000)), true
}
