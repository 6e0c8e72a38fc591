package view

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// simArduino is the simulated board of a fresh install, without a cache.
// simCamera is a camera session on the simulated camera.
func simCamera(t *testing.T, p paths.Paths) CameraSession {
	t.Helper()
	drv, err := camsim.New(p, camsim.Options{AlwaysAwake: true})
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, fn func(camera.Camera) error) error {
		cam, err := drv.Open(ctx)
		if err != nil {
			return err
		}
		defer cam.Close()
		return fn(cam)
	}
}

// fakePi is a Pi below a temporary root: model, OS, host name, uptime.
func fakePi(t *testing.T) system.Host {
	t.Helper()
	return system.Host{Root: testutil.FakePi(t, "Raspberry Pi Zero 2 W Rev 1.0", "Raspbian GNU/Linux 12 (bookworm)", "93784.20 90000.00", "ridge")}
}

func fixedNow() time.Time { return time.Date(2026, 3, 8, 14, 5, 6, 0, time.FixedZone("AEDT", 11*3600)) }

// A box where everything answers: the Arduino's clock, version and wake
// window, the camera's clock and modes, the Pi's facts and NTP.
func TestBuildSystemAllAnswer(t *testing.T) {
	p := paths.New(t.TempDir())
	ard := simArduino(t, p)
	if err := ard.SetWakeWindow(context.Background(), 7, 30); err != nil {
		t.Fatal(err)
	}
	if err := ard.SetTime(context.Background(), time.Now()); err != nil { // a fresh board's clock is unset
		t.Fatal(err)
	}
	v := BuildSystem(context.Background(), SystemSources{
		Arduino: NewArduinoReader(context.Background(), ard, quietLog), Camera: simCamera(t, p),
		CameraLibrary: "2.5.31", CameraDriver: "sim", Host: fakePi(t), Photos: p.Photos(),
		NTP: func(context.Context) (settime.NTPState, error) {
			return settime.NTPState{Active: true, Detail: "systemd-timesyncd = active"}, nil
		},
		Now: fixedNow, LocationName: "Ridge", ThumbsCount: 48, CameraUSB: true, TZOffset: -2.5,
		TimeMode: int(camera.TimeSync), Version: "9.9.9",
	})
	if v.Notice != "" || v.ArduinoVersion != sim.Version || v.ArduinoRed {
		t.Fatalf("Arduino: notice %q version %q red %v", v.Notice, v.ArduinoVersion, v.ArduinoRed)
	}
	if _, err := time.Parse(DateLayout+" 15:04:05", v.ArduinoDateTime); err != nil {
		t.Errorf("Arduino date/time %q: %v", v.ArduinoDateTime, err)
	}
	if !v.WakeKnown || v.AlwaysOn || v.WakeMinutes != "30" || v.WakeCached != "" || selectedOne(v.WakeHours) != "07" || selectedOne(v.WakeDurations) != "30" {
		t.Errorf("wake window: %+v", v)
	}
	if v.ShutdownIn == "" {
		t.Error("a firmware with SD? and a wake window shows the shutdown row")
	}
	if len(v.WakeHours) != 25 || v.WakeHours[0].Value != "25" || v.WakeHours[0].Label != "Always On" {
		t.Errorf("wake hours: %+v", v.WakeHours[:2])
	}
	want := PiFacts{Model: "Raspberry Pi Zero 2 W Rev 1.0", OS: "Raspbian GNU/Linux 12 (bookworm)", Hostname: "ridge", Uptime: "1 day, 2:03:04"}
	if v.Facts.Model != want.Model || v.Facts.OS != want.OS || v.Facts.Hostname != want.Hostname || v.Facts.Uptime != want.Uptime ||
		!strings.HasSuffix(v.Facts.Free, " GB") || (v.Facts.Bits != "32" && v.Facts.Bits != "64") {
		t.Errorf("facts %+v", v.Facts)
	}
	if !v.PiNTP || !v.PiNTPKnown || v.PiNTPDetail != "systemd-timesyncd = active" {
		t.Errorf("NTP %v %v %q", v.PiNTP, v.PiNTPKnown, v.PiNTPDetail)
	}
	if v.CameraNote != "" || v.CameraDateTime == Unknown || !v.CameraModesAny {
		t.Errorf("camera: note %q time %q modes %v", v.CameraNote, v.CameraDateTime, v.CameraModesAny)
	}
	for _, m := range v.CameraModes {
		if m.Selected != (m.Value == int(camera.TimeSync)) {
			t.Errorf("time mode %+v: only the remembered one is selected", m)
		}
	}
	if v.PiDateTime != "2026 Mar 08 14:05:06" || v.PiZone != "AEDT" {
		t.Errorf("Pi time %q zone %q", v.PiDateTime, v.PiZone)
	}
	if v.SyncValue != "20260308113506" || selectedOne(v.TZOptions) != camera.FormatTZOffset(-2.5) {
		t.Errorf("sync value %q, offset %q", v.SyncValue, selectedOne(v.TZOptions))
	}
	if v.LocationName != "Ridge" || selectedOne(v.ThumbCounts) != "48" || v.AppVersion != "9.9.9" ||
		v.LibgphotoVersion != "2.5.31" || v.CameraDriver != "sim" || v.SafeWord != RebootSafeWord {
		t.Errorf("settings and versions: %+v", v)
	}
}

