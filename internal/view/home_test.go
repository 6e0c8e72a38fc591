package view

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// simArduino is the simulated board with every hour's battery reading at
// volts (0: no voltmeter fitted).
// simArduinoAtVolts is the simulated Arduino whose battery reads volts (0: no voltmeter).
func simArduinoAtVolts(t *testing.T, volts float64) *arduino.Client {
	t.Helper()
	p := paths.New(t.TempDir())
	bus := sim.NewBus(p, sim.Options{Log: quietLog})
	err := bus.Do(func(f *sim.Firmware, _ time.Time) error {
		f.S.VoltADC = -1 // no new samples: the readings stay as set
		for h := range f.S.Volts {
			f.S.Volts[h] = 0xFF
			if volts > 0 {
				f.S.Volts[h] = byte(volts*10 + 10)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arduino.NewClient(bus, arduino.Options{LockPath: p.ArduinoLock(), Log: quietLog})
}

// monday is 10:20 on a Monday.
var monday = time.Date(2026, 12, 7, 10, 20, 0, 0, time.Local)

func homeSettings() config.Settings {
	set := config.Defaults()
	set.Global.EnableCameraUSB = false
	set.Global.WakePiHour = "25"
	set.Copy.CopyDay, set.Copy.CopyHour = "Daily", "14"
	set.Transfer.Method, set.Transfer.TransferDay = "FTP", "afterCopy"
	set.Thresholds.VoltageLow = 9
	return set
}

func rowByID(rows []Row, id string) (Row, bool) {
	for _, r := range rows {
		if r.ID == id {
			return r, true
		}
	}
	return Row{}, false
}

func TestBuildHomeBoxState(t *testing.T) {
	beatAt := monday.Add(-5 * time.Minute)
	outcomes := map[string]health.Outcome{
		health.KindHeartbeat: {At: beatAt, Text: "Heartbeat failed (Conn. error)", Failed: true, Colour: status.Red},
		health.KindUpload:    {At: monday.Add(-time.Hour), Text: "13 of 13 files uploaded OK", Colour: status.Green},
		health.KindCopy:      {At: monday.Add(-time.Hour), Text: "Could not claim the camera's USB device after 6 attempts", Failed: true},
	}
	src := HomeSources{
		Arduino:  simArduinoAtVolts(t, 9.5),
		Log:      quietLog,
		Settings: func() (config.Settings, error) { return homeSettings(), nil },
		Outcome: func(kind string) (health.Outcome, bool) {
			o, ok := outcomes[kind]
			return o, ok
		},
		Now: func() time.Time { return monday },
	}
	h := BuildHome(context.Background(), src)
	want := map[string]Row{
		"boxBattery":          {Value: "9.5 V (low)", Colour: status.Orange},
		"nextCopy":            {Value: "Mon 7 Dec 14:00 (in 3 h 40 min)"},
		"nextUpload":          {Value: "After the next copy"},
		ResultID("heartbeat"): {Value: beatAt.Format(ResultTimeLayout) + ": Heartbeat failed (Conn. error)", Colour: status.Red},
		ResultID("upload"):    {Value: monday.Add(-time.Hour).Format(ResultTimeLayout) + ": 13 of 13 files uploaded OK", Colour: status.Green},
	}
	for id, w := range want {
		got, ok := rowByID(h.Box, id)
		if !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("box row %s = %+v (found %v), want value %q colour %q", id, got, ok, w.Value, w.Colour)
		}
	}
	// The copy failed: it stays red, with its cause, until the next copy.
	if got, _ := rowByID(h.Results, ResultID("copy")); got.Colour != status.Red || !strings.Contains(got.Value, "Could not claim the camera's USB device") {
		t.Errorf("copy result %+v", got)
	}
	if got, _ := rowByID(h.Results, ResultID("thumbnails")); got.Value != "None yet" || got.Colour != status.None {
		t.Errorf("thumbnails never run: %+v", got)
	}
	if !h.USBOff || h.Camera != nil || len(h.Notices) != 0 {
		t.Errorf("USB off: USBOff %v, camera %v, notices %v", h.USBOff, h.Camera, h.Notices)
	}
	// The live part says the same about the box.
	live := BuildHomeLive(context.Background(), src)
	if got, _ := rowByID(live.Box, "boxBattery"); got.Colour != status.Orange {
		t.Errorf("live battery %+v", got)
	}
	if got, _ := rowByID(live.System, "dateTime"); got.Value == Unknown || got.Value == "" {
		t.Errorf("live clock %+v", got)
	}
}

// The battery is graded by the health check's own rule: under voltage_low
// is critical (and the beat fails), within a volt above it low.
func TestBuildHomeBattery(t *testing.T) {
	for _, c := range []struct {
		volts float64
		want  string
		col   status.Colour
	}{
		{12.6, "12.6 V", status.None},
		{9.5, "9.5 V (low)", status.Orange},
		{8.5, "8.5 V (critical)", status.Red},
		{0, "No voltmeter fitted", status.None},
	} {
		src := HomeSources{Arduino: simArduinoAtVolts(t, c.volts), Log: quietLog,
			Settings: func() (config.Settings, error) { return homeSettings(), nil }, Now: func() time.Time { return monday }}
		got, _ := rowByID(BuildHome(context.Background(), src).Box, "boxBattery")
		if got.Value != c.want || got.Colour != c.col {
			t.Errorf("%.1f V: %+v, want %q in %q", c.volts, got, c.want, c.col)
		}
		if c.volts > 0 {
			v := c.volts
			failing := len(health.Check(health.State{BatteryV: &v, Arduino: "ok"}, homeSettings())) > 0
			if failing != (c.col == status.Red) {
				t.Errorf("%.1f V: the beat's check fails %v, the page says %q", v, failing, c.col)
			}
		}
	}
}

func TestBuildHomeSchedule(t *testing.T) {
	for _, c := range []struct {
		name       string
		edit       func(*config.Settings)
		copy, upld string
	}{
		{"copy off, upload off", func(s *config.Settings) { s.Copy.CopyDay = "Off"; s.Transfer.Method = "Off" }, "Off", "Off (no transfer method)"},
		{"copy at boot only", func(s *config.Settings) { s.Copy.CopyDay = "Off"; s.Copy.CopyOnBootup = true }, "At each boot", "After the next copy"},
		{"upload on Thursdays, the Pi wakes at 12", func(s *config.Settings) {
			s.Global.WakePiHour = "12"
			s.Transfer.TransferDay, s.Transfer.TransferHour = "Thursday", "07"
		}, "Mon 7 Dec 12:00 (in 1 h 40 min)", "Thu 10 Dec 07:00 (in 2 days)"},
	} {
		set := homeSettings()
		c.edit(&set)
		rows := boxSchedule(set, monday)
		if rows[0].Value != c.copy || rows[1].Value != c.upld {
			t.Errorf("%s: next copy %q, next upload %q; want %q, %q", c.name, rows[0].Value, rows[1].Value, c.copy, c.upld)
		}
	}
}

func TestBuildHomeCameraAndStore(t *testing.T) {
	set := homeSettings()
	set.Global.EnableCameraUSB = true
	newest := time.Date(2026, 12, 7, 9, 0, 0, 0, time.Local)
	src := HomeSources{
		Log:      quietLog,
		Settings: func() (config.Settings, error) { return set, errors.New("line 3: junk") },
		Camera: func(context.Context) (camera.CardSummary, error) {
			return camera.CardSummary{}, camera.ErrBusy
		},
		Problem: func(err error) (string, bool) { return "busy: " + err.Error(), false },
		Photos: func() (photos.Summary, error) {
			return photos.Summary{Count: 2, Newest: &photos.Photo{Rel: "DCIM/100CANON/IMG_2.JPG", MTime: newest}}, nil
		},
		PhotoURL: func(rel string) string { return "/photos/" + rel },
		ThumbURL: func(string) string { return "" },
		ImageURL: func(photos.LastImage) string { return "/photos/last" },
		Now:      func() time.Time { return monday },
	}
	h := BuildHome(context.Background(), src)
	if h.CameraDown == nil || h.CameraDown.Colour != status.Orange || h.CanWake || !strings.HasPrefix(h.CameraDown.Value, "busy: ") {
		t.Errorf("camera busy: %+v, can wake %v", h.CameraDown, h.CanWake)
	}
	if len(h.Notices) != 1 || h.Notices[0].Colour != status.Red || !strings.Contains(h.Notices[0].Text, "settings file") {
		t.Errorf("notices %+v", h.Notices)
	}
	if got, _ := rowByID(h.Pi, "piLast"); got.Value != newest.Format("2006-01-02 15:04:05") {
		t.Errorf("newest on the Pi: %+v", got)
	}
	if h.Image != "/photos/last" || h.ImageLink != "/photos/DCIM/100CANON/IMG_2.JPG" {
		t.Errorf("image %q link %q", h.Image, h.ImageLink)
	}
	// No Arduino link: every Arduino value is Unknown, and the page says why.
	if got, _ := rowByID(h.Box, "boxBattery"); got.Value != Unknown {
		t.Errorf("battery without an Arduino: %+v", got)
	}
}
