// Package doctor is the health check that replaces the original's
// `setup.sh test`: services and timers up, Redis reachable, a worker alive,
// the Arduino answering, the camera detected, disk space, the clock source
// and Wi-Fi power saving. Each check gives PASS or FAIL with what to do
// (SKIP when it does not apply). The System page shows the same list.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
)

// Status is one check's verdict.
type Status string

const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP" // does not apply here (no Wi-Fi, camera USB off, no driver)
)

// Check is one line of the report.
type Check struct {
	Group  string // units, redis, worker, arduino, camera, disk, clock, wifi
	Name   string // what was checked, e.g. "intvlm8r-web.service"
	Status Status
	Detail string // what was found
	Fix    string // what to do about a FAIL
}

// Groups are the check groups, in the order they run.
var Groups = []string{"units", "redis", "worker", "arduino", "camera", "disk", "clock", "wifi"}

// Deps is what the checks look at. Nil funcs take the live system's answer,
// except Arduino and Camera, which the hardware packages provide.
type Deps struct {
	// Units are the systemd units to check: long-running services must be
	// running, timers active, oneshots not failed; every one enabled.
	Units     []string
	UnitState func(ctx context.Context, name string) (system.Unit, error)

	RedisAddr string
	// Workers reports whether a worker is registered with Redis.
	Workers func(ctx context.Context) (bool, error)

	// ArduinoLink is the --arduino setting ("sim", "i2c:/dev/i2c-1@0x04", …).
	ArduinoLink string
	// Arduino asks the Arduino for its firmware version.
	Arduino func(ctx context.Context) (string, error)
	// CameraOff is true when [Global] enablecamerausb is off.
	CameraOff bool
	// Camera connects to the camera and returns its model.
	Camera func(ctx context.Context) (string, error)

	Home    string // the disk check's file system
	MinFree uint64 // bytes; below this (or below 5 %) is a FAIL

	Clock func(ctx context.Context) system.Clock
	// WiFi lists the Wi-Fi interfaces; PowerSave reads one's power saving.
	WiFi      func(ctx context.Context) ([]string, error)
	PowerSave func(ctx context.Context, iface string) (bool, error)

	// Only limits the run to these groups (empty: all).
	Only []string
	// Timeout bounds each check (default 10 s).
	Timeout time.Duration
}

// DefaultMinFree is the free space below which the disk check fails: about
// a day of RAW photos from a busy time-lapse.
const DefaultMinFree = 1 << 30

// Run runs the checks in order and returns every line.
func Run(ctx context.Context, d Deps) []Check {
	if d.Timeout <= 0 {
		d.Timeout = 10 * time.Second
	}
	host := system.Live()
	if d.UnitState == nil {
		d.UnitState = host.UnitState
	}
	if d.Clock == nil {
		d.Clock = host.Clock
	}
	if d.WiFi == nil {
		d.WiFi = func(context.Context) ([]string, error) { return host.WirelessInterfaces() }
	}
	if d.PowerSave == nil {
		d.PowerSave = host.PowerSave
	}
	if d.Workers == nil {
		d.Workers = func(ctx context.Context) (bool, error) {
			c := tasks.NewClient(d.RedisAddr)
			defer c.Close()
			return c.WorkersAlive()
		}
	}
	if d.MinFree == 0 {
		d.MinFree = DefaultMinFree
	}
	var out []Check
	var redisOK = true
	for _, g := range Groups {
		if len(d.Only) > 0 && !slices.Contains(d.Only, g) {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, d.Timeout)
		switch g {
		case "units":
			for _, u := range d.Units {
				c := checkUnit(cctx, d, u)
				if strings.Contains(c.Detail, "booted with systemd") || strings.Contains(c.Detail, "Failed to connect to bus") {
					// One line says it: there is no systemd to ask here.
					c.Name, c.Detail = "systemd units", "systemd is not running here, so no unit can be checked"
					out = append(out, c)
					break
				}
				out = append(out, c)
			}
		case "redis":
			c := checkRedis(cctx, d.RedisAddr)
			redisOK = c.Status == Pass
			out = append(out, c)
		case "worker":
			out = append(out, checkWorker(cctx, d, redisOK))
		case "arduino":
			out = append(out, checkArduino(cctx, d))
		case "camera":
			out = append(out, checkCamera(cctx, d))
		case "disk":
			out = append(out, checkDisk(d))
		case "clock":
			out = append(out, checkClock(cctx, d))
		case "wifi":
			out = append(out, checkWiFi(cctx, d)...)
		}
		cancel()
	}
	return out
}

// Failed counts the FAIL lines.
func Failed(checks []Check) int {
	n := 0
	for _, c := range checks {
		if c.Status == Fail {
			n++
		}
	}
	return n
}