// Nothing answers: no Arduino link, camera USB off, nothing readable on the
// Pi, NTP unknown. Every value says Unknown and the notes say why.
func TestBuildSystemNothingAnswers(t *testing.T) {
	asked := false
	v := BuildSystem(context.Background(), SystemSources{
		Arduino: NewArduinoReader(context.Background(), nil, quietLog), CameraOff: "camera USB is off",
		Camera: func(context.Context, func(camera.Camera) error) error { asked = true; return nil },
		Host:   system.Host{Root: t.TempDir()}, Photos: filepath.Join(os.DevNull, "photos"),
		NTP: func(context.Context) (settime.NTPState, error) {
			return settime.NTPState{}, settime.ErrNTPUnknown
		},
		Now: fixedNow, ThumbsCount: 24,
	})
	if asked {
		t.Error("the camera was asked with camera USB off")
	}
	if !strings.HasPrefix(v.Notice, "No Arduino link is configured") {
		t.Errorf("notice %q", v.Notice)
	}
	if v.ArduinoVersion != Unknown || v.ArduinoDateTime != Unknown || v.WakeKnown || v.ShutdownIn != "" || selectedOne(v.WakeHours) != "" {
		t.Errorf("Arduino values: %+v", v)
	}
	if v.CameraNote != "camera USB is off" || v.CameraDateTime != Unknown || v.CameraModesAny || v.LibgphotoVersion != Unknown {
		t.Errorf("camera: %q %q %v %q", v.CameraNote, v.CameraDateTime, v.CameraModesAny, v.LibgphotoVersion)
	}
	for _, m := range v.CameraModes {
		if !m.Disabled || m.Selected {
			t.Errorf("time mode %+v offered with no camera", m)
		}
	}
	f := v.Facts
	if f.Model != Unknown || f.OS != Unknown || f.Hostname != Unknown || f.Uptime != Unknown || f.Free != Unknown {
		t.Errorf("facts %+v", f)
	}
	if v.PiNTP || v.PiNTPKnown || !strings.Contains(v.PiNTPDetail, "cannot tell") {
		t.Errorf("NTP %v %v %q", v.PiNTP, v.PiNTPKnown, v.PiNTPDetail)
	}
}

// The camera's own problems become the page's note; a camera that answers
// with no way to set its clock says so.
func TestBuildSystemCameraNotes(t *testing.T) {
	base := SystemSources{Arduino: NewArduinoReader(context.Background(), nil, quietLog), Host: fakePi(t), Now: fixedNow, CameraUSB: true}
	for _, c := range []struct {
		err  error
		want string
	}{
		{camera.ErrBusy, "Camera busy"},
		{camera.ErrWaking, "Camera asleep"},
		{camera.ErrNoCamera, "no camera detected"},
		{context.DeadlineExceeded, "did not answer in time"},
		{errors.New("PTP I/O error"), "Camera error: PTP I/O error"},
		{nil, NoCameraClock},
	} {
		src := base
		src.Camera = func(context.Context, func(camera.Camera) error) error { return c.err }
		if v := BuildSystem(context.Background(), src); !strings.Contains(v.CameraNote, c.want) || v.CameraDateTime != Unknown {
			t.Errorf("%v: note %q, time %q", c.err, v.CameraNote, v.CameraDateTime)
		}
	}
	src := base
	src.Camera = nil
	if v := BuildSystem(context.Background(), src); v.CameraNote != "no camera driver" {
		t.Errorf("no session: %q", v.CameraNote)
	}
}

