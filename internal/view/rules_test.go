package view

import (
	"context"
	"fmt"
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
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// The rules the owner reads on the pages (a colour, a threshold, a days
// figure, a warning), each pinned where a mutation run found it unasserted
// (docs/mutants.md, "### internal/view").

// The Home page with a camera that answers: its shots left in days against
// the thresholds, a low battery in red, no card and a fixed capture target
// as notices; the Pi's free days in their colour, and the newest photo in
// green when the camera's newest is already on the Pi.
func TestBuildHomeCameraAnswers(t *testing.T) {
	newest := time.Date(2026, 12, 7, 9, 0, 0, 0, time.Local)
	set := homeSettings()
	set.Global.EnableCameraUSB = true
	set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm = 14, 7
	card := camera.CardSummary{FileCount: 3, Newest: &camera.File{Name: "IMG_3.JPG", MTime: newest},
		AvailableShots: "500", Battery: "Low", NoStorage: true, CaptureTargetFixed: true}
	store := photos.Summary{Count: 2, Newest: &photos.Photo{Rel: "DCIM/IMG_3.JPG", MTime: newest},
		Largest: 5 << 20, FreeBytes: 1000 * 5 << 20, FreeOK: true}
	src := func(ard *arduino.Client) HomeSources {
		return HomeSources{Arduino: ard, Log: quietLog, Now: func() time.Time { return monday },
			Settings: func() (config.Settings, error) { return set, nil },
			Camera:   func(context.Context) (camera.CardSummary, error) { return card, nil },
			Photos:   func() (photos.Summary, error) { return store, nil },
			ThumbURL: func(rel string) string { return "/thumbs/" + rel },
			ImageURL: func(photos.LastImage) string { return "/photos/last" },
		}
	}
	// 12 h at 6 an hour: 72 a day. The camera's 500 last 6 days (under the
	// alarm of 7: red); the Pi's room for 1000 lasts 13 (under 14: orange).
	ard := withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 7, EndHour: 19, Interval: 10})
	h := BuildHome(context.Background(), src(ard))
	for id, w := range map[string]Row{
		"cameraImages":   {Value: "3"},
		"cameraLast":     {Value: newest.Format("2006-01-02 15:04:05")},
		"availableShots": {Value: "500 (6)", Colour: status.Red},
		"battery":        {Value: "Low", Colour: status.Red},
	} {
		if got, ok := rowByID(h.Camera, id); !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("camera row %s = %+v (found %v), want %q in %q", id, got, ok, w.Value, w.Colour)
		}
	}
	for id, w := range map[string]Row{
		"piImages": {Value: "2"},
		"piLast":   {Value: newest.Format("2006-01-02 15:04:05"), Colour: status.Green},
		"piFree":   {Value: system.FormatGB(1000*5<<20) + " (13)", Colour: status.Orange},
	} {
		if got, ok := rowByID(h.Pi, id); !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("Pi row %s = %+v (found %v), want %q in %q", id, got, ok, w.Value, w.Colour)
		}
	}
	if len(h.Notices) != 2 || h.Notices[0].Colour != status.Red || h.Notices[0].Text != "The camera reports no storage: is its card in?" ||
		h.Notices[1].Colour != status.White {
		t.Errorf("notices %+v", h.Notices)
	}
	if h.CameraDown != nil || h.Image != "/thumbs/DCIM/IMG_3.JPG" {
		t.Errorf("camera down %+v, image %q (the thumbnail first)", h.CameraDown, h.Image)
	}

	// A good battery is not coloured; the Pi's newest photo that is not the
	// camera's is not green; without a schedule no days, no colour.
	card.Battery, card.NoStorage, card.CaptureTargetFixed = "Full", false, false
	card.Newest.MTime = newest.Add(time.Minute)
	h = BuildHome(context.Background(), src(nil))
	for id, w := range map[string]Row{
		"availableShots": {Value: "500 (Unknown)"},
		"battery":        {Value: "Full"},
	} {
		if got, ok := rowByID(h.Camera, id); !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("no schedule: camera row %s = %+v (found %v), want %q in %q", id, got, ok, w.Value, w.Colour)
		}
	}
	if got, _ := rowByID(h.Pi, "piLast"); got.Colour != status.None {
		t.Errorf("the camera has a newer photo, yet the Pi's newest is %q", got.Colour)
	}
	if got, _ := rowByID(h.Pi, "piFree"); got.Value != system.FormatGB(1000*5<<20)+" (Unknown)" || got.Colour != status.None {
		t.Errorf("no schedule: Pi free %+v", got)
	}
	if len(h.Notices) != 0 {
		t.Errorf("notices %+v", h.Notices)
	}
	// A shot count that is not a number is shown as it is, days Unknown.
	card.AvailableShots = "n/a"
	if got, _ := rowByID(BuildHome(context.Background(), src(ard)).Camera, "availableShots"); got.Value != "n/a (Unknown)" || got.Colour != status.None {
		t.Errorf("no shot count: %+v", got)
	}
}

// The live part of Home (sent every few seconds) grades the battery and
// the schedule by the settings file, as the page does, not by defaults.
func TestBuildHomeLiveReadsTheSettings(t *testing.T) {
	set := homeSettings()
	set.Thresholds.VoltageLow = 10 // 9.5 V is under it: critical (the default 9 says low)
	set.Copy.CopyHour = "16"
	src := HomeSources{Arduino: simArduinoAtVolts(t, 9.5), Log: quietLog, Now: func() time.Time { return monday },
		Settings: func() (config.Settings, error) { return set, nil }}
	live := BuildHomeLive(context.Background(), src)
	if got, _ := rowByID(live.Box, "boxBattery"); got.Value != "9.5 V (critical)" || got.Colour != status.Red {
		t.Errorf("live battery %+v", got)
	}
	if got, _ := rowByID(live.Box, "nextCopy"); got.Value != "Mon 7 Dec 16:00 (in 5 h 40 min)" {
		t.Errorf("live next copy %+v", got)
	}
}