// Write prints the report: one line per check, and under a FAIL what to do.
func Write(w io.Writer, checks []Check) error {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	for _, c := range checks {
		if _, err := fmt.Fprintf(w, "%s  %-*s  %s\n", c.Status, width, c.Name, c.Detail); err != nil {
			return err
		}
		if c.Status == Fail && c.Fix != "" {
			fmt.Fprintf(w, "      %-*s  fix: %s\n", width, "", c.Fix)
		}
	}
	n := Failed(checks)
	if n == 0 {
		_, err := fmt.Fprintf(w, "All %d checks passed or do not apply.\n", len(checks))
		return err
	}
	_, err := fmt.Fprintf(w, "%d of %d checks FAILED.\n", n, len(checks))
	return err
}

// EvalUnit judges one unit's state.
func EvalUnit(u system.Unit) Check {
	c := Check{Group: "units", Name: u.Name}
	restart := fmt.Sprintf("journalctl -u %s -b  to see why, then  sudo systemctl restart %s", u.Name, u.Name)
	switch {
	case u.LoadState == "masked" || u.UnitFileState == "masked":
		c.Status, c.Detail, c.Fix = Fail, "masked", "sudo systemctl unmask "+u.Name+" && sudo systemctl enable --now "+u.Name
		return c
	case u.LoadState != "loaded":
		c.Status, c.Detail, c.Fix = Fail, "not installed ("+orUnknown(u.LoadState)+")", "run the install script again: sudo ./install.sh"
		return c
	case u.UnitFileState == "disabled":
		c.Status, c.Detail, c.Fix = Fail, "installed but disabled: it will not start at boot", "sudo systemctl enable --now "+u.Name
		return c
	}
	switch {
	case strings.HasSuffix(u.Name, ".timer"):
		if u.ActiveState == "active" {
			c.Status, c.Detail = Pass, "active ("+u.SubState+")"
		} else {
			c.Status, c.Detail, c.Fix = Fail, u.ActiveState+" ("+u.SubState+")", "sudo systemctl enable --now "+u.Name
		}
	case u.Type == "oneshot":
		switch {
		case u.ActiveState == "failed":
			c.Status, c.Detail, c.Fix = Fail, "its last run failed ("+orUnknown(u.Result)+")", restart
		case u.ActiveState == "active" || u.SubState == "exited":
			c.Status, c.Detail = Pass, "ran OK"
		case u.ActiveState == "activating":
			c.Status, c.Detail = Pass, "running now"
		default:
			c.Status, c.Detail = Pass, "enabled, not run since boot"
		}
	default:
		if u.ActiveState == "active" && (u.SubState == "running" || u.SubState == "exited") {
			c.Status, c.Detail = Pass, "running"
		} else {
			c.Status, c.Detail, c.Fix = Fail, u.ActiveState+" ("+u.SubState+")", restart
		}
	}
	return c
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func checkUnit(ctx context.Context, d Deps, name string) Check {
	u, err := d.UnitState(ctx, name)
	if err != nil {
		return Check{Group: "units", Name: name, Status: Fail, Detail: "could not ask systemd: " + err.Error(),
			Fix: "doctor needs systemd: run it on the Pi, where the services run"}
	}
	return EvalUnit(u)
}

func checkRedis(ctx context.Context, addr string) Check {
	c := Check{Group: "redis", Name: "Redis"}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, MaxRetries: -1})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		c.Status, c.Detail = Fail, fmt.Sprintf("not reachable at %s: %v", addr, err)
		c.Fix = "sudo systemctl restart redis-server; journalctl -u redis-server -b"
		return c
	}
	c.Status, c.Detail = Pass, "reachable at "+addr
	return c
}

func checkWorker(ctx context.Context, d Deps, redisOK bool) Check {
	c := Check{Group: "worker", Name: "Worker"}
	if !redisOK {
		c.Status, c.Detail, c.Fix = Fail, "cannot tell: Redis is not answering", "fix Redis first; the worker needs it"
		return c
	}
	type result struct {
		ok  bool
		err error
	}
	ch := make(chan result, 1)
	go func() { ok, err := d.Workers(ctx); ch <- result{ok, err} }()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	switch {
	case r.err != nil:
		c.Status, c.Detail, c.Fix = Fail, "could not ask Redis: "+r.err.Error(), "sudo systemctl restart redis-server intvlm8r-worker"
	case !r.ok:
		c.Status, c.Detail = Fail, "no background worker is running: copies, uploads and heartbeats cannot run"
		c.Fix = "sudo systemctl restart intvlm8r-worker; journalctl -u intvlm8r-worker -b"
	default:
		c.Status, c.Detail = Pass, "a worker is alive"
	}
	return c
}

