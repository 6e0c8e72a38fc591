package doctor

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func TestEvalUnit(t *testing.T) {
	cases := []struct {
		u      system.Unit
		status Status
		detail string
	}{
		{system.Unit{Name: "intvlm8r-web.service", LoadState: "loaded", ActiveState: "active", SubState: "running", UnitFileState: "enabled", Type: "simple"}, Pass, "running"},
		{system.Unit{Name: "intvlm8r-web.service", LoadState: "loaded", ActiveState: "failed", SubState: "failed", UnitFileState: "enabled", Type: "simple"}, Fail, "failed (failed)"},
		{system.Unit{Name: "intvlm8r-worker.service", LoadState: "loaded", ActiveState: "inactive", SubState: "dead", UnitFileState: "disabled", Type: "simple"}, Fail, "disabled"},
		{system.Unit{Name: "heartbeat.timer", LoadState: "loaded", ActiveState: "active", SubState: "waiting", UnitFileState: "enabled"}, Pass, "active (waiting)"},
		{system.Unit{Name: "heartbeat.timer", LoadState: "loaded", ActiveState: "inactive", SubState: "dead", UnitFileState: "enabled"}, Fail, "inactive"},
		{system.Unit{Name: "heartbeat.service", LoadState: "loaded", ActiveState: "inactive", SubState: "dead", UnitFileState: "static", Type: "oneshot", Result: "success"}, Pass, "not run since boot"},
		{system.Unit{Name: "settime.service", LoadState: "loaded", ActiveState: "failed", SubState: "failed", UnitFileState: "enabled", Type: "oneshot", Result: "exit-code"}, Fail, "exit-code"},
		{system.Unit{Name: "heartbeat-boot.service", LoadState: "loaded", ActiveState: "active", SubState: "exited", UnitFileState: "enabled", Type: "oneshot"}, Pass, "ran OK"},
		{system.Unit{Name: "nginx.service", LoadState: "not-found", ActiveState: "inactive", SubState: "dead"}, Fail, "not installed"},
		{system.Unit{Name: "redis-server.service", LoadState: "masked", ActiveState: "inactive", UnitFileState: "masked"}, Fail, "masked"},
	}
	for _, c := range cases {
		got := EvalUnit(c.u)
		if got.Status != c.status || !strings.Contains(got.Detail, c.detail) {
			t.Errorf("%+v: got %s %q, want %s ~%q", c.u, got.Status, got.Detail, c.status, c.detail)
		}
		if got.Status == Fail && got.Fix == "" {
			t.Errorf("%s: FAIL without a fix", c.u.Name)
		}
	}
}

// Units come from the parsed systemctl output, the way Run asks for them.
func TestRunUnitsFromSystemctlOutput(t *testing.T) {
	outputs := map[string]string{
		"heartbeat.timer": "LoadState=loaded\nActiveState=active\nSubState=waiting\nUnitFileState=enabled\n",
		"settime.service": "Type=oneshot\nResult=exit-code\nLoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=enabled\n",
	}
	d := Deps{
		Only:  []string{"units"},
		Units: []string{"heartbeat.timer", "settime.service", "gone.service"},
		UnitState: func(ctx context.Context, name string) (system.Unit, error) {
			out, ok := outputs[name]
			if !ok {
				return system.Unit{Name: name}, errors.New("Unit gone.service could not be found.")
			}
			return system.ParseUnit(name, []byte(out))
		},
	}
	checks := Run(context.Background(), d)
	if len(checks) != 3 || checks[0].Status != Pass || checks[1].Status != Fail || checks[2].Status != Fail {
		t.Fatalf("%+v", checks)
	}
}

func TestRunHardwareClockWiFiDisk(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "i2c-1")
	os.WriteFile(dev, nil, 0o600)
	base := Deps{
		Only:        []string{"arduino", "camera", "disk", "clock", "wifi"},
		ArduinoLink: "i2c:" + dev + "@0x04",
		Arduino:     func(context.Context) (string, error) { return "4.5.5", nil },
		Camera:      func(context.Context) (string, error) { return "Canon EOS 80D", nil },
		Home:        t.TempDir(),
		MinFree:     1,
		Clock: func(context.Context) system.Clock {
			return system.Clock{NTP: true, NTPSynchronized: true, TimeZone: "Australia/Sydney"}
		},
		WiFi:      func(context.Context) ([]string, error) { return []string{"wlan0"}, nil },
		PowerSave: func(context.Context, string) (bool, error) { return false, nil },
	}
	checks := Run(context.Background(), base)
	if Failed(checks) != 0 || len(checks) != 5 {
		t.Fatalf("healthy: %+v", checks)
	}
	var buf bytes.Buffer
	Write(&buf, checks)
	for _, want := range []string{"PASS  Arduino", "firmware 4.5.5", "Canon EOS 80D", "NTP, synchronised, zone Australia/Sydney", "power saving wlan0  off", "All 5 checks passed"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}

	bad := base
	bad.ArduinoLink = "i2c:" + dev + "-missing@0x04"
	bad.Camera = func(context.Context) (string, error) { return "", errors.New("no camera detected") }
	bad.MinFree = 1 << 62
	bad.Clock = func(context.Context) system.Clock { return system.Clock{NTP: true} }
	bad.PowerSave = func(context.Context, string) (bool, error) { return true, nil }
	checks = Run(context.Background(), bad)
	if Failed(checks) != 5 {
		t.Fatalf("broken: %+v", checks)
	}
	buf.Reset()
	Write(&buf, checks)
	for _, want := range []string{"no bus device", "i2c_arm_baudrate=40000", "lsusb", "not synchronised", "set-ntp false", "power_save off", "5 of 5 checks FAILED"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}

	// Not applicable: no Wi-Fi, camera USB off, no Arduino driver, NTP off.
	na := base
	na.Arduino, na.CameraOff = nil, true
	na.WiFi = func(context.Context) ([]string, error) { return nil, nil }
	na.Clock = func(context.Context) system.Clock { return system.Clock{} }
	checks = Run(context.Background(), na)
	got := map[string]Status{}
	for _, c := range checks {
		got[c.Group] = c.Status
	}
	if got["arduino"] != Skip || got["camera"] != Skip || got["wifi"] != Skip || got["clock"] != Pass || !strings.Contains(checks[3].Detail, "Arduino") {
		t.Fatalf("%+v", checks)
	}
}

// Redis and the worker check against a real redis-server: up with no worker
// registered, then stopped.
func TestRedisAndWorkerChecks(t *testing.T) {
	r := testutil.StartRedis(t)
	d := Deps{Only: []string{"redis", "worker"}, RedisAddr: r.Addr}
	checks := Run(context.Background(), d)
	if checks[0].Status != Pass || checks[1].Status != Fail || !strings.Contains(checks[1].Detail, "no background worker") {
		t.Fatalf("redis up, no worker: %+v", checks)
	}
	r.Stop()
	checks = Run(context.Background(), d)
	if checks[0].Status != Fail || checks[1].Status != Fail || !strings.Contains(checks[1].Detail, "Redis is not answering") {
		t.Fatalf("redis down: %+v", checks)
	}
}