// An Arduino clock before any plausible date is shown red; Always On hides
// the shutdown row.
func TestBuildSystemArduinoRules(t *testing.T) {
	p := paths.New(t.TempDir())
	ard := simArduino(t, p)
	ctx := context.Background()
	if err := ard.SetTime(ctx, time.Date(settime.EarliestPlausible-1, 6, 1, 12, 0, 0, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	if err := ard.SetWakeWindow(ctx, arduino.AlwaysOn, 60); err != nil {
		t.Fatal(err)
	}
	v := BuildSystem(ctx, SystemSources{Arduino: NewArduinoReader(ctx, ard, quietLog), Host: fakePi(t), Now: fixedNow})
	if !v.ArduinoRed || !strings.HasPrefix(v.ArduinoDateTime, "2018 Jun 01") {
		t.Errorf("old clock: %q red %v", v.ArduinoDateTime, v.ArduinoRed)
	}
	if !v.AlwaysOn || v.ShutdownIn != "" || selectedOne(v.WakeHours) != "25" || selectedOne(v.WakeDurations) != "60" {
		t.Errorf("always on: %+v", v)
	}
}

func TestThumbCountAndTZOptions(t *testing.T) {
	got := ThumbCountOptions("30") // hand-edited: shown first, as it is
	if len(got) != len(ThumbCounts)+1 || got[0] != (Option{Value: "30", Label: "30", Selected: true}) || selectedOne(got[1:]) != "" {
		t.Errorf("hand-edited count: %+v", got)
	}
	if got := ThumbCountOptions("96"); len(got) != len(ThumbCounts) || selectedOne(got) != "96" {
		t.Errorf("count 96: %+v", got)
	}
	tz := TZOptions(5.5)
	if len(tz) != 95 || tz[0].Label != "-23:30" || tz[47].Label != "\u00a00:00" || tz[94].Label != "+23:30" {
		t.Errorf("offsets: %q %q %q (%d)", tz[0].Label, tz[47].Label, tz[94].Label, len(tz))
	}
	if s := selectedOne(tz); s != camera.FormatTZOffset(5.5) {
		t.Errorf("selected %q", s)
	}
}

// The NTP answer is kept for its TTL, asked again after it, and not kept
// when the request that asked was cut short.
func TestNTPMemo(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	asks := 0
	m := &NTPMemo{TTL: 30 * time.Second, Now: func() time.Time { return now },
		Ask: func(context.Context) (settime.NTPState, error) {
			asks++
			return settime.NTPState{Active: asks%2 == 1}, nil
		}}
	cut, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Get(cut); err != nil || asks != 1 {
		t.Fatalf("cut short: %v, %d asks", err, asks)
	}
	for i, want := range []struct {
		step   time.Duration
		asks   int
		active bool
	}{{0, 2, false}, {29 * time.Second, 2, false}, {2 * time.Second, 3, true}} {
		now = now.Add(want.step)
		st, _ := m.Get(context.Background())
		if asks != want.asks || st.Active != want.active {
			t.Errorf("step %d: %d asks, active %v; want %d, %v", i, asks, st.Active, want.asks, want.active)
		}
	}
}

func TestPiFactsOf(t *testing.T) {
	f := PiFactsOf(system.Facts{Model: "m", OS: "o", Bits: 64, Hostname: "h", Uptime: 90 * time.Second, UptimeOK: true,
		Disk: system.Disk{Total: 64 << 30, Free: 12*(1<<30) + 322122547}, DiskOK: true})
	if f != (PiFacts{Model: "m", OS: "o", Bits: "64", Hostname: "h", Uptime: "0:01:30", Free: "12.3 GB"}) {
		t.Errorf("%+v", f)
	}
	if f := PiFactsOf(system.Facts{Bits: 32, UptimeOK: true}); f.Uptime != "0:00:00" {
		t.Errorf("just booted: %+v", f)
	}
	if f := PiFactsOf(system.Facts{Bits: 32}); f.Uptime != Unknown || f.Free != Unknown {
		t.Errorf("unknown uptime and disk: %+v", f)
	}
}