func checkArduino(ctx context.Context, d Deps) Check {
	c := Check{Group: "arduino", Name: "Arduino"}
	link := d.ArduinoLink
	if link == "sim" {
		c.Name = "Arduino (simulator)"
	}
	if dev, ok := busDevice(link); ok {
		if _, err := os.Stat(dev); err != nil {
			c.Status, c.Detail = Fail, "no bus device "+dev
			if strings.HasPrefix(link, "i2c:") {
				c.Fix = "enable I2C (the install script adds dtparam=i2c_arm=on,i2c_arm_baudrate=40000 to config.txt) and reboot"
			} else {
				c.Fix = "plug the Arduino's USB serial cable in, or fix --arduino / INTVLM8R_ARDUINO in /etc/default/intvlm8r"
			}
			return c
		}
	}
	if d.Arduino == nil {
		c.Status, c.Detail = Skip, "version not read: this build has no Arduino driver"
		return c
	}
	v, err := d.Arduino(ctx)
	if err != nil {
		c.Status, c.Detail = Fail, "no answer on "+orUnknown(link)+": "+err.Error()
		c.Fix = "check the wiring (SDA, SCL, GND) and that the Arduino is powered; `i2cdetect -y 1` should show 04"
		return c
	}
	c.Status, c.Detail = Pass, "answers, firmware "+v
	return c
}

// busDevice is the device node an --arduino link names.
func busDevice(link string) (string, bool) {
	switch {
	case strings.HasPrefix(link, "i2c:"):
		dev, _, _ := strings.Cut(strings.TrimPrefix(link, "i2c:"), "@")
		return dev, dev != ""
	case strings.HasPrefix(link, "serial:"):
		dev := strings.TrimPrefix(link, "serial:")
		return dev, dev != ""
	}
	return "", false
}

func checkCamera(ctx context.Context, d Deps) Check {
	c := Check{Group: "camera", Name: "Camera"}
	switch {
	case d.CameraOff:
		c.Status, c.Detail = Skip, "camera USB is switched off (Camera page)"
		return c
	case d.Camera == nil:
		c.Status, c.Detail = Skip, "not checked: this build has no camera driver"
		return c
	}
	model, err := d.Camera(ctx)
	if err != nil {
		c.Status, c.Detail = Fail, err.Error()
		c.Fix = "plug the camera into the Pi's data USB port and switch it on (a sleeping camera drops off USB); `lsusb` should list it"
		return c
	}
	c.Status, c.Detail = Pass, "detected: "+model
	return c
}

func checkDisk(d Deps) Check {
	c := Check{Group: "disk", Name: "Disk space"}
	home := d.Home
	if home == "" {
		home = "/"
	}
	u, err := system.DiskUsage(home)
	if err != nil {
		c.Status, c.Detail, c.Fix = Fail, err.Error(), "check that the home folder exists: "+home
		return c
	}
	c.Detail = fmt.Sprintf("%s free of %s (%.0f%%) on %s", system.FormatBytes(u.Free), system.FormatBytes(u.Total), u.FreePercent(), home)
	if u.Free < d.MinFree || u.FreePercent() < 5 {
		c.Status = Fail
		c.Fix = "upload and delete old photos (Transfer page), or use a larger SD card"
		return c
	}
	c.Status = Pass
	return c
}

func checkClock(ctx context.Context, d Deps) Check {
	c := Check{Group: "clock", Name: "Clock source"}
	clk := d.Clock(ctx)
	switch {
	case clk.Err != nil:
		c.Status, c.Detail, c.Fix = Fail, clk.Err.Error(), "timedatectl must work (systemd-timedated); run doctor on the Pi"
	case clk.NTP && clk.NTPSynchronized:
		c.Status, c.Detail = Pass, "NTP, synchronised"
	case clk.NTP:
		c.Status, c.Detail = Fail, "NTP is on but the clock is not synchronised"
		c.Fix = "give the Pi internet access, or, if it has none in the field, make the Arduino the clock master: sudo timedatectl set-ntp false"
	default:
		c.Status, c.Detail = Pass, "Arduino (network time is off; settime copies the Arduino's clock to the Pi)"
	}
	if clk.TimeZone != "" && c.Status == Pass {
		c.Detail += ", zone " + clk.TimeZone
	}
	return c
}

func checkWiFi(ctx context.Context, d Deps) []Check {
	ifs, err := d.WiFi(ctx)
	if err != nil {
		return []Check{{Group: "wifi", Name: "Wi-Fi power saving", Status: Fail, Detail: err.Error()}}
	}
	if len(ifs) == 0 {
		return []Check{{Group: "wifi", Name: "Wi-Fi power saving", Status: Skip, Detail: "no Wi-Fi interface"}}
	}
	var out []Check
	for _, iface := range ifs {
		c := Check{Group: "wifi", Name: "Wi-Fi power saving " + iface}
		on, err := d.PowerSave(ctx, iface)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			c.Status, c.Detail = Fail, "iw did not answer in time"
		case err != nil:
			c.Status, c.Detail, c.Fix = Fail, err.Error(), "install iw (sudo apt install iw)"
		case on:
			c.Status, c.Detail = Fail, "on: the link drops while the Pi idles"
			c.Fix = "sudo nmcli connection modify \"$(nmcli -g GENERAL.CONNECTION device show " + iface + ")\" 802-11-wireless.powersave 2 (the install script does this), or sudo iw dev " + iface + " set power_save off"
		default:
			c.Status, c.Detail = Pass, "off"
		}
		out = append(out, c)
	}
	return out
}