// What the last beat sent is kept for the page's health table.
func TestBuildHomeLastState(t *testing.T) {
	v := 12.5
	src := HomeSources{Log: quietLog, Now: func() time.Time { return monday },
		LastState: func() (health.State, bool) { return health.State{BatteryV: &v, Arduino: "ok"}, true }}
	if h := BuildHome(context.Background(), src); h.Health == nil || h.Health.BatteryV == nil || *h.Health.BatteryV != 12.5 {
		t.Errorf("health %+v", h.Health)
	}
	src.LastState = func() (health.State, bool) { return health.State{}, false }
	if h := BuildHome(context.Background(), src); h.Health != nil {
		t.Errorf("no beat yet, health %+v", h.Health)
	}
}

// Each result row has its own label, an unknown kind a plain one.
func TestResultRowLabels(t *testing.T) {
	for kind, want := range map[string]string{
		health.KindCopy: "Last copy", health.KindUpload: "Last upload", health.KindHeartbeat: "Last heartbeat",
		health.KindThumbnails: "Last thumbnails run", "reboot": "Last reboot",
	} {
		if got := ResultRow(kind, health.Outcome{}, false); got.Label != want || got.ID != "result-"+kind || got.Value != "None yet" {
			t.Errorf("%s: %+v, want label %q", kind, got, want)
		}
	}
}

// A camera with no shots left is the page's worst case, not an unknown:
// 0 shots, under a day, red.
func TestIntervalometerCameraFull(t *testing.T) {
	ard := withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 7, EndHour: 19, Interval: 10})
	d := BuildIntervalometer(context.Background(), ivSources(ard, cameraWith("0"), piStore(1000)))
	if d.CameraShots != "0" || d.CameraDays != "< 1" || d.CameraClass != status.Red || d.CameraNote != "" {
		t.Errorf("full card: shots %q, days %q, %q, note %q", d.CameraShots, d.CameraDays, d.CameraClass, d.CameraNote)
	}
	// Every start hour is offered, 00 to 23.
	if len(d.StartHours) != 24 || d.StartHours[0].Value != "00" || d.StartHours[23].Value != "23" {
		t.Errorf("start hours %+v", d.StartHours)
	}
	// No camera driver: no shots shown, only the reason.
	if d := BuildIntervalometer(context.Background(), ivSources(ard, nil, piStore(10))); d.CameraShots != Unknown || d.CameraDays != Unknown {
		t.Errorf("no driver: shots %q days %q", d.CameraShots, d.CameraDays)
	}
}

// withFirmware is the simulated Arduino with its schedule set straight in
// the firmware's RAM, as a hand-flashed or older board may hold it.
func withFirmware(t *testing.T, interval int) *arduino.Client {
	t.Helper()
	p := paths.New(t.TempDir())
	bus := sim.NewBus(p, sim.Options{Log: quietLog})
	err := bus.Do(func(f *sim.Firmware, _ time.Time) error {
		f.S.Interval, f.S.StartHour, f.S.EndHour, f.S.ShootDays = interval, 6, 18, int(arduino.EveryDay)
		f.S.IntervalString = append([]byte{byte(arduino.EveryDay)}, fmt.Sprintf("0618%02d", interval)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arduino.NewClient(bus, arduino.Options{LockPath: p.ArduinoLock(), Log: quietLog})
}

// Interval 0 shoots nothing: no shots a day and no days figure (never a
// "0 a day" and a days-left worked from it).
func TestIntervalometerIntervalZero(t *testing.T) {
	d := BuildIntervalometer(context.Background(), ivSources(withFirmware(t, 0), cameraWith("500"), piStore(1000)))
	if !d.Known || d.ShotsPerDay != Unknown || d.CameraDays != Unknown || d.CameraClass != status.None || d.PiDays != Unknown {
		t.Errorf("interval 0: known %v, per day %q, camera %q %q, Pi %q", d.Known, d.ShotsPerDay, d.CameraDays, d.CameraClass, d.PiDays)
	}
}

// A fast interval that is not a choice (7 s) is shown first, selected, in
// seconds.
func TestIntervalometerForeignFastInterval(t *testing.T) {
	d := BuildIntervalometer(context.Background(), ivSources(withFirmware(t, 67), cameraWith("500"), piStore(1000)))
	if first := d.Intervals[0]; first.Value != "67" || first.Label != "07 seconds" || !first.Selected || !first.Fast {
		t.Errorf("foreign fast interval shown as %+v", first)
	}
}

// The auto power-off rule's edges: over a minute is orange, over five
// minutes red.
func TestCameraAutoPowerOffEdges(t *testing.T) {
	for apo, want := range map[string]status.Colour{"60": status.None, "61": status.Orange, "300": status.Orange, "301": status.Red} {
		rows := CameraInfoRows(camera.Details{FocusMode: "Manual", ExposureMode: "M", AutoPowerOff: apo})
		if got, _ := rowByID(rows, "autoPowerOff"); got.Colour != want {
			t.Errorf("auto power-off %s: %q, want %q", apo, got.Colour, want)
		}
	}
}
